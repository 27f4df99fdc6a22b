/**
 * Commit: verify, file by capture date, place without overwriting, set the file time, record in the
 * index. Only when every step is durable does a caller hear "committed".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ShoeboxError } from '../../../shared/protocol';
import type { LibraryIndex } from '../library/library-index';
import type { StoredResource } from '../library/types';
import { KeyedLock } from '../util/keyed-lock';
import { captureInstant, dateFolder, resolveCaptureDate } from './capture-date';
import { confine, splitName, toWirePath } from './file-naming';
import { ensureDirDurable } from '../../../shared/storage/index.nodejs';
import { placeFile } from './place-file';
import { storageError, type PartialFile, type StagingArea } from './staging-area';

export interface CommitResult {
  /** Relative to the backup folder, forward slashes. */
  path: string;
  sha256: string;
  size: number;
  duplicate: boolean;
  /** Local capture time used for filing, 'YYYY-MM-DDTHH:mm:ss'. */
  captureDate: string;
  assetId: string | null;
}

export function resultFromRecord(record: StoredResource, duplicate: boolean): CommitResult {
  return {
    path: record.path,
    sha256: record.sha256,
    size: record.size,
    duplicate,
    captureDate: record.captureDate,
    assetId: record.assetId,
  };
}

export class Committer {
  private readonly bySha = new KeyedLock();

  constructor(
    private readonly folder: string,
    private readonly index: LibraryIndex,
    private readonly staging: StagingArea,
  ) {}

  /** The stored copy of these bytes (of this size), if the library has one whose file is still in place. */
  async findStored(sha256: string, size: number): Promise<StoredResource | null> {
    const record = this.index.getBySha(sha256);
    if (!record) return null;
    const stat = await fs.stat(confine(this.folder, record.path)).catch(() => null);
    if (!stat?.isFile() || stat.size !== record.size) {
      await this.index.removeResource(sha256); // the file was deleted or replaced by hand: store it again
      return null;
    }
    // A caller's size that does not match is the caller's mistake (or an upper bound): never the record's.
    return record.size === size ? record : null;
  }

  /**
   * Verifies and commits a complete partial file; the staged bytes are gone afterwards either way but on
   * INCOMPLETE.
   */
  async commit(partial: PartialFile): Promise<CommitResult> {
    const { spec } = partial;
    await partial.sync();
    if (partial.held !== spec.size) {
      throw new ShoeboxError(
        'INCOMPLETE',
        `finish arrived after ${partial.held} of ${spec.size} bytes: send the rest from ${partial.held}.`,
        { offset: partial.held },
      );
    }
    const sha256 = partial.digestHex();
    await partial.close();
    if (spec.sha256 !== null && sha256 !== spec.sha256) {
      await this.staging.discard(partial.key);
      throw new ShoeboxError(
        'CHECKSUM_MISMATCH',
        `The ${spec.size} bytes received hash to ${sha256}, not the announced ${spec.sha256}; ` +
          `the partial upload was discarded: send the file again from 0.`,
        { offset: 0 },
      );
    }
    return this.bySha.run(sha256, async () => {
      const stored = await this.findStored(sha256, spec.size);
      if (stored) {
        await this.staging.discard(partial.key);
        return resultFromRecord(stored, true);
      }
      try {
        return await this.place(partial, sha256);
      } catch (error) {
        throw storageError(error, 'storing the finished file');
      }
    });
  }

  private async place(partial: PartialFile, sha256: string): Promise<CommitResult> {
    const { spec } = partial;
    const capture = await resolveCaptureDate(partial.path, spec.filename, spec.captureDate ?? undefined);
    const name = splitName(spec.filename);
    // A Live Photo's photo and pairedVideo (any resources of one asset) share a base name and folder.
    const sibling = this.index.getAssetResources(spec.assetId).find((r) => r.deviceId === spec.deviceId);
    const relativeDir = sibling ? path.posix.dirname(sibling.path) : dateFolder(capture);
    const stem = sibling ? splitName(path.posix.basename(sibling.path)).stem : name.stem;
    const when = captureInstant(capture);
    await fs.utimes(partial.path, when, when);
    const dir = await ensureDirDurable(this.folder, relativeDir);
    confine(this.folder, path.relative(this.folder, dir));
    const placed = await placeFile(this.folder, dir, stem, name.ext, partial.path, spec.size, sha256);
    const record: StoredResource = {
      sha256,
      size: spec.size,
      path: toWirePath(this.folder, placed.absolute),
      assetId: spec.assetId,
      resourceType: spec.resourceType,
      deviceId: spec.deviceId,
      originalFilename: spec.filename,
      contentType: spec.contentType,
      captureDate: capture.local,
      storedAt: new Date().toISOString(),
    };
    await this.index.addResource(record);
    await this.staging.discard(partial.key);
    return resultFromRecord(record, false);
  }
}
