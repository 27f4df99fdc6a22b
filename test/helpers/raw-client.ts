/**
 * A bare protocol client for tests: sends exactly what it is told (well-formed or not) and records
 * every message from the receiver, so tests can assert on the wire itself.
 */
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { encodeChunkFrame, serverMessageSchema, type ServerMessage } from '../../shared/protocol';

export class RawClient {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('receiver sent a binary frame');
      // A text frame, as a Buffer (the socket's binaryType is the default, 'nodebuffer').
      const parsed = serverMessageSchema.parse(JSON.parse((data as Buffer).toString()));
      this.messages.push(parsed);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.notify();
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects and says hello with a token; resolves after the welcome. */
  static async authed(url: string, token: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const client = await RawClient.connect(url, options);
    client.json({ type: 'hello', protocol: 1, token });
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  json(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  text(raw: string): void {
    this.ws.send(raw);
  }

  chunk(uploadId: number, offset: number, payload: Uint8Array): void {
    this.ws.send(encodeChunkFrame(uploadId, offset, payload));
  }

  binary(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** Waits for the first message matching `match`, removes it from `messages` and returns it. */
  async next<T extends ServerMessage>(match: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  async next(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  async next(match: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Rescan from the start each time: concurrent waiters remove the messages they take.
      const index = this.messages.findIndex(match);
      if (index >= 0) return this.messages.splice(index, 1)[0]!;
      if (this.closeCode !== null)
        throw new Error(
          `connection closed (${this.closeCode} ${this.closeReason}) ` +
            `while waiting; got ${JSON.stringify(this.messages)}`,
        );
      if (Date.now() > deadline) throw new Error(`timed out waiting; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closed(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === null) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closeCode;
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Announces and sends a whole buffer; returns the receiver's final answer for it. */
  async upload(
    uploadId: number,
    bytes: Uint8Array,
    meta: {
      filename: string;
      assetId?: string;
      resourceType?: string;
      captureDate?: string;
      sha256?: string;
      chunkSize?: number;
    },
  ): Promise<ServerMessage> {
    const sha256 = meta.sha256 ?? createHash('sha256').update(bytes).digest('hex');
    this.json({
      type: 'announce',
      uploadId,
      assetId: meta.assetId ?? `asset-${sha256.slice(0, 12)}/L0/001`,
      resourceType: meta.resourceType ?? 'photo',
      filename: meta.filename,
      size: bytes.byteLength,
      sha256,
      ...(meta.captureDate ? { captureDate: meta.captureDate } : {}),
    });
    const first = await this.next(
      (m) =>
        'uploadId' in m &&
        m.uploadId === uploadId &&
        (m.type === 'ready' || m.type === 'committed' || m.type === 'error'),
    );
    if (first.type !== 'ready') return first;
    const size = meta.chunkSize ?? 256 * 1024;
    for (let offset = first.offset; offset < bytes.byteLength; offset += size)
      this.chunk(uploadId, offset, bytes.subarray(offset, offset + size));
    this.json({ type: 'finish', uploadId });
    return this.next(
      (m) => 'uploadId' in m && m.uploadId === uploadId && (m.type === 'committed' || m.type === 'error'),
    );
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
