/**
 * The folder is the truth, after start too: a stored file deleted or replaced by hand leaves the index,
 * so the window stops showing it and the phone's copy counts as new again. Runs in the background a
 * few files at a time. When most files are missing at once (a disconnected disk, an unmounted share),
 * nothing is removed: the index keeps them and a warning says why.
 */
import fs from 'node:fs/promises';
import { confine, errnoCode } from '../../../shared/storage/index.nodejs';
import { LibraryClosedError } from './errors';
import type { LibraryIndex } from './library-index';
import type { StoredResource } from './types';

export interface PruneOptions {
  concurrency?: number;
  /** More than this share of files missing (and at least minSuspicious of them) looks like a lost disk. */
  suspiciousShare?: number;
  minSuspicious?: number;
  log?: (message: string) => void;
  /** Stops early (the receiver is closing): nothing is removed. */
  signal?: AbortSignal;
}

export interface PruneResult {
  checked: number;
  removed: StoredResource[];
  /** Set when too many were missing to believe it: nothing was removed. */
  heldBack: number;
}

async function isInPlace(folder: string, record: StoredResource): Promise<boolean> {
  try {
    const stat = await fs.stat(confine(folder, record.path));
    return stat.isFile() && stat.size === record.size;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error; // EACCES, EIO…: cannot tell, so keep it
  }
}

export async function pruneMissingFiles(
  index: LibraryIndex,
  folder: string,
  options: PruneOptions = {},
): Promise<PruneResult> {
  const { concurrency = 8, suspiciousShare = 0.5, minSuspicious = 20, log = () => undefined, signal } = options;
  const missing: StoredResource[] = [];
  let checked = 0;
  try {
    const records = index.listResources({ offset: 0, limit: index.totals().resources });
    let next = 0;
    const worker = async () => {
      while (next < records.length && !signal?.aborted) {
        const record = records[next++]!;
        const inPlace = await isInPlace(folder, record).catch(() => true);
        checked += 1;
        if (!inPlace) missing.push(record);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
    if (signal?.aborted) return { checked, removed: [], heldBack: 0 };
    if (missing.length >= minSuspicious && missing.length > records.length * suspiciousShare) {
      log(
        `${missing.length} of ${records.length} backed-up files are missing from ${folder}. ` +
          `Is a disk disconnected? The library keeps them; reconnect it and restart Shoebox.`,
      );
      return { checked, removed: [], heldBack: missing.length };
    }
    // Only what is still the index's record for those bytes, and still missing (an upload may have put it back).
    const gone: StoredResource[] = [];
    for (const record of missing) {
      if (index.getBySha(record.sha256)?.path === record.path && !(await isInPlace(folder, record).catch(() => true)))
        gone.push(record);
    }
    await Promise.all(gone.map((record) => index.removeResource(record.sha256)));
    if (gone.length > 0)
      log(
        `${gone.length} file(s) were removed from the backup folder by hand; the library forgot them (${gone
          .slice(0, 3)
          .map((r) => r.path)
          .join(', ')}${gone.length > 3 ? ', …' : ''}).`,
      );
    return { checked, removed: gone, heldBack: 0 };
  } catch (error) {
    // the receiver closed meanwhile
    if (error instanceof LibraryClosedError) return { checked, removed: [], heldBack: 0 };
    throw error;
  }
}
