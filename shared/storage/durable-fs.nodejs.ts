/**
 * The file-system primitives every durable write is built from (Node only, node: builtins only): the
 * errno of a failure, fsync of a directory, a durable `mkdir -p`, and the small file interface the
 * writers use, so a test can count fsyncs or make a write fail (`nodeDurableFs` is node:fs/promises).
 */
import { constants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The `code` of a Node file-system error (ENOENT, EEXIST, ...), undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** fsyncs a directory so a rename, link or unlink inside it survives a crash. No-op where unsupported (Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** mkdir -p below root, fsyncing each parent whose entries changed; returns the directory. */
export async function ensureDirDurable(root: string, relativeDir: string): Promise<string> {
  const parts = relativeDir.split(/[\\/]/).filter(Boolean);
  let current = root;
  for (const part of parts) {
    const next = path.join(current, part);
    try {
      await fsp.mkdir(next);
      await fsyncDir(current);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    current = next;
  }
  return current;
}

export interface DurableFileHandle {
  /** Appends every byte (for a file opened with 'a'; for 'w' and 'wx', writes at the end so far). */
  append(data: Uint8Array): Promise<void>;
  /** fdatasync: the data and the size are durable. */
  datasync(): Promise<void>;
  /** fsync: data and all metadata are durable. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Sets the mode exactly (the umask may have narrowed the one given to open). */
  chmod(mode: number): Promise<void>;
  close(): Promise<void>;
}

export interface DurableFs {
  /**
   * 'a' appends (creating the file), 'w' creates or truncates, 'wx' creates or fails with EEXIST. Mode 0600 unless
   * given.
   */
  open(file: string, flags: 'a' | 'w' | 'wx', mode?: number): Promise<DurableFileHandle>;
  /** Rejects with code ENOENT when the file does not exist. */
  readFile(file: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** mkdir -p (no fsync: see ensureDirDurable). */
  mkdir(dir: string): Promise<void>;
  /** fsync a directory so renames inside it survive a crash; a no-op where unsupported (Windows). */
  fsyncDir(dir: string): Promise<void>;
}

export const nodeDurableFs: DurableFs = {
  async open(file, flags, mode = 0o600) {
    const handle = await fsp.open(file, flags, mode);
    return {
      append: async (data) => {
        await handle.appendFile(data);
      },
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      chmod: (m) => handle.chmod(m),
      close: () => handle.close(),
    };
  },
  readFile: (file) => fsp.readFile(file),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (file) => fsp.unlink(file),
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  fsyncDir,
};
