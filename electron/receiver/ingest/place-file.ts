/**
 * Puts a finished file into the backup folder without ever overwriting: a hard link (atomic, fails if
 * the name exists) where the file system has them, else an existence check and rename under a lock.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { candidateNames, confine } from './file-naming';
import { errnoCode, fsyncDir } from '../../../shared/storage/index.nodejs';

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export interface Placement {
  /** Absolute path of the file in the backup folder. */
  absolute: string;
  /** True when an identical file already stood under a candidate name and was adopted instead. */
  adopted: boolean;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sameContent(file: string, size: number, sha256: string): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile() || stat.size !== size) return false;
  return (await sha256OfFile(file)) === sha256;
}

async function linkNoClobber(source: string, target: string): Promise<'placed' | 'exists' | 'unsupported'> {
  try {
    await fs.link(source, target);
    return 'placed';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return 'exists';
    if (code && LINK_UNSUPPORTED.has(code)) return 'unsupported';
    throw error;
  }
}

let renameLock: Promise<unknown> = Promise.resolve();

/** Fallback for file systems without hard links (exFAT, FAT32 drives): check, then rename (atomic), serialized. */
async function renameNoClobber(source: string, target: string): Promise<'placed' | 'exists'> {
  const run = renameLock.then(async () => {
    const exists = await fs.lstat(target).then(
      () => true,
      () => false,
    );
    if (exists) return 'exists' as const;
    await fs.rename(source, target);
    return 'placed' as const;
  });
  renameLock = run.catch(() => undefined);
  return run;
}

/**
 * Places `source` (whose bytes are fsynced) at the first free name of `stem ext` in `dir` (absolute,
 * inside root). Without hard links the source is moved, else it stays for the caller to remove.
 * An identical file already under a candidate name is adopted (a retried commit after a
 * crash must not make "IMG (1).HEIC").
 */
export async function placeFile(
  root: string,
  dir: string,
  stem: string,
  ext: string,
  source: string,
  size: number,
  sha256: string,
): Promise<Placement> {
  let useLinks = true;
  for (const name of candidateNames(stem, ext)) {
    const target = confine(root, path.join(path.relative(root, dir), name));
    let outcome: 'placed' | 'exists' | 'unsupported' = useLinks ? await linkNoClobber(source, target) : 'unsupported';
    if (outcome === 'unsupported') {
      useLinks = false;
      outcome = await renameNoClobber(source, target);
    }
    if (outcome === 'placed') {
      await fsyncDir(dir);
      return { absolute: target, adopted: false };
    }
    if (await sameContent(target, size, sha256)) return { absolute: target, adopted: true };
  }
  throw new Error(`No free name for ${stem}${ext} in ${dir}`);
}
