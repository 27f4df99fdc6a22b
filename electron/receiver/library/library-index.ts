/**
 * The library index: what the backup folder holds. Reads are O(1) from memory and show durable changes
 * only. A change is durable once its journal line is appended and fdatasynced (group commit: one fsync
 * for every change queued meanwhile). The lowdb snapshot is rewritten only every N changes, when the
 * journal has grown large relative to it, on flush() and on close(); the folder stays the truth, so a
 * missing or damaged index is rebuilt from it.
 */
import { Low } from 'lowdb';
import { LibraryClosedError, LibraryConflictError, LibraryValidationError, describeError } from './errors';
import { nodeDurableFs, type DurableFs } from '../../../shared/storage/index.nodejs';
import { JournalWriter } from './journal-writer';
import { indexPaths, loadIndex, type IndexPaths } from './load-index';
import { emptySnapshot, firstIssue, storedResourceSchema, type JournalEntry, type SnapshotData } from './schema';
import { SnapshotFile } from './snapshot-file';
import type { LibraryState } from './state';
import type { LibraryIndexOptions, LibraryTotals, StoredResource } from './types';

export type { LibraryIndexOptions, StoredResource } from './types';

const DEFAULT_SNAPSHOT_EVERY_CHANGES = 5_000;
const DEFAULT_SNAPSHOT_EVERY_MS = 30_000;
/** A timed snapshot is written only once the journal reaches 1/16 of the snapshot's size. */
const TIMED_SNAPSHOT_RATIO = 16;

/** A resource change not yet durable: what reads will show once it is. */
interface PendingChange {
  /** The record at this sha once durable (null: removed). */
  record: StoredResource | null;
  done: Promise<void>;
}

export class LibraryIndex {
  readonly openedBy: 'snapshot' | 'rebuild';
  /** Where the index files are. */
  readonly paths: IndexPaths;
  private readonly pendingBySha = new Map<string, PendingChange>();
  /** path -> sha256 that will hold it once durable (null: freed). */
  private readonly pendingByPath = new Map<string, { sha: string | null; change: PendingChange }>();
  private changesSinceSnapshot = 0;
  private snapshotChain: Promise<void> = Promise.resolve();
  private snapshotQueued = false;
  private closing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly state: LibraryState,
    private readonly journal: JournalWriter,
    private readonly db: Low<SnapshotData>,
    private readonly snapshotFile: SnapshotFile,
    private readonly options: Required<Pick<LibraryIndexOptions, 'snapshotEveryChanges' | 'snapshotEveryMs'>>,
    private readonly log: (message: string) => void,
    openedBy: 'snapshot' | 'rebuild',
    paths: IndexPaths,
  ) {
    this.openedBy = openedBy;
    this.paths = paths;
    this.timer = setInterval(() => this.onTimer(), options.snapshotEveryMs);
    this.timer.unref();
  }

  static async open(options: LibraryIndexOptions): Promise<LibraryIndex> {
    const positive = (value: number | undefined, fallback: number, name: string) => {
      const result = value ?? fallback;
      if (!Number.isInteger(result) || result < 1)
        throw new TypeError(`LibraryIndex: ${name} must be a positive integer, not ${String(value)}.`);
      return result;
    };
    if (typeof options.folder !== 'string' || options.folder.length === 0)
      throw new TypeError('LibraryIndex: folder is required.');
    if (typeof options.describeFile !== 'function') throw new TypeError('LibraryIndex: describeFile is required.');
    const settings = {
      snapshotEveryChanges: positive(
        options.snapshotEveryChanges,
        DEFAULT_SNAPSHOT_EVERY_CHANGES,
        'snapshotEveryChanges',
      ),
      snapshotEveryMs: positive(options.snapshotEveryMs, DEFAULT_SNAPSHOT_EVERY_MS, 'snapshotEveryMs'),
    };
    const fs: DurableFs = options.fs ?? nodeDurableFs;
    const log = options.log ?? (() => undefined);
    const paths = indexPaths(options.folder);
    const snapshotFile = new SnapshotFile(fs, paths.snapshot);
    const db = new Low<SnapshotData>(snapshotFile, emptySnapshot());
    const loaded = await loadIndex({ fs, paths, db, options, log });
    const journal = await JournalWriter.open({
      fs,
      file: paths.journal,
      validBytes: loaded.journal.validBytes,
      hasHeader: loaded.journal.hasHeader,
      nextSeq: loaded.state.seq + 1,
      onDurable: (entries) => index.onDurable(entries),
      log,
    });
    const index = new LibraryIndex(loaded.state, journal, db, snapshotFile, settings, log, loaded.openedBy, paths);
    return index;
  }

  getBySha(sha256: string): StoredResource | undefined {
    this.assertOpen('getBySha');
    return this.state.getBySha(sha256);
  }

  getByPath(relPath: string): StoredResource | undefined {
    this.assertOpen('getByPath');
    return this.state.getByPath(relPath);
  }

  getAssetResources(assetId: string): StoredResource[] {
    this.assertOpen('getAssetResources');
    return this.state.getAssetResources(assetId);
  }

  /**
   * Records a stored file; resolves once the change is durable. The same record again is a no-op. The
   * same bytes at another path reject with LibraryConflictError (once the record holding them is
   * durable). A record for a path held by other bytes replaces that (stale) record.
   */
  async addResource(resource: StoredResource): Promise<void> {
    this.assertOpen('addResource');
    const parsed = storedResourceSchema.safeParse(resource);
    if (!parsed.success) throw new LibraryValidationError(`addResource: ${firstIssue(parsed.error)}.`);
    const record = parsed.data;
    const pending = this.pendingBySha.get(record.sha256);
    const existing = pending ? pending.record : (this.state.getBySha(record.sha256) ?? null);
    if (existing && existing.path === record.path) return pending?.done;
    if (existing) {
      await pending?.done.catch(() => undefined);
      if (this.journal.failure) throw this.journal.failure;
      const holder = this.state.getBySha(record.sha256) ?? existing;
      throw new LibraryConflictError(
        `The bytes of ${record.path} (sha256 ${record.sha256}) are already stored as ${holder.path}.`,
        holder,
      );
    }
    const pathOwner = this.ownerOf(record.path);
    const done = this.journal.append({ op: 'add', r: record });
    const change: PendingChange = { record, done };
    this.track(record.sha256, change, [[record.path, record.sha256]]);
    if (pathOwner && pathOwner !== record.sha256) this.track(pathOwner, { record: null, done }, []);
    return done;
  }

  /** Forgets a resource (its file is gone); resolves once durable. Unknown hashes are a no-op. */
  async removeResource(sha256: string): Promise<void> {
    this.assertOpen('removeResource');
    const pending = this.pendingBySha.get(sha256);
    const existing = pending ? pending.record : (this.state.getBySha(sha256) ?? null);
    if (!existing) return pending?.done;
    const done = this.journal.append({ op: 'remove', sha: sha256 });
    this.track(sha256, { record: null, done }, [[existing.path, null]]);
    return done;
  }

  /** Newest first by storedAt, paged, for the UI. */
  listResources(page: { offset: number; limit: number }): StoredResource[] {
    this.assertOpen('listResources');
    const { offset, limit } = page;
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) {
      throw new RangeError(
        `listResources: offset and limit must be non-negative integers, not ${offset} and ${limit}.`,
      );
    }
    return this.state.list(offset, limit);
  }

  totals(): LibraryTotals {
    this.assertOpen('totals');
    return this.state.totals();
  }

  /** Figures for tests and the benchmark. */
  stats(): {
    journalBatches: number;
    journalBytes: number;
    journalChanges: number;
    snapshotBytes: number;
    changesSinceSnapshot: number;
  } {
    const { batches, bytes, changes } = this.journal.stats;
    return {
      journalBatches: batches,
      journalBytes: bytes,
      journalChanges: changes,
      snapshotBytes: this.snapshotFile.lastBytes,
      changesSinceSnapshot: this.changesSinceSnapshot,
    };
  }

  /** Resolves once every change made so far is durable (no snapshot). */
  async whenDurable(): Promise<void> {
    this.assertOpen('whenDurable');
    await this.journal.drain();
  }

  /** Makes every change made so far durable, then writes a snapshot and empties the journal. */
  async flush(): Promise<void> {
    this.assertOpen('flush');
    await this.journal.drain();
    await this.queueSnapshot();
  }

  /** Flushes (if anything changed since the last snapshot) and stops timers. Calling it again is harmless. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      try {
        await this.journal.drain();
        await this.snapshotChain;
        if (this.changesSinceSnapshot > 0 || this.journal.failure) await this.queueSnapshot();
      } finally {
        await this.journal.close();
      }
    })();
    return this.closing;
  }

  private assertOpen(operation: string): void {
    if (this.closing) throw new LibraryClosedError(operation);
  }

  /** Which sha will hold this path once every queued change is durable. */
  private ownerOf(relPath: string): string | null {
    const pending = this.pendingByPath.get(relPath);
    if (pending) return pending.sha;
    return this.state.getByPath(relPath)?.sha256 ?? null;
  }

  private track(sha: string, change: PendingChange, paths: Array<[string, string | null]>): void {
    this.pendingBySha.set(sha, change);
    for (const [relPath, owner] of paths) this.pendingByPath.set(relPath, { sha: owner, change });
    const clear = () => {
      if (this.pendingBySha.get(sha) === change) this.pendingBySha.delete(sha);
      for (const [relPath] of paths)
        if (this.pendingByPath.get(relPath)?.change === change) this.pendingByPath.delete(relPath);
    };
    change.done.then(clear, clear);
  }

  private onDurable(entries: JournalEntry[]): void {
    for (const entry of entries) this.state.apply(entry);
    this.changesSinceSnapshot += entries.length;
    if (this.changesSinceSnapshot >= this.options.snapshotEveryChanges) this.backgroundSnapshot('change count');
  }

  private onTimer(): void {
    if (this.changesSinceSnapshot === 0 || this.closing) return;
    const journalBytes = this.journal.appliedLength;
    if (journalBytes * TIMED_SNAPSHOT_RATIO < this.snapshotFile.lastBytes) return;
    this.backgroundSnapshot('timer');
  }

  private backgroundSnapshot(reason: string): void {
    if (this.snapshotQueued || this.closing) return;
    this.queueSnapshot().catch((error: unknown) =>
      this.log(`library index: snapshot (${reason}) failed, the journal keeps every change: ${describeError(error)}`),
    );
  }

  /** Snapshots run one at a time; the state is captured when a snapshot starts. */
  private queueSnapshot(): Promise<void> {
    this.snapshotQueued = true;
    const run = this.snapshotChain.then(() => this.writeSnapshot());
    this.snapshotChain = run.catch(() => undefined);
    return run;
  }

  private async writeSnapshot(): Promise<void> {
    this.snapshotQueued = false;
    // Captured together, synchronously: the state at change `seq` is exactly the journal up to `cut`.
    const cut = this.journal.appliedLength;
    const included = this.changesSinceSnapshot;
    const empty = this.db.data;
    this.db.data = this.state.toSnapshot(new Date());
    const written = this.db.write(); // serialises synchronously, then writes and fsyncs
    this.db.data = empty;
    await written;
    this.changesSinceSnapshot -= included;
    await this.journal.compact(cut);
  }
}
