/** An UploadSource over bytes in memory (browser demos, tests). Uses WebCrypto, present in Node 20 and browsers. */
import type { ResourceType } from '../protocol/constants';
import type { UploadSource } from './upload-source';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface MemorySourceInit {
  assetId: string;
  resourceType?: ResourceType;
  filename: string;
  bytes: Uint8Array;
  contentType?: string;
  captureDate?: string;
  /** Announce this digest instead of the real one (to provoke CHECKSUM_MISMATCH in tests). */
  sha256?: string;
}

export async function memorySource(init: MemorySourceInit): Promise<UploadSource> {
  const { bytes } = init;
  const sha256 = init.sha256 ?? (await sha256Hex(bytes));
  return {
    assetId: init.assetId,
    resourceType: init.resourceType ?? 'photo',
    filename: init.filename,
    size: bytes.byteLength,
    sha256,
    ...(init.contentType === undefined ? {} : { contentType: init.contentType }),
    ...(init.captureDate === undefined ? {} : { captureDate: init.captureDate }),
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)),
  };
}
