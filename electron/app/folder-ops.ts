/**
 * The backup folder seen from the window: free space, and moving a library to another folder.
 * Plain Node. The receiver must be closed while a library moves.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppApiError } from '../../shared/app-api';

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

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Checks a folder the user chose; returns it resolved. */
export async function checkNewFolder(current: string, wanted: string, mode: 'move' | 'fresh'): Promise<string> {
  if (!path.isAbsolute(wanted)) throw new AppApiError('BAD_FOLDER', `Choose a full path (for example ${path.join(path.dirname(current), 'Shoebox')}), not "${wanted}".`);
  const target = path.resolve(wanted);
  if (target === path.resolve(current)) throw new AppApiError('SAME_FOLDER', 'That is already the backup folder.');
  if (isInside(current, target) || isInside(target, current)) {
    throw new AppApiError('NESTED_FOLDER', 'The new folder cannot be inside the current backup folder, or contain it.');
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new AppApiError('BAD_FOLDER', `${target} is a file, not a folder.`);
  if (mode === 'move' && stat) {
    const entries = (await fs.readdir(target)).filter((name) => name !== '.DS_Store');
    if (entries.length > 0) throw new AppApiError('FOLDER_NOT_EMPTY', `${target} is not empty: choose an empty folder to move the library into, or start fresh there.`);
  }
  return target;
}

/** Moves everything in `from` into `to` (created if needed): rename when on the same disk, else copy then delete. */
export async function moveLibrary(from: string, to: string, onProgress: (message: string) => void = () => undefined): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  const entries = await fs.readdir(from);
  for (const [i, name] of entries.entries()) {
    onProgress(`Moving ${name} (${i + 1} of ${entries.length})`);
    const source = path.join(from, name);
    const target = path.join(to, name);
    try {
      await fs.rename(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await fs.cp(source, target, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true });
      await fs.rm(source, { recursive: true, force: true });
    }
  }
}

/** A path relative to the backup folder, checked to stay inside it. */
export function resolveInside(folder: string, relPath: string): string {
  const abs = path.resolve(folder, relPath);
  if (!isInside(folder, abs) || abs === path.resolve(folder)) throw new AppApiError('BAD_PATH', 'That file is not in the backup folder.');
  return abs;
}
