/**
 * One upload, from announce to committed, across dropped connections and retries. Node and browser.
 * Each attempt uses a fresh uploadId (ids are per connection, and the receiver may or may not keep an id
 * open after an error), and resumes from the offset the receiver answers in ready.
 */
import type { Committed, ErrorMessage } from '../protocol/ws-messages';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { clientFailure, failureOf, UploadFailure, type FailureReason } from './client-errors';
import type { UploadProgress, UploadResult, UploadState, RetryEvent } from './client-types';
import type { ChunkStreamConnection } from './chunk-stream-connection';
import type { TokenBucket } from './throttle';
import type { UploadChannel, UploadReply } from './upload-channel';
import { sourceInfo, type UploadSource } from './upload-source';

/** What a task needs from its client. */
export interface TaskContext {
  connection(): Promise<ChunkStreamConnection>;
  nextUploadId(): number;
  chunkBytes(connection: ChunkStreamConnection): number;
  /** Counts a sent chunk (stats, dropEvery). */
  chunkSent(connection: ChunkStreamConnection, bytes: number): void;
  /** The connection has shown that uploads move forward. */
  progressed(connection: ChunkStreamConnection): void;
  throttle: TokenBucket | undefined;
  maxBufferedBytes: number;
  maxRetries: number;
  maxStalls: number;
  backoff: BackoffOptions;
  random: () => number;
  emitProgress(progress: UploadProgress): void;
  emitRetry(event: RetryEvent): void;
}

type AttemptEnd = { kind: 'done'; result: UploadResult } | { kind: 'lost' } | { kind: 'retry'; reason: FailureReason };

export class UploadTask {
  readonly #ctx: TaskContext;
  readonly #source: UploadSource;
  readonly #key: number;
  readonly #signal: AbortSignal | undefined;
  #state: UploadState = 'queued';
  #uploadId: number | undefined;
  #sent = 0;
  #acked = 0;
  #retries = 0;
  /** Retries since the receiver last held more bytes than ever before: the bound applies to these. */
  #retryStreak = 0;
  #highest = 0;
  #resumes = 0;
  #stalls = 0;
  /** finish was sent and the connection died before its answer: the receiver may have committed it. */
  #finishUnanswered = false;
  /** Highest offset the receiver ever reported holding (ready); -1 before the first ready. */
  #best = -1;

  constructor(ctx: TaskContext, source: UploadSource, key: number, signal?: AbortSignal) {
    this.#ctx = ctx;
    this.#source = source;
    this.#key = key;
    this.#signal = signal;
  }

  async run(): Promise<UploadResult> {
    this.#emit('queued');
    let sentOnLostAttempt = false;
    for (;;) {
      if (this.#signal?.aborted) return this.#failed(clientFailure('CANCELLED', 'the upload was cancelled'));
      let connection: ChunkStreamConnection;
      try {
        connection = await this.#ctx.connection();
      } catch (error) {
        return this.#failed(failureOf(error, 'CONNECTION_FAILED'));
      }
      const end = await this.#attempt(connection, sentOnLostAttempt);
      if (end.kind === 'done') return end.result;
      if (end.kind === 'lost') {
        sentOnLostAttempt = this.#sent > Math.max(0, this.#best);
        this.#resumes += 1;
        this.#emit('waiting');
        continue;
      }
      sentOnLostAttempt = false;
      this.#best = -1; // the receiver may have discarded what it held (CHECKSUM_MISMATCH): start afresh
      this.#retries += 1;
      this.#retryStreak += 1;
      if (this.#retryStreak > this.#ctx.maxRetries) {
        return this.#failed({
          ...end.reason,
          message: `${end.reason.message} (gave up after ${this.#ctx.maxRetries} retries)`,
        });
      }
      const delayMs = backoffDelay(this.#retryStreak, this.#ctx.backoff, this.#ctx.random);
      this.#ctx.emitRetry({
        key: this.#key,
        source: sourceInfo(this.#source),
        reason: end.reason,
        attempt: this.#retryStreak,
        delayMs,
      });
      this.#emit('waiting');
      try {
        await sleep(delayMs, this.#signal);
      } catch {
        return this.#failed(clientFailure('CANCELLED', 'the upload was cancelled'));
      }
    }
  }

  async #attempt(connection: ChunkStreamConnection, sentOnLostAttempt: boolean): Promise<AttemptEnd> {
    const source = this.#source;
    const uploadId = this.#ctx.nextUploadId();
    this.#uploadId = uploadId;
    let unacked = 0;
    const channel = connection.openChannel(uploadId, (offset) => {
      const durable = Math.min(offset, this.#sent);
      if (durable <= this.#acked) return;
      connection.release(durable - this.#acked);
      unacked -= durable - this.#acked;
      this.#acked = durable;
      this.#noteHeld(durable);
      this.#ctx.progressed(connection);
      this.#emit(this.#state);
    });
    const signal = this.#signal ? AbortSignal.any([channel.signal, this.#signal]) : channel.signal;
    try {
      this.#emit('announcing');
      connection.send({
        type: 'announce',
        uploadId,
        assetId: source.assetId,
        resourceType: source.resourceType,
        filename: source.filename,
        size: source.size,
        sha256: source.sha256,
        ...(source.contentType === undefined ? {} : { contentType: source.contentType }),
        ...(source.captureDate === undefined ? {} : { captureDate: source.captureDate }),
      });
      const first = await this.#nextReply(channel);
      if (first.type !== 'ready') return this.#ended(first, connection);
      if (first.offset > source.size) {
        return this.#done(
          clientFailure('BAD_SERVER_MESSAGE', `ready offset ${first.offset} is past the size ${source.size}`),
        );
      }
      this.#noteHeld(first.offset);
      if (first.offset > this.#best) {
        this.#stalls = 0;
        this.#best = first.offset;
        this.#ctx.progressed(connection);
      } else if (sentOnLostAttempt && ++this.#stalls > this.#ctx.maxStalls) {
        return this.#done(
          clientFailure(
            'NO_PROGRESS',
            `resumed ${this.#stalls} times without the receiver holding more than ${first.offset} bytes`,
          ),
        );
      }
      this.#sent = this.#acked = first.offset;
      this.#emit('sending');
      while (this.#sent < source.size) {
        const length = Math.min(this.#ctx.chunkBytes(connection), source.size - this.#sent);
        await connection.reserve(length, signal);
        unacked += length;
        await this.#ctx.throttle?.take(length);
        await connection.drainBelow(this.#ctx.maxBufferedBytes, signal);
        const bytes = await this.#read(this.#sent, length);
        signal.throwIfAborted();
        connection.sendChunk(uploadId, this.#sent, bytes);
        this.#sent += length;
        this.#emit('sending');
        this.#ctx.chunkSent(connection, length);
      }
      this.#emit('finishing');
      connection.send({ type: 'finish', uploadId });
      this.#finishUnanswered = true;
      const last = await this.#nextReply(channel);
      if (last.type === 'ready')
        return this.#done(clientFailure('BAD_SERVER_MESSAGE', 'ready received in answer to finish'));
      if (last.type === 'error') this.#finishUnanswered = false; // the receiver did not commit
      return this.#ended(last, connection);
    } catch (error) {
      if (channel.hasEndingReply) {
        let reply = await channel.next();
        while (reply.type === 'ready') reply = await channel.next();
        return this.#ended(reply, connection);
      }
      const reason = failureOf(error, 'CONNECTION_LOST');
      if (this.#signal?.aborted) {
        this.#cancelOnReceiver(connection, uploadId);
        return this.#done(clientFailure('CANCELLED', 'the upload was cancelled'));
      }
      if (reason.code === 'SOURCE_READ_FAILED') {
        this.#cancelOnReceiver(connection, uploadId);
        return this.#done(reason);
      }
      return reason.retryable ? { kind: 'lost' } : this.#done(reason);
    } finally {
      if (connection.isOpen) connection.release(unacked);
      channel.close();
    }
  }

  #noteHeld(offset: number): void {
    if (offset <= this.#highest) return;
    this.#highest = offset;
    this.#retryStreak = 0;
  }

  /** next() that also wakes up on the caller's abort. */
  /**
   * The next reply on the channel, or the caller's cancellation. Only the caller's own signal may cut
   * the wait: the channel's signal also fires when the receiver ends the upload, and that ending reply
   * is exactly what is being waited for.
   */
  async #nextReply(channel: UploadChannel): Promise<UploadReply> {
    const cancel = this.#signal;
    if (!cancel) return channel.next();
    if (cancel.aborted) throw cancel.reason;
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, passed on as is
      const onAbort = () => reject(cancel.reason);
      cancel.addEventListener('abort', onAbort, { once: true });
      channel
        .next()
        .then(resolve, reject)
        .finally(() => cancel.removeEventListener('abort', onAbort));
    });
  }

  async #read(offset: number, length: number): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#source.read(offset, length);
    } catch (error) {
      throw new UploadFailure(
        clientFailure(
          'SOURCE_READ_FAILED',
          `${this.#source.filename}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    if (bytes.byteLength !== length) {
      throw new UploadFailure(
        clientFailure(
          'SOURCE_READ_FAILED',
          `${this.#source.filename}: read ${bytes.byteLength} bytes at ${offset}, expected ${length} (file changed?)`,
        ),
      );
    }
    return bytes;
  }

  #ended(reply: Committed | ErrorMessage, connection: ChunkStreamConnection): AttemptEnd {
    this.#ctx.progressed(connection);
    if (reply.type === 'error') {
      const reason: FailureReason = {
        code: reply.code,
        message: reply.message,
        retryable: reply.retryable,
        origin: 'receiver',
      };
      return reply.retryable ? { kind: 'retry', reason } : this.#done(reason);
    }
    const source = this.#source;
    if (reply.size !== source.size || reply.sha256 !== source.sha256) {
      return this.#done(
        clientFailure(
          'COMMIT_MISMATCH',
          `committed ${reply.size} bytes ${reply.sha256}, announced ${source.size} bytes ${source.sha256}`,
        ),
      );
    }
    // A duplicate answer to the re-announce of an upload whose finish went unanswered is our own commit.
    const duplicate = reply.duplicate && !this.#finishUnanswered;
    this.#sent = this.#acked = source.size;
    this.#emit(duplicate ? 'duplicate' : 'committed');
    const { path, sha256, size, captureDate } = reply;
    return {
      kind: 'done',
      result: { ...this.#base(), status: 'committed', path, sha256, size, captureDate, duplicate },
    };
  }

  #cancelOnReceiver(connection: ChunkStreamConnection, uploadId: number): void {
    try {
      if (connection.isOpen) connection.send({ type: 'cancel', uploadId });
    } catch {
      // Best effort: the connection may already be gone.
    }
  }

  #done(reason: FailureReason): AttemptEnd {
    return { kind: 'done', result: this.#failed(reason) };
  }

  #failed(reason: FailureReason): UploadResult {
    this.#emit('failed');
    return { ...this.#base(), status: 'failed', reason };
  }

  #base() {
    return { key: this.#key, source: sourceInfo(this.#source), retries: this.#retries, resumes: this.#resumes };
  }

  #emit(state: UploadState): void {
    this.#state = state;
    const { size } = this.#source;
    this.#ctx.emitProgress({
      key: this.#key,
      source: sourceInfo(this.#source),
      uploadId: this.#uploadId,
      state,
      sent: this.#sent,
      acked: this.#acked,
      size,
    });
  }
}
