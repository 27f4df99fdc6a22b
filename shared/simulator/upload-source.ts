/**
 * What the simulated extension uploads: one asset resource, like a PHAssetResource the phone hands to an
 * upload job. Runs in Node and the browser (no `node:` imports).
 */
import type { ResourceType } from '../protocol/constants';

export interface UploadSource {
  /** The phone's asset identifier; a Live Photo's photo and pairedVideo share it. */
  readonly assetId: string;
  readonly resourceType: ResourceType;
  /** Original filename, as PHAssetResource.originalFilename. */
  readonly filename: string;
  readonly size: number;
  /** SHA-256 of the whole resource, 64 lowercase hex digits. */
  readonly sha256: string;
  readonly contentType?: string;
  /** ISO 8601 local date-time with the phone's UTC offset when known (see captureDateSchema). */
  readonly captureDate?: string;
  /** Reads up to `length` bytes at `offset`; must return exactly min(length, size - offset) bytes. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases whatever read() holds open (a file handle, say). Called once the upload is over. */
  close?(): Promise<void>;
}

/** The descriptive part of a source, without its reader: what events and results carry. */
export type SourceInfo = Pick<UploadSource, 'assetId' | 'resourceType' | 'filename' | 'size'>;

export function sourceInfo(source: SourceInfo): SourceInfo {
  return { assetId: source.assetId, resourceType: source.resourceType, filename: source.filename, size: source.size };
}
