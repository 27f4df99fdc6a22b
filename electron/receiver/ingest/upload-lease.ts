/**
 * One open upload, owned by one connection (or HTTP request) at a time. Writes are applied in order;
 * the durable offset is reported after every `ackEveryBytes` and after a short quiet period, so a
 * client always learns what survives a crash without an fsync per chunk.
 *
 * The lease also owns the upload's activity: it publishes `receiving` after each write, `verifying`
 * when finish() is called, then exactly one end (`stored` / `duplicate`, `interrupted` or `failed`).
 * How an upload ended decides the end state: bytes kept and the reason retryable (or no reason, a
 * dropped connection) is `interrupted`; bytes dropped, or a reason that is not retryable, is `failed`.
 */
import { ShoeboxError } from '../../../shared/protocol';
import type { CommitResult, Committer } from './committer';
import { asShoeboxError, resumableAfter, type UploadEvent, type UploadOrigin } from './ingest-events';
import type { PartialFile } from './staging-area';

export interface LeaseHost {
  readonly committer: Committer;
  readonly ackEveryBytes: number;
  readonly ackDelayMs: number;
  /** Bytes written between checks that the disk still has its reserve free. */
  readonly spaceCheckEveryBytes: number;
  /** Throws DISK_FULL (retryable) when the disk is down to its reserve. */
  checkRoom(): Promise<void>;
  released(lease: UploadLease, outcome: 'detached' | 'committed' | 'cancelled'): Promise<void>;
  /** Publishes an upload event (and, for stored / duplicate, the committed event after it). */
  publish(event: UploadEvent): void;
}

export interface LeaseOptions {
  origin: UploadOrigin;
  onDurable: (offset: number) => void;
  /**
   * Whether the bytes so far are kept when the upload ends without a commit for this reason (undefined:
   * the connection went away). Default: always kept. Dropped bytes are deleted with the partial file.
   */
  keepBytes: (reason: ShoeboxError | undefined) => boolean;
}

export class UploadLease {
  /** The offset the upload started (or resumed) at. */
  readonly startOffset: number;
  private queue: Promise<void> = Promise.resolve();
  private ackTimer: NodeJS.Timeout | undefined;
  private sinceSpaceCheck = 0;
  /** Why the lease ended (what later calls throw); null while open. */
  private ended: unknown = null;
  private released: 'detached' | 'cancelled' | 'committed' | null = null;
  /** The client was told to send: from here on the upload shows (an interruption before that is silent). */
  private ready = false;
  /** finish() was called: later write completions no longer report receiving. */
  private finishing = false;
  /** The end state was published (or must not be: taken over, cancelled). Nothing more is published. */
  private settled = false;

  constructor(
    private readonly partial: PartialFile,
    private readonly host: LeaseHost,
    private readonly options: LeaseOptions,
  ) {
    this.startOffset = partial.held;
  }

  get key(): string {
    return this.partial.key;
  }

  get spec(): PartialFile['spec'] {
    return this.partial.spec;
  }

  get origin(): UploadOrigin {
    return this.options.origin;
  }

  /** Bytes written so far (not necessarily durable). */
  get held(): number {
    return this.partial.held;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private assertOpen(): void {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows why the lease ended, as it was thrown
    if (this.ended) throw this.ended;
  }

  private publish(state: 'receiving' | 'verifying'): void {
    if (this.settled) return;
    this.host.publish({ key: this.key, spec: this.spec, origin: this.origin, received: this.held, state });
  }

  /** Publishes the one end of this lease, unless it has one (or must stay silent). */
  private settle(
    end:
      | { state: 'stored' | 'duplicate'; result: CommitResult }
      | { state: 'interrupted' | 'failed'; error?: ShoeboxError },
  ): void {
    if (this.settled) return;
    this.settled = true;
    const received = 'result' in end ? end.result.size : this.held;
    this.host.publish({ key: this.key, spec: this.spec, origin: this.origin, received, ...end });
  }

  /** `reason` is what was thrown (undefined: the connection went away); anything unexpected is not resumable. */
  private settleUncommitted(reason: unknown, kept: boolean): void {
    const state = kept && (reason === undefined || resumableAfter(reason)) ? 'interrupted' : 'failed';
    this.settle(reason === undefined ? { state } : { state, error: asShoeboxError(reason) });
  }

  /**
   * The client was told where to send from (WebSocket `ready`, HTTP 104 or the body being read): the upload shows as
   * receiving.
   */
  markReady(): void {
    this.ready = true;
    if (!this.ended) this.publish('receiving');
  }

  /** Appends a chunk at `offset`. A failed write ends the lease (the partial stays unless keepBytes says no). */
  write(offset: number, data: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.assertOpen();
      try {
        // Checked up front for the whole upload, but several uploads (or one of unknown length) share the disk.
        this.sinceSpaceCheck += data.byteLength;
        if (this.sinceSpaceCheck >= this.host.spaceCheckEveryBytes) {
          this.sinceSpaceCheck = 0;
          await this.host.checkRoom();
        }
        await this.partial.append(offset, data);
      } catch (error) {
        await this.endWith(error);
        throw error;
      }
      const unsynced = this.partial.held - this.partial.durable;
      if (unsynced >= this.host.ackEveryBytes || this.partial.held === this.partial.spec.size) await this.syncAndAck();
      else this.scheduleAck();
      if (!this.finishing) this.publish('receiving');
    });
  }

  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      this.enqueue(async () => {
        if (!this.ended) await this.syncAndAck();
      }).catch(() => undefined);
    }, this.host.ackDelayMs);
    this.ackTimer.unref();
  }

  private async syncAndAck(): Promise<void> {
    const before = this.partial.durable;
    try {
      const durable = await this.partial.sync();
      if (durable > before) this.options.onDurable(durable);
    } catch (error) {
      await this.endWith(error);
      throw error;
    }
  }

  /** Fixes the total size of an upload begun with sizeKnown: false, once its last byte is in (after every write). */
  setSize(size: number): Promise<void> {
    return this.enqueue(async () => {
      this.assertOpen();
      this.partial.setSize(size);
    });
  }

  /**
   * Verifies and commits once every byte is in: publishes `verifying` now, then `stored` or `duplicate`
   * once the commit is durable. On failure the lease ends; the partial stays unless keepBytes says no.
   */
  finish(): Promise<CommitResult> {
    this.finishing = true;
    if (!this.ended) this.publish('verifying');
    return this.enqueue(async () => {
      this.assertOpen();
      clearTimeout(this.ackTimer);
      let result: CommitResult;
      try {
        result = await this.host.committer.commit(this.partial);
      } catch (error) {
        await this.endWith(error);
        throw error;
      }
      this.ended = new ShoeboxError('UNKNOWN_UPLOAD', 'This upload is already committed.');
      this.released = 'committed';
      await this.host.released(this, 'committed');
      this.settle({ state: result.duplicate ? 'duplicate' : 'stored', result });
      return result;
    });
  }

  /**
   * The transport stopped the upload: the connection went away (no reason), or idled, shut down, was
   * taken over... The bytes so far are fsynced and kept (unless keepBytes says no); it shows as
   * interrupted, or not at all if the client was never told to send. After a commit in progress, nothing.
   */
  interrupt(reason?: ShoeboxError): Promise<void> {
    const show = !this.ended && this.ready;
    this.ended ??= reason ?? new ShoeboxError('UNKNOWN_UPLOAD', 'This upload was closed.');
    return this.enqueue(() => this.stopNow(reason, show));
  }

  /**
   * The transport gives up on the upload because of `error` (whatever was thrown): ends it, kept or not as keepBytes
   * says.
   */
  fail(error: unknown): Promise<void> {
    this.ended ??= error;
    return this.enqueue(() => this.stopNow(error, true));
  }

  /** The client abandoned the upload: its partial bytes are deleted. Shows nothing more (the client withdrew it). */
  cancel(): Promise<void> {
    this.ended ??= new ShoeboxError('UNKNOWN_UPLOAD', 'This upload was cancelled.');
    return this.enqueue(() => this.stopNow(undefined, false, 'cancelled'));
  }

  /**
   * A newer connection takes the upload over (IngestService.begin), or begin() refuses it after opening:
   * the bytes stay, nothing is shown (the new owner, or the refusal, shows the upload).
   */
  detachQuietly(reason = new ShoeboxError('UNKNOWN_UPLOAD', 'This upload was closed.')): Promise<void> {
    this.ended ??= reason;
    return this.enqueue(() => this.stopNow(reason, false, 'detached'));
  }

  /** Runs after whatever the lease was doing (a commit included: a committed upload stays committed). */
  private async stopNow(reason: unknown, show: boolean, outcome?: 'detached' | 'cancelled'): Promise<void> {
    if (this.released === 'committed') return;
    const kept = outcome ? outcome === 'detached' : this.keeps(reason);
    if (show) this.settleUncommitted(reason, kept);
    else this.settled = true;
    await this.release(kept ? 'detached' : 'cancelled');
  }

  private keeps(reason: unknown): boolean {
    return this.options.keepBytes(reason === undefined ? undefined : asShoeboxError(reason));
  }

  private async endWith(error: unknown): Promise<void> {
    if (this.ended) return; // already ended (and shown) by its owner
    this.ended = error;
    const kept = this.keeps(error);
    this.settleUncommitted(error, kept);
    await this.release(kept ? 'detached' : 'cancelled');
  }

  private async release(outcome: 'detached' | 'cancelled'): Promise<void> {
    clearTimeout(this.ackTimer);
    if (this.released) {
      // Ended by a failure (detached, bytes kept), then abandoned by its owner: the bytes go after all.
      if (this.released === 'detached' && outcome === 'cancelled') {
        this.released = 'cancelled';
        await this.host.released(this, 'cancelled');
      }
      return;
    }
    this.released = outcome;
    await this.partial.sync().catch(() => undefined);
    await this.partial.close();
    await this.host.released(this, outcome);
  }
}
