/**
 * One open upload, owned by one connection (or HTTP request) at a time. Writes are applied in order;
 * the durable offset is reported after every `ackEveryBytes` and after a short quiet period, so a
 * client always learns what survives a crash without an fsync per chunk.
 */
import { ShoeboxError } from '../../../shared/protocol';
import type { CommitResult, Committer } from './committer';
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
}

export class UploadLease {
  /** The offset the upload started (or resumed) at. */
  readonly startOffset: number;
  private queue: Promise<void> = Promise.resolve();
  private ackTimer: NodeJS.Timeout | undefined;
  private sinceSpaceCheck = 0;
  private ended: ShoeboxError | null = null;
  private released: 'detached' | 'cancelled' | 'committed' | null = null;

  constructor(
    private readonly partial: PartialFile,
    private readonly host: LeaseHost,
    private readonly onDurable: (offset: number) => void,
  ) {
    this.startOffset = partial.held;
  }

  get key(): string {
    return this.partial.key;
  }

  get spec(): PartialFile['spec'] {
    return this.partial.spec;
  }

  /** Bytes written so far (not necessarily durable). */
  get held(): number {
    return this.partial.held;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.ended) throw this.ended;
  }

  /** Appends a chunk at `offset`. A failed write ends the lease (the partial stays, resumable). */
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
        await this.endWith(error as ShoeboxError);
        throw error;
      }
      const unsynced = this.partial.held - this.partial.durable;
      if (unsynced >= this.host.ackEveryBytes || this.partial.held === this.partial.spec.size) await this.syncAndAck();
      else this.scheduleAck();
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
      if (durable > before) this.onDurable(durable);
    } catch (error) {
      await this.endWith(error as ShoeboxError);
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

  /** Verifies and commits once every byte is in. On failure the lease ends; the partial stays unless discarded. */
  finish(): Promise<CommitResult> {
    return this.enqueue(async () => {
      this.assertOpen();
      clearTimeout(this.ackTimer);
      try {
        const result = await this.host.committer.commit(this.partial);
        this.ended = new ShoeboxError('UNKNOWN_UPLOAD', 'This upload is already committed.');
        this.released = 'committed';
        await this.host.released(this, 'committed');
        return result;
      } catch (error) {
        await this.endWith(error as ShoeboxError);
        throw error;
      }
    });
  }

  /** Lets go of the upload (connection gone, taken over, shutdown): bytes so far are fsynced and resumable. */
  detach(reason = new ShoeboxError('UNKNOWN_UPLOAD', 'This upload was closed.')): Promise<void> {
    if (!this.ended) this.ended = reason;
    return this.enqueue(() => this.release('detached'));
  }

  /** Abandons the upload and deletes its partial bytes. */
  cancel(): Promise<void> {
    this.ended ??= new ShoeboxError('UNKNOWN_UPLOAD', 'This upload was cancelled.');
    return this.enqueue(() => this.release('cancelled'));
  }

  private async endWith(error: ShoeboxError): Promise<void> {
    if (!this.ended) this.ended = error;
    await this.release('detached');
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
