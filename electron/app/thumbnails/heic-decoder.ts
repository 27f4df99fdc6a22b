/**
 * HEIC to RGBA in a worker thread (libheif-js, WebAssembly), so decoding never blocks the receiver.
 * The worker starts on first use and stops after a while without work.
 */
import { Worker } from 'node:worker_threads';

export interface DecodedImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA. */
  rgba: Uint8Array;
  /** True when the HEIC's embedded thumbnail was used instead of decoding the full image. */
  fromThumbnail: boolean;
}

interface Pending {
  resolve: (image: DecodedImage) => void;
  reject: (error: Error) => void;
}

export class HeicDecoder {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs = 30_000,
    /** A decode taking longer than this (a pathological file) is given up and the worker restarted. */
    private readonly timeoutMs = 60_000,
  ) {}

  /**
   * Decodes the primary image; with preferThumbnail (default) its embedded thumbnail when at least minThumbnailSize
   * px.
   */
  decode(
    bytes: Uint8Array,
    options: { preferThumbnail?: boolean; minThumbnailSize?: number } = {},
  ): Promise<DecodedImage> {
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    const copy = new Uint8Array(bytes); // a copy (Buffer.slice would share memory): transferred to the worker
    return new Promise<DecodedImage>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The worker is busy with this file and would hold up every later one: start a fresh one.
        if (this.worker === worker)
          void this.stopWorker(new Error(`decoding took longer than ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      timer.unref();
      const settle = () => clearTimeout(timer);
      this.pending.set(id, {
        resolve: (image) => (settle(), resolve(image)),
        reject: (error) => (settle(), reject(error)),
      });
      worker.postMessage({ id, bytes: copy.buffer, ...options }, [copy.buffer]);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./heic-worker.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (message: { id: number; ok: boolean; error?: string } & Partial<DecodedImage>) => {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.ok && message.rgba && message.width && message.height) {
        entry.resolve({
          width: message.width,
          height: message.height,
          rgba: new Uint8Array(message.rgba),
          fromThumbnail: Boolean(message.fromThumbnail),
        });
      } else {
        entry.reject(new Error(message.error ?? 'HEIC decoding failed'));
      }
      this.scheduleIdle();
    });
    const fail = (error: Error) => {
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the HEIC decoder stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private scheduleIdle(): void {
    if (this.pending.size > 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  close(): Promise<void> {
    return this.stopWorker(new Error('the HEIC decoder was closed'));
  }

  private async stopWorker(reason: Error): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.removeAllListeners();
    for (const entry of this.pending.values()) entry.reject(reason);
    this.pending.clear();
    await worker.terminate();
  }
}
