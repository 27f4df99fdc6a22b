/**
 * The hidden staging area inside the backup folder (`<folder>/.shoebox/staging`): one `.part` file
 * with the bytes received so far and one `.json` with the announcement, per unfinished upload.
 * Partial files survive restarts, so an announcement of the same upload resumes where it stopped.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ShoeboxError } from '../../../shared/protocol';
import { errnoCode, fsyncDir, writeFileAtomic } from '../../../shared/storage/index.nodejs';
import type { UploadSpec } from './upload-spec';

import { folderLayout } from '../util/folder-layout';

/** Maps file-system errors on the backup disk to protocol errors. */
export function storageError(error: unknown, doing: string): ShoeboxError {
  if (error instanceof ShoeboxError) return error;
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ShoeboxError(
      'DISK_FULL',
      `The backup disk is full while ${doing}: free some space, then the upload resumes.`,
      { cause: error },
    );
  }
  return new ShoeboxError(
    'STORAGE_ERROR',
    `Could not write to the backup folder while ${doing} (${code ?? String(error)}).`,
    { cause: error },
  );
}

/** One unfinished upload's bytes on disk, written strictly in order. */
export class PartialFile {
  /** Bytes in the file (written, maybe not yet fsynced). */
  held: number;
  /** Bytes known fsynced. */
  durable: number;
  private readonly hash: Hash;

  constructor(
    readonly key: string,
    readonly spec: UploadSpec,
    readonly path: string,
    private readonly handle: fs.FileHandle,
    held: number,
    hash: Hash,
  ) {
    this.held = held;
    this.durable = held;
    this.hash = hash;
  }

  /** Appends bytes that start exactly at `held`; on failure the file is cut back to what was held. */
  async append(offset: number, data: Uint8Array): Promise<void> {
    if (offset !== this.held) {
      throw new ShoeboxError(
        'BAD_OFFSET',
        `Chunk starts at byte ${offset} but the receiver holds ${this.held} bytes: send from ${this.held}.`,
        { offset: this.held },
      );
    }
    if (offset + data.byteLength > this.spec.size) {
      throw new ShoeboxError(
        'OUT_OF_RANGE',
        `Chunk ends at byte ${offset + data.byteLength}, past the announced size ${this.spec.size}.`,
      );
    }
    try {
      let written = 0;
      while (written < data.byteLength) {
        const { bytesWritten } = await this.handle.write(data, written, data.byteLength - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      await this.handle.truncate(this.held).catch(() => undefined);
      throw storageError(error, 'receiving a chunk');
    }
    this.hash.update(data);
    this.held += data.byteLength;
  }

  /** Fixes the size of an upload opened with an upper bound as its size: at least what is held, at most the bound. */
  setSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < this.held || size > this.spec.size) {
      throw new ShoeboxError(
        'OUT_OF_RANGE',
        `Size ${size} is below the ${this.held} bytes received or above the limit ${this.spec.size}.`,
      );
    }
    this.spec.size = size;
  }

  /** fsyncs what is held; returns the durable offset. */
  async sync(): Promise<number> {
    if (this.durable === this.held) return this.durable;
    const target = this.held;
    try {
      await this.handle.sync();
    } catch (error) {
      throw storageError(error, 'saving received bytes');
    }
    this.durable = target;
    return target;
  }

  /** The SHA-256 of every byte; only once the file is complete. Ends the running hash. */
  digestHex(): string {
    return this.hash.digest('hex');
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

export interface StagedUpload {
  key: string;
  spec: UploadSpec;
  bytes: number;
  modifiedAt: Date;
}

export class StagingArea {
  readonly dir: string;

  constructor(folder: string) {
    this.dir = folderLayout(folder).staging;
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  private partPath(key: string): string {
    return path.join(this.dir, `${key}.part`);
  }

  private metaPath(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** Opens the partial file of `key`, creating it or resuming what a previous connection or run left. */
  async open(key: string, spec: UploadSpec): Promise<PartialFile> {
    const partPath = this.partPath(key);
    let held = 0;
    let linked = false;
    try {
      const stat = await fs.stat(partPath);
      held = stat.size;
      // Also a stored file: the commit linked it into the library, then stopped before removing this name.
      linked = stat.nlink > 1;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw storageError(error, 'opening a partial upload');
    }
    let handle: fs.FileHandle | undefined;
    try {
      if (linked || held > spec.size) {
        // Never write into a stored file's bytes, nor keep bytes that cannot be this upload's: start over.
        await fs.rm(partPath, { force: true });
        held = 0;
      }
      const hasMeta = await fs.access(this.metaPath(key)).then(
        () => true,
        () => false,
      );
      if (held === 0 || !hasMeta)
        await writeFileAtomic(this.metaPath(key), JSON.stringify(spec), { durability: 'durable', mode: 0o600 });
      // stored photos get the user's usual permissions (umask)
      handle = await fs.open(partPath, held === 0 ? 'w' : 'r+', 0o666);
      const hash = createHash('sha256');
      if (held > 0) await hashPrefix(partPath, held, hash);
      return new PartialFile(key, spec, partPath, handle, held, hash);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw storageError(error, 'opening a partial upload');
    }
  }

  /** Bytes of `key`'s partial file on disk; null when the upload is not staged (never was, discarded or swept). */
  async bytesHeld(key: string): Promise<number | null> {
    const stat = await fs.stat(this.partPath(key)).catch(() => null);
    if (stat?.isFile()) return stat.size;
    return null;
  }

  /** Removes an upload's partial and announcement. */
  async discard(key: string): Promise<void> {
    await fs.rm(this.partPath(key), { force: true });
    await fs.rm(this.metaPath(key), { force: true });
    await fsyncDir(this.dir).catch(() => undefined);
  }

  /** Every unfinished upload on disk, for listings and cleanup. */
  async list(): Promise<StagedUpload[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const out: StagedUpload[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const key = name.slice(0, -'.json'.length);
      try {
        const spec = JSON.parse(await fs.readFile(this.metaPath(key), 'utf8')) as UploadSpec;
        const stat = await fs.stat(this.partPath(key)).catch(() => null);
        const metaStat = await fs.stat(this.metaPath(key));
        const modifiedAt = stat && stat.mtime > metaStat.mtime ? stat.mtime : metaStat.mtime;
        out.push({ key, spec, bytes: stat?.size ?? 0, modifiedAt });
      } catch {
        out.push({ key, spec: null as unknown as UploadSpec, bytes: 0, modifiedAt: new Date(0) });
      }
    }
    return out;
  }

  /**
   * Deletes partial uploads untouched for longer than maxAgeMs (and orphans); returns how many, and the
   * keys of the uploads still staged.
   */
  async removeStale(
    maxAgeMs: number,
    isActive: (key: string) => boolean,
    now = Date.now(),
  ): Promise<{ removed: number; kept: Set<string> }> {
    let removed = 0;
    const known = new Set<string>();
    const kept = new Set<string>();
    for (const staged of await this.list()) {
      known.add(staged.key);
      if (!isActive(staged.key) && (staged.spec === null || now - staged.modifiedAt.getTime() > maxAgeMs)) {
        await this.discard(staged.key);
        removed += 1;
      } else {
        kept.add(staged.key);
      }
    }
    for (const name of await fs.readdir(this.dir).catch(() => [] as string[])) {
      const key = name.replace(/\.(part|json|[0-9]+\.tmp)$/, '').replace(/\.json$/, '');
      if (known.has(key) || isActive(key)) continue;
      const stat = await fs.stat(path.join(this.dir, name)).catch(() => null);
      if (stat && now - stat.mtime.getTime() > maxAgeMs) {
        await fs.rm(path.join(this.dir, name), { force: true });
        removed += 1;
      }
    }
    return { removed, kept };
  }
}

async function hashPrefix(file: string, length: number, hash: Hash): Promise<void> {
  const stream = createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}
