/**
 * Writing whole files (Node only, node: builtins only). Every writer of a small state file in Shoebox
 * goes through here, and says how much the write promises:
 *
 * - `'durable'`: temp file, fsync it, rename over the target, fsync the directory. Once the promise
 *   resolves the new content survives a crash or power cut (indexes, device registry, keys, upload records).
 * - `'atomic'`: temp file, rename over the target, no fsync. Readers see the old content or the new,
 *   never a mix, but a crash may lose the write (caches, the simulator's own state).
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, nodeDurableFs, type DurableFs } from './durable-fs.nodejs';

export type Durability = 'durable' | 'atomic';

/** A whole file's content; an async iterable is streamed chunk by chunk (a large snapshot). */
export type FileContent = string | Uint8Array | AsyncIterable<Uint8Array>;

export interface AtomicWriteOptions {
  durability: Durability;
  /** The file's mode, set exactly whatever the umask (default 0600: most state files hold secrets). */
  mode?: number;
  /**
   * The temporary file. By default one beside the target that no other writer shares
   * (`<file>.<pid>-<random>.tmp`), created exclusively. A fixed name (the library index's `<file>.tmp`,
   * swept when the index opens) is truncated if it is left over.
   */
  tempPath?: string;
  /** File operations (tests inject some to count fsyncs or fail writes); node:fs/promises by default. */
  fs?: DurableFs;
  /** Runs as soon as the new file is in place, even if the directory fsync then fails. */
  onRenamed?: () => Promise<void>;
}

/** The default temporary name for a write of `file`: beside it, unique per process and per write. */
export function uniqueTempPath(file: string): string {
  return `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Replaces `file` with `data` atomically: the target holds the old content or the new, never part of
 * either. With `durability: 'durable'` the new content is also on disk when the promise resolves. A
 * failure before the rename leaves the old file untouched and removes the temporary file.
 */
export async function writeFileAtomic(file: string, data: FileContent, options: AtomicWriteOptions): Promise<void> {
  const fs = options.fs ?? nodeDurableFs;
  const mode = options.mode ?? 0o600;
  const temp = options.tempPath ?? uniqueTempPath(file);
  const durable = options.durability === 'durable';
  const handle = await fs.open(temp, options.tempPath === undefined ? 'wx' : 'w', mode);
  try {
    await writeAll(handle.append.bind(handle), data);
    await handle.chmod(mode);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
  try {
    await handle.close();
    await fs.rename(temp, file);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
  try {
    if (durable) await fs.fsyncDir(path.dirname(file));
  } finally {
    await options.onRenamed?.();
  }
}

export type CreateDurability = 'durable' | 'unsynced';

/**
 * Creates `file` with `data`, failing with EEXIST if it exists (O_EXCL: of two creators exactly one
 * wins). `'durable'` fsyncs the file and its directory; `'unsynced'` does not (a lock file: one left by a
 * crash is taken over anyway). The content is written after the file appears, so a reader racing the
 * creator can see it empty. If writing fails, the file is removed again.
 */
export async function createFileExclusive(
  file: string,
  data: string | Uint8Array,
  options: { durability: CreateDurability; mode?: number },
): Promise<void> {
  const handle = await fsp.open(file, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (options.durability === 'durable') await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(file, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  if (options.durability === 'durable') await nodeDurableFs.fsyncDir(path.dirname(file));
}

/** The file's text, undefined when it does not exist (any other failure is thrown). */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAll(append: (data: Uint8Array) => Promise<void>, data: FileContent): Promise<void> {
  if (typeof data === 'string') return append(Buffer.from(data, 'utf8'));
  if (data instanceof Uint8Array) return append(data);
  for await (const chunk of data) await append(chunk);
}
