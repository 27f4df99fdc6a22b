/**
 * The simulated extension's client for one receiver: one WebSocket connection at a time, many uploads
 * sharing it, reconnects with backoff, bounded in-flight bytes, optional bandwidth limit and simulated drops.
 * Node and browser: pass the WebSocket constructor in the options.
 *
 *   const client = new ChunkStreamClient({ url: streamUrl('127.0.0.1', 8765), token, WebSocket });
 *   client.on('progress', (p) => draw(p));
 *   const result = await client.upload(source);
 *   await client.close();
 */
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, MAX_UPLOAD_ID, PATHS } from '../protocol/constants';
import type { Welcome } from '../protocol/ws-messages';
import { backoffDelay, DEFAULT_BACKOFF, sleep } from './backoff';
import { clientFailure, failureOf, UploadFailure, type FailureReason } from './client-errors';
import type { ChunkStreamClientEvents, ChunkStreamClientOptions, ClientStats, UploadResult } from './client-types';
import { ChunkStreamConnection } from './chunk-stream-connection';
import { TokenBucket } from './throttle';
import { TypedEmitter } from './typed-emitter';
import { UploadTask, type TaskContext } from './upload-task';
import type { UploadSource } from './upload-source';

export const DEFAULT_WINDOW_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/** ws://host:port/v1/stream (IPv6 literals are bracketed). */
export function streamUrl(host: string, port: number, secure = false): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${secure ? 'wss' : 'ws'}://${h}:${port}${PATHS.stream}`;
}

export class ChunkStreamClient extends TypedEmitter<ChunkStreamClientEvents> {
  readonly options: Readonly<ChunkStreamClientOptions>;
  readonly stats: ClientStats = { bytesSent: 0, chunksSent: 0, connections: 0 };
  readonly #throttle: TokenBucket | undefined;
  readonly #closing = new AbortController();
  #connection: ChunkStreamConnection | undefined;
  #connecting: Promise<ChunkStreamConnection> | undefined;
  /** Set when the client can no longer upload: a final receiver refusal, too many failures, or close(). */
  #fatal: FailureReason | undefined;
  #failures = 0;
  #lastFailure: FailureReason | undefined;
  #progressed = new WeakSet<ChunkStreamConnection>();
  #nextUploadId = 0;
  #nextKey = 0;
  #active = 0;
  #slotWaiters: Array<() => void> = [];

  constructor(options: ChunkStreamClientOptions) {
    super();
    for (const name of ['chunkBytes', 'windowBytes', 'bytesPerSecond', 'dropEvery', 'maxActiveUploads'] as const) {
      const value = options[name];
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new RangeError(`${name} must be a positive number`);
    }
    this.options = options;
    this.#throttle = options.bytesPerSecond ? new TokenBucket(options.bytesPerSecond) : undefined;
  }

  /** The receiver's welcome on the current connection, if connected. */
  get welcome(): Welcome | undefined {
    return this.#connection?.isOpen ? this.#connection.welcome : undefined;
  }

  /** Connects now (uploads also connect on demand). Rejects with an UploadFailure when it cannot. */
  async connect(): Promise<Welcome> {
    return (await this.#ensureConnection()).welcome;
  }

  /** Uploads one source; never rejects: failures come back as { status: 'failed', reason }. */
  async upload(source: UploadSource, options: { signal?: AbortSignal } = {}): Promise<UploadResult> {
    const key = ++this.#nextKey;
    const task = new UploadTask(this.#taskContext(), source, key, options.signal);
    let result: UploadResult;
    let holdsSlot = false;
    try {
      await this.#ensureConnection().catch(() => undefined); // learn the receiver's limits first
      await this.#acquireSlot();
      holdsSlot = true;
      result = await task.run();
    } catch (error) {
      result = {
        key,
        source: {
          assetId: source.assetId,
          resourceType: source.resourceType,
          filename: source.filename,
          size: source.size,
        },
        retries: 0,
        resumes: 0,
        status: 'failed',
        reason: failureOf(error, 'CANCELLED'),
      };
    } finally {
      if (holdsSlot) this.#releaseSlot();
    }
    this.emit('result', result);
    return result;
  }

  /** Closes the connection; uploads still running fail with CANCELLED. */
  async close(): Promise<void> {
    const reason = clientFailure('CANCELLED', 'the client was closed');
    this.#fatal ??= reason;
    this.#closing.abort(new UploadFailure(reason));
    this.#connection?.close(reason);
    for (const wake of this.#slotWaiters.splice(0)) wake();
    this.emit('connection', { state: 'closed', attempt: this.stats.connections });
  }

  #taskContext(): TaskContext {
    const options = this.options;
    return {
      connection: () => this.#ensureConnection(),
      nextUploadId: () => (this.#nextUploadId = (this.#nextUploadId % MAX_UPLOAD_ID) + 1),
      chunkBytes: (connection) =>
        Math.min(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, connection.welcome.limits.maxChunkBytes, MAX_CHUNK_BYTES),
      chunkSent: (connection, bytes) => this.#chunkSent(connection, bytes),
      progressed: (connection) => this.#progressed.add(connection),
      throttle: this.#throttle,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      maxRetries: options.maxRetries ?? 5,
      maxStalls: options.maxReconnects ?? 8,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      emitProgress: (progress) => this.emit('progress', progress),
      emitRetry: (event) => this.emit('retry', event),
    };
  }

  #chunkSent(connection: ChunkStreamConnection, bytes: number): void {
    this.stats.bytesSent += bytes;
    this.stats.chunksSent += 1;
    const every = this.options.dropEvery;
    if (every && this.stats.chunksSent % every === 0 && connection.isOpen) {
      connection.close(
        clientFailure('SIMULATED_DROP', `dropped after ${this.stats.chunksSent} chunks (dropEvery ${every})`, true),
      );
    }
  }

  #ensureConnection(): Promise<ChunkStreamConnection> {
    if (this.#fatal) return Promise.reject(new UploadFailure(this.#fatal));
    if (this.#connection?.isOpen) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#connectLoop().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connectLoop(): Promise<ChunkStreamConnection> {
    const options = this.options;
    const maxFailures = options.maxReconnects ?? 8;
    for (;;) {
      if (this.#fatal) throw new UploadFailure(this.#fatal);
      if (this.#failures > maxFailures) {
        const last = this.#lastFailure;
        this.#fatal = clientFailure(
          'CONNECTION_FAILED',
          `gave up after ${this.#failures} failed connections${last ? `; last: ${last.code}: ${last.message}` : ''}`,
        );
        this.emit('connection', { state: 'failed', attempt: this.#failures, reason: this.#fatal });
        throw new UploadFailure(this.#fatal);
      }
      // Let the receiver see the old connection end first, so it has released that connection's uploads.
      await this.#connection?.whenSocketClosed(1000);
      if (this.#failures > 0) {
        const delayMs = backoffDelay(this.#failures, options.backoff ?? DEFAULT_BACKOFF, options.random);
        this.emit('connection', {
          state: 'waiting',
          attempt: this.#failures,
          delayMs,
          ...(this.#lastFailure ? { reason: this.#lastFailure } : {}),
        });
        await sleep(delayMs, this.#closing.signal).catch(() => undefined);
        if (this.#fatal) throw new UploadFailure(this.#fatal);
      }
      this.emit('connection', { state: 'connecting', attempt: this.stats.connections + 1 });
      let connection: ChunkStreamConnection;
      try {
        connection = await ChunkStreamConnection.open({
          url: options.url,
          token: options.token,
          WebSocket: options.WebSocket,
          windowBytes: options.windowBytes ?? DEFAULT_WINDOW_BYTES,
          responseTimeoutMs: options.responseTimeoutMs ?? 60_000,
          ...(options.clientInfo ? { clientInfo: options.clientInfo } : {}),
          onProtocolError: (message) => this.emit('protocolError', { message }),
        });
      } catch (error) {
        const reason = failureOf(error, 'CONNECTION_FAILED');
        this.#lastFailure = reason;
        if (!reason.retryable) {
          this.#fatal = reason;
          this.emit('connection', { state: 'failed', attempt: this.#failures, reason });
          throw new UploadFailure(reason);
        }
        this.#failures += 1;
        this.emit('connection', { state: 'lost', attempt: this.#failures, reason });
        continue;
      }
      if (this.#fatal) {
        connection.close(this.#fatal);
        throw new UploadFailure(this.#fatal);
      }
      this.stats.connections += 1;
      this.#connection = connection;
      connection.onLost((reason) => this.#onLost(connection, reason));
      this.emit('connection', { state: 'connected', attempt: this.stats.connections, welcome: connection.welcome });
      this.#wakeSlotWaiters();
      return connection;
    }
  }

  #onLost(connection: ChunkStreamConnection, reason: FailureReason): void {
    if (this.#progressed.has(connection)) this.#failures = 0;
    else this.#failures += 1;
    this.#lastFailure = reason;
    if (reason.code === 'CANCELLED') return; // close() reports 'closed' itself
    if (!reason.retryable) this.#fatal ??= reason;
    this.emit('connection', { state: reason.retryable ? 'lost' : 'failed', attempt: this.#failures, reason });
  }

  #slotLimit(): number {
    const receiverLimit = this.#connection?.welcome.limits.maxConcurrentUploads ?? Infinity;
    return Math.max(1, Math.min(this.options.maxActiveUploads ?? Infinity, receiverLimit));
  }

  async #acquireSlot(): Promise<void> {
    while (this.#active >= this.#slotLimit()) {
      if (this.#fatal) throw new UploadFailure(this.#fatal);
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    this.#active += 1;
  }

  #releaseSlot(): void {
    this.#active -= 1;
    this.#wakeSlotWaiters();
  }

  #wakeSlotWaiters(): void {
    for (const wake of this.#slotWaiters.splice(0)) wake();
  }
}
