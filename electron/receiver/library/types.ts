/** Public types of the library index: what the backup folder holds, as the receiver remembers it. */
import type { ResourceType } from '../../../shared/protocol';
import type { DurableFs } from '../../../shared/storage/index.nodejs';

export interface StoredResource {
  /** Lowercase hex SHA-256 of the file's bytes; the primary key (the same bytes are stored once). */
  sha256: string;
  size: number;
  /** Relative to the backup folder, forward slashes, e.g. "2019/2019-08/IMG_0001.HEIC". */
  path: string;
  /** null when learnt by a rebuild from the folder. */
  assetId: string | null;
  resourceType: ResourceType | null;
  deviceId: string | null;
  originalFilename: string;
  contentType: string | null;
  /** 'YYYY-MM-DDTHH:mm:ss', local time as written in the photo. */
  captureDate: string;
  /** ISO 8601 UTC exactly as Date.prototype.toISOString writes it ('YYYY-MM-DDTHH:mm:ss.sssZ'). */
  storedAt: string;
}

export interface RebuildProgress {
  /** Files finished (hashed and described) so far. */
  files: number;
  totalFiles: number;
  /** Bytes hashed so far. */
  bytes: number;
  totalBytes: number;
}

export interface LibraryIndexOptions {
  /** The backup folder. The index lives in `<folder>/.shoebox/index/`. */
  folder: string;
  /** Capture date of a file found by a rebuild ('YYYY-MM-DDTHH:mm:ss', local time as written in the photo). */
  describeFile: (absPath: string) => Promise<{ captureDate: string }>;
  /** Write a snapshot after this many durable changes (default 5,000). */
  snapshotEveryChanges?: number;
  /**
   * Check every this many ms (default 30,000) whether a snapshot is due: it is written when there are
   * changes and the journal has grown to at least 1/16 of the last snapshot's size, so a slow trickle of
   * photos into a large library never rewrites the whole file per photo.
   */
  snapshotEveryMs?: number;
  /** Files hashed at once during a rebuild (default 4). */
  rebuildConcurrency?: number;
  onRebuildProgress?: (p: RebuildProgress) => void;
  log?: (message: string) => void;
  /** File-system layer for the index files (tests inject one to count fsyncs or fail writes). */
  fs?: DurableFs;
}

export interface LibraryTotals {
  resources: number;
  bytes: number;
  /** Distinct asset ids, plus one per resource without an asset id (learnt by a rebuild). */
  assets: number;
}
