/**
 * The simulated phone on the chunk-stream client (WebSocket): one job per photo (pending -> uploading
 * -> succeeded or failed, one retry), an extension the system may end at any time and relaunch later
 * (uploads resume where the receiver holds them), network quality as a bandwidth limit, the locked
 * screen (uploads go on). Through the window server's /v1 mount: the real receiver, a real WebSocket.
 */
import { ChunkStreamClient } from '$shared/simulator/chunk-stream-client';
import { memorySource } from '$shared/simulator/memory-source';
import { mediaTypeOf } from '$shared/simulator/media-types';
import type { UploadResult } from '$shared/simulator/client-types';
import type { DevicePairing } from './device-pairing';
import { PhoneBase } from './phone-base.svelte';
import { NETWORK, type Phone, type SimJob } from './phone-types';

const CONCURRENCY = 3;
const CHUNK_BYTES = 128 * 1024;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class StreamPhone extends PhoneBase implements Phone {
  readonly model = 'stream';
  running = $derived(
    this.jobs.some((j) => j.state === 'pending' || j.state === 'uploading' || j.state === 'registered'),
  );
  private client: ChunkStreamClient | undefined;
  private processing = false;
  private interrupted: 'terminated' | 'network' | null = null;

  constructor(pairing: DevicePairing, firstId = 0) {
    super(pairing, firstId);
  }

  async addFiles(files: File[]): Promise<void> {
    for (const job of await this.addRows(files, 'registered', 0)) job.state = 'pending';
    if (this.extension !== 'revoked') void this.process();
  }

  setLocked(on: boolean): void {
    this.locked = on; // a locked phone keeps running background uploads
  }

  protected onNetworkChange(): void {
    this.interrupt('network');
  }

  setTerminations(on: boolean): void {
    this.terminations = on;
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.state !== 'succeeded' && j.state !== 'failed');
  }

  async pairAgain(): Promise<void> {
    this.pairing.forget();
    this.extension = 'idle';
    this.message = null;
    for (const job of this.jobs)
      if (job.state === 'failed') Object.assign(job, { state: 'pending', error: null, retried: false });
    await this.process();
  }

  private interrupt(reason: 'terminated' | 'network'): void {
    if (!this.client) return;
    this.interrupted = reason;
    void this.client.close();
  }

  /** The extension's process(): runs until no job is pending, relaunched by the "system" after a termination. */
  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.jobs.some((j) => j.state === 'pending')) {
        const token = await this.tokenWhenOnline();
        if (token === 'again') continue;
        if (token === null) return;
        await this.runClient(token);
        if (this.extension === 'revoked') return;
        if (this.interrupted === 'terminated') {
          this.extension = 'terminated';
          await sleep(1200 + Math.random() * 1200); // the system relaunches the extension later
        }
        this.interrupted = null;
      }
      this.extension = 'idle';
    } finally {
      this.processing = false;
    }
  }

  private async runClient(token: string): Promise<void> {
    const rate = NETWORK[this.network].bytesPerSecond;
    const client = new ChunkStreamClient({
      url: `${this.pairing.baseUrl.replace(/^http/, 'ws')}/v1/stream`,
      token,
      WebSocket: window.WebSocket,
      chunkBytes: CHUNK_BYTES,
      maxReconnects: 4,
      clientInfo: { name: 'Shoebox simulator (browser)', version: '1' },
      ...(rate ? { bytesPerSecond: rate } : {}),
    });
    this.client = client;
    client.on('progress', (p) => {
      const job = this.jobs.find((j) => j.assetId === p.source.assetId && j.state === 'uploading');
      if (job) job.acked = p.acked;
    });
    const killer = this.terminations
      ? setTimeout(
          () => {
            this.terminationsSoFar += 1;
            this.interrupt('terminated');
          },
          2500 + Math.random() * 4000,
        )
      : undefined;
    const worker = async () => {
      for (let job = this.nextPending(); job && !this.interrupted; job = this.nextPending()) {
        job.state = 'uploading';
        const bytes = new Uint8Array(await job.file.arrayBuffer());
        const kind = mediaTypeOf(job.filename);
        const source = await memorySource({
          assetId: job.assetId,
          filename: job.filename,
          bytes,
          resourceType: kind?.kind === 'video' ? 'video' : 'photo',
          ...(kind ? { contentType: kind.contentType } : {}),
        });
        this.settle(job, await client.upload(source));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearTimeout(killer);
    await client.close();
    this.client = undefined;
  }

  private nextPending(): SimJob | undefined {
    return this.jobs.find((j) => j.state === 'pending');
  }

  private settle(job: SimJob, result: UploadResult): void {
    if (result.status === 'committed') {
      Object.assign(job, { state: 'succeeded', duplicate: result.duplicate, acked: job.size, error: null });
      return;
    }
    const reason = result.reason;
    if (this.interrupted && (reason.code === 'CANCELLED' || reason.origin === 'client')) {
      job.state = 'pending'; // the extension was ended or the network changed: the system runs the job again
      job.resumes += 1;
      return;
    }
    if (reason.code === 'DEVICE_REVOKED' || reason.code === 'AUTH_FAILED') {
      this.extension = 'revoked';
      this.message = reason.message;
      for (const j of this.jobs)
        if (j.state === 'pending' || j.state === 'uploading' || j === job)
          Object.assign(j, { state: 'failed', error: reason.message });
      return;
    }
    if (reason.retryable && !job.retried) {
      Object.assign(job, { state: 'pending', retried: true, error: null }); // retry(destination:) once
      return;
    }
    Object.assign(job, { state: 'failed', error: `${reason.message} (${reason.code})` });
  }
}
