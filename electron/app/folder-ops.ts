/**
 * The backup folder seen from the window: free space, checking a folder the user chose, paths inside
 * it. Plain Node. Moving a library is library-move.ts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppApiError } from '../../shared/app-api';
import { confine, isInside, realPathOf } from '../../shared/storage/index.nodejs';

export interface DiskSpace {
  free: number;
  total: number;
}

export type DiskSpaceProbe = (dir: string) => Promise<DiskSpace>;

/** Free and total bytes of the disk holding `dir` (fs.statfs). */
export async function statfsSpace(dir: string): Promise<DiskSpace> {
  const s = await fs.statfs(dir);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
}

/** Checks a folder the user chose; returns it resolved. */
export async function checkNewFolder(current: string, wanted: string, mode: 'move' | 'fresh'): Promise<string> {
  if (!path.isAbsolute(wanted))
    throw new AppApiError(
      'BAD_FOLDER',
      `Choose a full path (for example ${path.join(path.dirname(current), 'Shoebox')}), not "${wanted}".`,
    );
  const target = path.resolve(wanted);
  // Compared as the file system sees them: a symbolic link to the backup folder is the backup folder.
  const [realCurrent, realTarget] = await Promise.all([realPathOf(current), realPathOf(target)]);
  if (realTarget === realCurrent) throw new AppApiError('SAME_FOLDER', 'That is already the backup folder.');
  if (isInside(realCurrent, realTarget) || isInside(realTarget, realCurrent)) {
    throw new AppApiError('NESTED_FOLDER', 'The new folder cannot be inside the current backup folder, or contain it.');
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new AppApiError('BAD_FOLDER', `${target} is a file, not a folder.`);
  if (mode === 'move' && stat) {
    const entries = (await fs.readdir(target)).filter((name) => name !== '.DS_Store');
    if (entries.length > 0)
      throw new AppApiError(
        'FOLDER_NOT_EMPTY',
        `${target} is not empty: choose an empty folder to move the library into, or start fresh there.`,
      );
  }
  return target;
}

/** A path relative to the backup folder, checked to stay inside it. */
export function resolveInside(folder: string, relPath: string): string {
  const refuse = () => new AppApiError('BAD_PATH', 'That file is not in the backup folder.');
  const abs = confine(folder, relPath, refuse);
  if (abs === path.resolve(folder)) throw refuse();
  return abs;
}
