/**
 * Appending to `journal.jsonl` with group commit: changes queued while a write is in flight go together
 * in the next one, so many concurrent commits cost one append and one fdatasync. Sequence numbers are
 * given when a batch is written, so they follow file order.
 */
import path from 'node:path';
import { LibraryDurabilityError, describeError } from './errors';
import { writeFileAtomic, type DurableFileHandle, type DurableFs } from '../../../shared/storage/index.nodejs';
import { JOURNAL_HEADER_LINE, type Change, type JournalEntry } from './schema';

interface Pending {
  change: Change;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface JournalWriterOptions {
  fs: DurableFs;
  file: string;
  /** Bytes of the existing file to keep (a torn tail beyond them is cut off). */
  validBytes: number;
  /** Whether those bytes start with the header. */
  hasHeader: boolean;
  /** Sequence number of the next change. */
  nextSeq: number;
  /** Called with each batch's entries, in order, once they are durable (before any promise resolves). */
  onDurable: (entries: JournalEntry[]) => void;
  log: (message: string) => void;
}

const HEADER = Buffer.from(JOURNAL_HEADER_LINE, 'utf8');

export class JournalWriter {
  /** Bytes in the file, as written by this writer. */
  private length: number;
  /** Bytes through the last batch whose changes were applied (equals length when nothing is in flight). */
  appliedLength: number;
  /** Statistics, for tests and the benchmark. */
  readonly stats = { batches: 0, bytes: 0, changes: 0 };
  failure: LibraryDurabilityError | null = null;
  private nextSeq: number;
  private queue: Pending[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private scheduled = false;

  private constructor(
    private readonly options: JournalWriterOptions,
    private handle: DurableFileHandle,
  ) {
    this.length = options.validBytes;
    this.appliedLength = options.validBytes;
    this.nextSeq = options.nextSeq;
  }

  static async open(options: JournalWriterOptions): Promise<JournalWriter> {
    const { fs, file } = options;
    const handle = await fs.open(file, 'a');
    const writer = new JournalWriter(options, handle);
    try {
      if (!options.hasHeader) {
        await handle.truncate(0);
        await handle.append(HEADER);
        await handle.datasync();
        await fs.fsyncDir(path.dirname(file));
        writer.length = writer.appliedLength = HEADER.length;
      } else {
        // Cut a torn final line away, so the next append starts on a line of its own.
        await handle.truncate(options.validBytes);
        await handle.datasync();
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return writer;
  }

  /** Queues a change; resolves once it is durable, rejects if it could not be made durable. */
  append(change: Change): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far is durable or has failed. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.schedule();
    await this.chain;
  }

  /** Runs fn while no batch is in flight; batches queued meanwhile wait for it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * After a snapshot that includes everything up to byte `cut` is durable: drops those bytes. Lines
   * written after the cut (changes newer than the snapshot) are kept; after a failure everything beyond
   * the last applied batch was refused, so it goes too.
   */
  compact(cut: number): Promise<void> {
    return this.exclusive(async () => {
      const keepFrom = Math.max(cut, HEADER.length);
      const tail = this.failure ? 0 : this.appliedLength - keepFrom;
      if (tail <= 0) {
        // Once truncated, the journal must get its header before anything else is appended.
        await this.untilDone(async () => {
          await this.handle.truncate(0);
          await this.handle.append(HEADER);
          await this.handle.datasync();
        });
        this.length = this.appliedLength = HEADER.length;
        return;
      }
      const { fs, file } = this.options;
      const current = await fs.readFile(file);
      const next = Buffer.concat([HEADER, current.subarray(keepFrom, this.appliedLength)]);
      // Once the new file is in place, later lines must go to it, even if fsyncing the folder then fails
      // (that failure refuses further changes: their lines might not survive a crash).
      let renamed = false;
      const swapIn = async () => {
        renamed = true;
        await this.handle.close().catch(() => undefined);
        this.handle = await fs.open(file, 'a');
        this.length = this.appliedLength = next.length;
      };
      try {
        await writeFileAtomic(file, next, { durability: 'durable', fs, tempPath: `${file}.tmp`, onRenamed: swapIn });
      } catch (error) {
        if (!renamed) throw error; // the old journal is untouched and still in use: nothing is lost
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caught error, unchanged
        await this.untilDone(() => Promise.reject(error));
      }
    });
  }

  /** Runs a step that leaves the journal unusable if it fails half-way: a failure refuses later changes. */
  private async untilDone(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.failure ??= new LibraryDurabilityError(
        `The library journal could not be compacted (${describeError(error)}); ` +
          `Shoebox stores nothing more until it is restarted: ` +
          `check the backup disk, then quit and start Shoebox again.`,
        error,
      );
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.drain();
    await this.exclusive(() => this.handle.close());
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Chained: runs after the write in flight, and (at the earliest) after the current tick, so every
    // change queued by then shares one append and one fdatasync.
    this.chain = this.chain
      .then(() => this.writeBatch())
      .catch((error: unknown) =>
        this.options.log(`library index: journal batch failed unexpectedly: ${describeError(error)}`),
      );
  }

  private async writeBatch(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.failure) {
      for (const item of batch) item.reject(this.failure);
      return;
    }
    if (batch.length === 0) return;
    const changes = batch.map((item) => item.change);
    // The sequence number goes first, so even a torn line shows where it belonged.
    const entries = changes.map((change) => ({ s: this.nextSeq++, ...change }));
    const bytes = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
    try {
      await this.handle.append(bytes);
      await this.handle.datasync();
    } catch (error) {
      this.failure = new LibraryDurabilityError(
        `The library journal could not be written (${describeError(error)}); ` +
          `this change is not durable and Shoebox stores nothing more until it is restarted: ` +
          `check the backup disk, then quit and start Shoebox again.`,
        error,
      );
      this.options.log(`library index: ${this.failure.message}`);
      for (const item of batch) item.reject(this.failure);
      return;
    }
    this.length += bytes.length;
    this.appliedLength = this.length;
    this.stats.batches += 1;
    this.stats.bytes += bytes.length;
    this.stats.changes += entries.length;
    try {
      this.options.onDurable(entries);
    } catch (error) {
      this.options.log(`library index: applying a durable change failed: ${describeError(error)}`);
    }
    for (const item of batch) item.resolve();
  }
}
