/**
 * Opening the index files: load the lowdb snapshot, replay the journal after it; when either is damaged
 * (or the index is missing) rebuild from the folder, keeping damaged files aside for diagnosis.
 */
import path from 'node:path';
import type { Low } from 'lowdb';
import { errnoCode, type DurableFs } from '../../../shared/storage/index.nodejs';
import { folderLayout } from '../util/folder-layout';
import { parseJournal } from './journal-parse';
import { rebuildFromFolder } from './rebuild';
import { storedResourceSchema, type JournalEntry, type SnapshotData } from './schema';
import { SnapshotDamagedError } from './snapshot-file';
import { LibraryState } from './state';
import type { LibraryIndexOptions, StoredResource } from './types';

export interface IndexPaths {
  dir: string;
  snapshot: string;
  journal: string;
}

export interface LoadedIndex {
  state: LibraryState;
  openedBy: 'snapshot' | 'rebuild';
  /** How to open the journal for appending. */
  journal: { validBytes: number; hasHeader: boolean };
}

export interface LoadContext {
  fs: DurableFs;
  paths: IndexPaths;
  db: Low<SnapshotData>;
  options: LibraryIndexOptions;
  log: (message: string) => void;
}

export function indexPaths(folder: string): IndexPaths {
  const dir = folderLayout(folder).index;
  return { dir, snapshot: path.join(dir, 'library.json'), journal: path.join(dir, 'journal.jsonl') };
}

export async function loadIndex(ctx: LoadContext): Promise<LoadedIndex> {
  const { fs, paths, db, log } = ctx;
  await fs.mkdir(paths.dir);
  // The folders may be new: make their entries durable before anything inside them counts.
  for (const dir of [path.dirname(path.dirname(paths.dir)), path.dirname(paths.dir)]) await fs.fsyncDir(dir);
  for (const leftover of [`${paths.snapshot}.tmp`, `${paths.journal}.tmp`]) {
    await fs.unlink(leftover).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }

  const damage: string[] = [];
  const hints = new Map<string, StoredResource>();
  let snapshot: SnapshotData | null = null;
  const empty = db.data;
  try {
    await db.read();
    if (db.data !== empty) snapshot = db.data;
  } catch (error) {
    if (!(error instanceof SnapshotDamagedError)) throw error;
    damage.push(error.message);
    salvageSnapshot(error.parsed, hints);
  }
  db.data = empty; // the live state is LibraryState; lowdb's data is set again for each write

  let journalBytes: Buffer | null = null;
  try {
    journalBytes = await fs.readFile(paths.journal);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const journal = parseJournal(journalBytes ?? Buffer.alloc(0));
  const entries = journal.ok ? journal.entries : journal.salvage;
  if (!journal.ok) damage.push(`journal.jsonl is damaged: ${journal.reason}`);
  salvageJournal(entries, hints);

  if (damage.length === 0 && snapshot) {
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (first && last && last.s > snapshot.seq && first.s > snapshot.seq + 1) {
      damage.push(`journal.jsonl starts at change ${first.s} but library.json ends at change ${snapshot.seq}`);
    }
  }
  if (damage.length === 0 && !snapshot && entries.length > 0)
    damage.push('journal.jsonl has changes but library.json is missing');

  if (damage.length === 0 && snapshot && journal.ok) {
    const state = LibraryState.fromSnapshot(snapshot);
    let replayed = 0;
    for (const entry of entries) if (state.apply(entry)) replayed += 1;
    if (journal.tornBytes > 0)
      log(
        `library index: dropped a torn final journal line (${journal.tornBytes} bytes), ` +
          `a change that was never acknowledged.`,
      );
    log(
      `library index: loaded ${state.size} resources from library.json (change ${snapshot.seq}) ` +
        `and replayed ${replayed} journal changes.`,
    );
    // A journal holding only changes the snapshot already has is simply reset.
    const stale = entries.length > 0 && entries.every((entry) => entry.s <= snapshot.seq);
    return {
      state,
      openedBy: 'snapshot',
      journal: { validBytes: journal.validBytes, hasHeader: journal.hasHeader && !stale },
    };
  }

  if (damage.length > 0) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside: string[] = [];
    // The journal is worth keeping only if it holds something beyond its header.
    const journalUseful = journalBytes !== null && (entries.length > 0 || !journal.ok || journal.tornBytes > 0);
    for (const file of journalUseful ? [paths.snapshot, paths.journal] : [paths.snapshot]) {
      try {
        await fs.rename(file, `${file}.damaged-${stamp}`);
        aside.push(`${path.basename(file)}.damaged-${stamp}`);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
    }
    await fs.fsyncDir(paths.dir);
    log(
      `library index: ${damage.join('; ')}. ` +
        `Rebuilding from the backup folder; kept ${aside.join(' and ') || 'nothing'} for diagnosis.`,
    );
  } else {
    log('library index: no index yet; building it from the backup folder.');
  }

  const state = await rebuildFromFolder({
    folder: ctx.options.folder,
    describeFile: ctx.options.describeFile,
    concurrency: ctx.options.rebuildConcurrency ?? 4,
    log,
    hints,
    ...(ctx.options.onRebuildProgress ? { onProgress: ctx.options.onRebuildProgress } : {}),
  });
  db.data = state.toSnapshot(new Date());
  try {
    await db.write();
  } finally {
    db.data = empty;
  }
  return { state, openedBy: 'rebuild', journal: { validBytes: 0, hasHeader: false } };
}

function salvageSnapshot(parsed: unknown, hints: Map<string, StoredResource>): void {
  const resources = (parsed as { resources?: unknown } | null | undefined)?.resources;
  if (!Array.isArray(resources)) return;
  for (const item of resources) {
    const result = storedResourceSchema.safeParse(item);
    if (result.success) hints.set(result.data.sha256, result.data);
  }
}

function salvageJournal(entries: JournalEntry[], hints: Map<string, StoredResource>): void {
  for (const entry of entries) {
    if (entry.op === 'add') hints.set(entry.r.sha256, entry.r);
  }
}
