/**
 * Rebuilding the index from the backup folder, which is the truth: every regular file outside dot
 * entries (so `.shoebox`, staging and hidden files are skipped) is hashed and described. Records
 * salvaged from damaged index files fill in what the folder cannot tell (asset id, device, resource
 * type) when the bytes and path still match.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describeError } from './errors';
import { errnoCode } from '../../../shared/storage/index.nodejs';
import { storedResourceSchema } from './schema';
import { LibraryState } from './state';
import type { LibraryIndexOptions, RebuildProgress, StoredResource } from './types';

export interface RebuildOptions {
  folder: string;
  describeFile: LibraryIndexOptions['describeFile'];
  concurrency: number;
  onProgress?: (p: RebuildProgress) => void;
  log: (message: string) => void;
  /** Records from damaged index files, by sha256. */
  hints?: ReadonlyMap<string, StoredResource>;
}

interface FoundFile {
  rel: string;
  abs: string;
  size: number;
}

const CONTENT_TYPES: Record<string, string> = {
  heic: 'image/heic',
  heif: 'image/heif',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  dng: 'image/x-adobe-dng',
  mov: 'video/quicktime',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  aae: 'application/xml',
};
const CAPTURE_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const PROGRESS_EVERY_MS = 250;

export function guessContentType(filename: string): string | null {
  return CONTENT_TYPES[path.extname(filename).slice(1).toLowerCase()] ?? null;
}

/** A Date as local wall-clock 'YYYY-MM-DDTHH:mm:ss' (the committer sets file times to the capture date). */
export function localDateTime(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** Regular files below folder, sorted by relative path, skipping dot entries and anything not a plain file. */
export async function walkFolder(folder: string, log: (message: string) => void): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const visit = async (relDir: string): Promise<void> => {
    const absDir = relDir ? path.join(folder, ...relDir.split('/')) : folder;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(absDir, { withFileTypes: true });
    } catch (error) {
      if (relDir === '' && errnoCode(error) === 'ENOENT') return;
      log(`library rebuild: cannot read folder ${relDir || '.'} (${describeError(error)}); skipped it.`);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await visit(rel);
      else if (entry.isFile()) {
        const abs = path.join(absDir, entry.name);
        const stat = await fsp.lstat(abs).catch(() => null);
        if (stat?.isFile()) found.push({ rel, abs, size: stat.size });
      }
    }
  };
  await visit('');
  found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return found;
}

export async function rebuildFromFolder(options: RebuildOptions): Promise<LibraryState> {
  const { folder, log } = options;
  const files = await walkFolder(folder, log);
  const progress: RebuildProgress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
  let lastReport = 0;
  const report = (force: boolean) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = now;
    try {
      options.onProgress({ ...progress });
    } catch (error) {
      log(`library rebuild: the progress callback threw (${describeError(error)}).`);
    }
  };
  report(true);

  const records: Array<StoredResource | null> = new Array<StoredResource | null>(files.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i] as FoundFile;
      try {
        records[i] = await describe(file, options, (n) => {
          progress.bytes += n;
          report(false);
        });
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') log(`library rebuild: skipped ${file.rel} (${describeError(error)}).`);
      }
      progress.files += 1;
      report(true);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, files.length)) }, worker));

  const state = new LibraryState();
  // Path order decides which copy of the same bytes is kept; storedAt order makes every add an append
  // (inserting into the middle 100,000 times would be quadratic).
  const kept: StoredResource[] = [];
  const firstPath = new Map<string, string>();
  for (const record of records) {
    if (!record) continue;
    const first = firstPath.get(record.sha256);
    if (first !== undefined) {
      log(`library rebuild: ${record.path} holds the same bytes as ${first}; only the first is indexed.`);
      continue;
    }
    firstPath.set(record.sha256, record.path);
    kept.push(record);
  }
  kept.sort((a, b) => (a.storedAt < b.storedAt ? -1 : a.storedAt > b.storedAt ? 1 : 0));
  for (const record of kept) {
    state.add(record);
  }
  log(`library rebuild: indexed ${state.size} files (${progress.bytes} bytes) from ${folder}.`);
  return state;
}

async function describe(
  file: FoundFile,
  options: RebuildOptions,
  onBytes: (n: number) => void,
): Promise<StoredResource> {
  const sha256 = await hashFile(file.abs, onBytes);
  const stat = await fsp.stat(file.abs);
  const hint = options.hints?.get(sha256);
  if (hint && hint.path === file.rel && hint.size === stat.size) return hint;
  let captureDate: string;
  try {
    captureDate = (await options.describeFile(file.abs)).captureDate;
    if (!CAPTURE_DATE.test(captureDate)) throw new Error(`describeFile answered ${JSON.stringify(captureDate)}`);
  } catch (error) {
    captureDate = localDateTime(stat.mtime);
    options.log(`library rebuild: no capture date for ${file.rel} (${describeError(error)}); used the file time.`);
  }
  const originalFilename = path.posix.basename(file.rel);
  const stored = stat.birthtimeMs > 0 ? stat.birthtime : stat.ctime;
  return storedResourceSchema.parse({
    sha256,
    size: stat.size,
    path: file.rel,
    assetId: null,
    resourceType: null,
    deviceId: null,
    originalFilename,
    contentType: guessContentType(originalFilename),
    captureDate,
    storedAt: stored.toISOString(),
  });
}

export async function hashFile(absPath: string, onBytes: (n: number) => void = () => undefined): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(absPath, { highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return hash.digest('hex');
}
