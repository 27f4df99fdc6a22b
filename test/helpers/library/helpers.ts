/** Fixtures for the library index tests: temp folders, records, a counting/failing fs layer. */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { nodeDurableFs, type DurableFs } from '../../../shared/storage/index.nodejs';
import { LibraryIndex } from '../../../electron/receiver/library/library-index';
import type { LibraryIndexOptions, StoredResource } from '../../../electron/receiver/library/types';
import { fakeDescribe } from './fixtures';

export { fakeDescribe, legacyUpload, resource, sha } from './fixtures';

const made: string[] = [];
const opened: LibraryIndex[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((index) => index.close().catch(() => undefined)));
  await Promise.all(made.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

export async function tempFolder(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-library-'));
  made.push(dir);
  return dir;
}

/** Opens an index the test's afterEach closes (unless the test does). */
export async function openIndex(folder: string, extra: Partial<LibraryIndexOptions> = {}): Promise<LibraryIndex> {
  const index = await LibraryIndex.open({ folder, describeFile: fakeDescribe, ...extra });
  opened.push(index);
  return index;
}

export interface SpyFs extends DurableFs {
  counts: { datasync: number; sync: number; appends: number; renames: number };
  /** When set, the next datasync waits for this promise. */
  gateDatasync: Promise<void> | null;
  /** When set, fsyncs of files whose name matches wait for this promise. */
  gateSync: { match: RegExp; until: Promise<void> } | null;
  /** When set, datasync rejects with this error. */
  failDatasync: Error | null;
  events: string[];
}

/** nodeDurableFs with counters, gates and failure injection. */
export function spyFs(): SpyFs {
  const spy: SpyFs = {
    counts: { datasync: 0, sync: 0, appends: 0, renames: 0 },
    gateDatasync: null,
    gateSync: null,
    failDatasync: null,
    events: [],
    async open(file, flags, mode) {
      const handle = await nodeDurableFs.open(file, flags, mode);
      return {
        append: async (data) => {
          spy.counts.appends += 1;
          await handle.append(data);
        },
        datasync: async () => {
          if (spy.gateDatasync) await spy.gateDatasync;
          if (spy.failDatasync) throw spy.failDatasync;
          await handle.datasync();
          spy.counts.datasync += 1;
          spy.events.push(`datasync ${path.basename(file)}`);
        },
        sync: async () => {
          if (spy.gateSync && spy.gateSync.match.test(file)) await spy.gateSync.until;
          await handle.sync();
          spy.counts.sync += 1;
          spy.events.push(`sync ${path.basename(file)}`);
        },
        truncate: (length) => handle.truncate(length),
        chmod: (m) => handle.chmod(m),
        close: () => handle.close(),
      };
    },
    readFile: (file) => nodeDurableFs.readFile(file),
    rename: async (from, to) => {
      spy.counts.renames += 1;
      await nodeDurableFs.rename(from, to);
    },
    unlink: (file) => nodeDurableFs.unlink(file),
    mkdir: (dir) => nodeDurableFs.mkdir(dir),
    fsyncDir: (dir) => nodeDurableFs.fsyncDir(dir),
  };
  return spy;
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Copies the index files as they are on disk right now into a new backup folder: a crash image. The
 * journal is copied before the snapshot, so a snapshot finishing meanwhile cannot make the pair
 * inconsistent (an older journal under a newer snapshot is what a real crash can leave, too).
 */
export async function crashImage(folder: string): Promise<string> {
  const copy = await tempFolder();
  await fsp.mkdir(path.join(copy, '.shoebox', 'index'), { recursive: true });
  for (const name of ['journal.jsonl', 'library.json'] as const) {
    await fsp.copyFile(indexFile(folder, name), indexFile(copy, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  return copy;
}

export function indexFile(folder: string, name: 'library.json' | 'journal.jsonl'): string {
  return path.join(folder, '.shoebox', 'index', name);
}

/** Writes files into the folder (relative path -> content); returns their sha256 by path. */
export async function writeFiles(folder: string, files: Record<string, string>): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(folder, ...rel.split('/'));
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    await fsp.writeFile(abs, content);
    hashes[rel] = createHash('sha256').update(content).digest('hex');
  }
  return hashes;
}

/** Everything an index shows, for comparing states. */
export function view(index: LibraryIndex): { resources: StoredResource[]; totals: ReturnType<LibraryIndex['totals']> } {
  return {
    resources: index.listResources({ offset: 0, limit: 1_000_000 }),
    totals: index.totals(),
  };
}
