/** Small helpers for durable file-system changes (fsync of files and directories). */
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** fsyncs a directory so a rename, link or unlink inside it survives a crash. No-op where unsupported (Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** mkdir -p below root, fsyncing each parent whose entries changed. */
export async function ensureDirDurable(root: string, relativeDir: string): Promise<string> {
  const parts = relativeDir.split(/[\\/]/).filter(Boolean);
  let current = root;
  for (const part of parts) {
    const next = path.join(current, part);
    try {
      await fs.mkdir(next);
      await fsyncDir(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    current = next;
  }
  return current;
}

/** Writes a small file atomically and durably: temp file, fsync, rename, fsync the directory. */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`; // two writers of one file never share a temp
  const handle = await fs.open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await fsyncDir(path.dirname(file));
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
