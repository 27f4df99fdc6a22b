import { createHash } from 'node:crypto';
import type { ResourceType } from '../../../shared/protocol';

/** What a client declares about one upload, after validation, whatever the transport. */
export interface UploadSpec {
  deviceId: string;
  assetId: string;
  resourceType: ResourceType;
  /** Already validated by validateFilename. */
  filename: string;
  size: number;
  /** Lowercase hex when the client announced it; null when only known at the end (some HTTP uploads). */
  sha256: string | null;
  contentType: string | null;
  captureDate: string | null;
}

/** The staging key of an upload: the same announcement from the same device resumes the same partial file. */
export function uploadKey(spec: Pick<UploadSpec, 'deviceId' | 'assetId' | 'resourceType' | 'size' | 'sha256'>): string {
  return createHash('sha256')
    .update([spec.deviceId, spec.assetId, spec.resourceType, String(spec.size), spec.sha256 ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 40);
}
