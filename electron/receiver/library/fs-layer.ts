/**
 * The few file operations the index files need, behind an interface so tests can count fsyncs or make
 * writes fail. The default is node:fs/promises. (Rebuild walks the folder with node:fs directly.)
 */
import { constants } from 'node:fs';
import fsp from 'node:fs/promises';

export interface IndexFileHandle {
  /** Appends every byte (the file is opened in append mode). */
  append(data: Uint8Array): Promise<void>;
  /** fdatasync: the data and the size are durable. */
  datasync(): Promise<void>;
  /** fsync: data and all metadata are durable. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface IndexFs {
  /** 'a' appends (creating the file), 'w' creates or truncates. */
  open(file: string, flags: 'a' | 'w'): Promise<IndexFileHandle>;
  /** Rejects with code ENOENT when the file does not exist. */
  readFile(file: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  /** fsync a directory so renames inside it survive a crash; a no-op where unsupported (Windows). */
  fsyncDir(dir: string): Promise<void>;
}

export const nodeIndexFs: IndexFs = {
  async open(file, flags) {
    const handle = await fsp.open(file, flags, 0o600);
    return {
      append: async (data) => {
        await handle.appendFile(data);
      },
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  readFile: (file) => fsp.readFile(file),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (file) => fsp.unlink(file),
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  async fsyncDir(dir) {
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
  },
};

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * Writes a file atomically and durably: temp file, fsync, rename over, fsync the directory. `onRenamed`
 * runs as soon as the new file is in place, even if the directory fsync then fails.
 */
export async function writeFileAtomic(fs: IndexFs, file: string, dir: string, data: Uint8Array, onRenamed: () => Promise<void> = async () => undefined): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await handle.append(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  try {
    await fs.fsyncDir(dir);
  } finally {
    await onRenamed();
  }
}
