/**
 * Upload sources backed by files: SHA-256 computed by streaming, capture date from EXIF as the phone
 * knows it (no mtime fallback, no time-zone shift), bytes read from a file handle. Node only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import { captureDateFromExif, type ExifDateTags } from './exif-date';
import type { SourceEntry } from './upload-all';
import type { UploadSource } from './upload-source';
import { planResources, scanMediaFiles, type PlannedResource } from './scan-media.nodejs';

export interface FileUploadSource extends UploadSource {
  readonly path: string;
  close(): Promise<void>;
}

export interface FileSourceEntry extends SourceEntry {
  readonly planned: PlannedResource;
  open(): Promise<FileUploadSource>;
}

export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const EXIF_DATE_TAGS = ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTimeDigitized', 'OffsetTime'];

/** The EXIF capture date as ISO local time with the offset when recorded; undefined when the file has none. */
export async function readCaptureDate(filePath: string): Promise<string | undefined> {
  try {
    const tags = (await exifr.parse(filePath, { pick: EXIF_DATE_TAGS, reviveValues: false })) as
      ExifDateTags | undefined;
    return captureDateFromExif(tags);
  } catch {
    return undefined; // not a format exifr reads, or broken metadata: the phone would know no date either
  }
}

/** Hashes the file, reads its capture date, and returns a source that reads from a file handle. */
export async function openFileSource(planned: PlannedResource): Promise<FileUploadSource> {
  const [info, sha256, captureDate] = await Promise.all([
    stat(planned.path),
    sha256File(planned.path),
    planned.kind === 'photo' ? readCaptureDate(planned.path) : Promise.resolve(undefined),
  ]);
  let handle: Promise<FileHandle> | undefined;
  return {
    path: planned.path,
    assetId: planned.assetId,
    resourceType: planned.resourceType,
    filename: path.basename(planned.path),
    size: info.size,
    sha256,
    contentType: planned.contentType,
    ...(captureDate === undefined ? {} : { captureDate }),
    async read(offset, length) {
      handle ??= open(planned.path, 'r');
      const file = await handle;
      const buffer = new Uint8Array(Math.max(0, Math.min(length, info.size - offset)));
      let filled = 0;
      while (filled < buffer.byteLength) {
        const { bytesRead } = await file.read(buffer, filled, buffer.byteLength - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === buffer.byteLength ? buffer : buffer.subarray(0, filled);
    },
    async close() {
      const pending = handle;
      handle = undefined;
      if (pending) await (await pending).close();
    },
  };
}

/** Scans folders and returns one lazily opened entry per resource, Live Photos paired. */
export async function findFileSources(roots: readonly string[]): Promise<FileSourceEntry[]> {
  const planned = planResources(await scanMediaFiles(roots));
  return planned.map((resource) => ({
    planned: resource,
    info: {
      assetId: resource.assetId,
      resourceType: resource.resourceType,
      filename: path.basename(resource.path),
      size: resource.size,
    },
    open: () => openFileSource(resource),
  }));
}

/**
 * findFileSources for a command line: the entries, or null after writing why the folders could not be
 * read to `stderr` (a usage error: exit code 2).
 */
export async function findFileSourcesOrExplain(
  roots: readonly string[],
  stderr: { write(text: string): unknown },
): Promise<FileSourceEntry[] | null> {
  try {
    return await findFileSources(roots);
  } catch (error) {
    stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    return null;
  }
}
