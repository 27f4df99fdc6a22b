/**
 * Moving a library to another folder without losing a photo when something fails half-way.
 * - Same disk: each top-level entry is renamed; if one fails, those already moved are renamed back.
 * - Another disk: everything is copied first, each file fsynced with its size checked and its times
 *   kept (a photo's modification time is its capture time), then the directories are fsynced. A
 *   failure removes the copies and leaves the original untouched. Only a complete, durable copy lets
 *   the originals go; what cannot be deleted then is reported, never lost.
 * The receiver must be closed while a library moves.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../shared/storage/index.nodejs';

export interface MoveResult {
  /** Originals that could not be deleted after a complete copy (the library is whole at the target). */
  leftBehind: string[];
}

type Progress = (message: string) => void;

export interface MoveHooks {
  onProgress?: Progress;
  /**
   * Called once the library is complete and durable at the target, before any original is deleted:
   * the moment to remember the new folder, so quitting from here on can only leave originals behind.
   */
  onComplete?: () => Promise<void>;
}

export async function moveLibrary(from: string, to: string, hooks: MoveHooks = {}): Promise<MoveResult> {
  const onProgress = hooks.onProgress ?? (() => undefined);
  await fs.mkdir(to, { recursive: true });
  const entries = await fs.readdir(from);
  const moved: string[] = [];
  try {
    for (const [i, name] of entries.entries()) {
      onProgress(`Moving ${name} (${i + 1} of ${entries.length})`);
      await fs.rename(path.join(from, name), path.join(to, name));
      moved.push(name);
    }
    await fsyncDir(to);
    await fsyncDir(from);
  } catch (error) {
    await renameBack(moved, from, to);
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    return copyThenDelete(from, to, entries, hooks);
  }
  await hooks.onComplete?.();
  return { leftBehind: [] };
}

async function renameBack(moved: string[], from: string, to: string): Promise<void> {
  for (const name of moved.reverse()) {
    await fs.rename(path.join(to, name), path.join(from, name)).catch((error: Error) => {
      throw new Error(`moving ${name} back to ${from} failed too (${error.message}); it is in ${to}`);
    });
  }
}

/** The other-disk way (exported for tests, which may not have two disks). */
export async function copyThenDelete(
  from: string,
  to: string,
  entries: string[],
  hooks: MoveHooks = {},
): Promise<MoveResult> {
  const onProgress = hooks.onProgress ?? (() => undefined);
  await fs.mkdir(to, { recursive: true });
  const total = await countFiles(from);
  const done = { files: 0 };
  const created: string[] = [];
  try {
    for (const name of entries) {
      const target = path.join(to, name);
      if (
        await fs.lstat(target).then(
          () => true,
          () => false,
        )
      )
        throw new Error(`${target} already exists`);
      created.push(target); // ours from here on: removed again if the copy fails
      await copyTree(path.join(from, name), target, (file) => {
        done.files += 1;
        if (done.files % 25 === 0 || done.files === total)
          onProgress(`Copying to the other disk: ${done.files} of ${total} files (${file})`);
      });
    }
    await fsyncDir(to);
  } catch (error) {
    onProgress('The copy failed: removing the partial copy; the library stays where it was.');
    for (const target of created.reverse())
      await fs.rm(target, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await hooks.onComplete?.();
  const leftBehind: string[] = [];
  for (const name of entries) {
    onProgress(`Removing the originals: ${name}`);
    await fs
      .rm(path.join(from, name), { recursive: true, force: true })
      .catch(() => leftBehind.push(path.join(from, name)));
  }
  return { leftBehind };
}

async function countFiles(dir: string): Promise<number> {
  const all = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return all.filter((entry) => entry.isFile()).length;
}

/** Copies a file or directory tree durably; never overwrites. */
async function copyTree(source: string, target: string, onFile: (name: string) => void): Promise<void> {
  const stat = await fs.lstat(source);
  if (stat.isDirectory()) {
    await fs.mkdir(target);
    for (const name of await fs.readdir(source))
      await copyTree(path.join(source, name), path.join(target, name), onFile);
    await fsyncDir(target);
    await fs.utimes(target, stat.atime, stat.mtime);
  } else if (stat.isFile()) {
    await fs.copyFile(source, target, constants.COPYFILE_EXCL);
    const handle = await fs.open(target, 'r+');
    try {
      await handle.sync();
      const copied = await handle.stat();
      if (copied.size !== stat.size)
        throw new Error(`${target} has ${copied.size} bytes after copying, not ${stat.size}`);
    } finally {
      await handle.close();
    }
    await fs.utimes(target, stat.atime, stat.mtime);
    onFile(path.basename(source));
  } else if (stat.isSymbolicLink()) {
    await fs.symlink(await fs.readlink(source), target);
  }
  // Sockets, FIFOs and devices do not belong in a backup folder: skipped.
}
