/** Plain fixtures (no vitest import), shared by the tests and the crash child process. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { StoredResource } from '../../../electron/receiver/library/types';

export const fakeDescribe = async (absPath: string) => ({
  captureDate: `2019-08-21T10:57:${String(path.basename(absPath).length % 60).padStart(2, '0')}`,
});

export function sha(n: number | string): string {
  return createHash('sha256').update(String(n)).digest('hex');
}

const BASE = Date.UTC(2024, 0, 1);

export function resource(n: number, overrides: Partial<StoredResource> = {}): StoredResource {
  return {
    sha256: sha(n),
    size: 1000 + n,
    path: `2024/2024-01/IMG_${String(n).padStart(4, '0')}.HEIC`,
    assetId: `asset-${Math.floor(n / 2)}`,
    resourceType: n % 2 === 0 ? 'photo' : 'pairedVideo',
    deviceId: 'device-1',
    originalFilename: `IMG_${String(n).padStart(4, '0')}.HEIC`,
    contentType: 'image/heic',
    captureDate: '2024-01-01T12:00:00',
    storedAt: new Date(BASE + n * 1000).toISOString(),
    ...overrides,
  };
}

/**
 * An unfinished upload as index files written by older receivers held it (snapshot `uploads`, journal
 * `putUpload` lines), before the staging sidecar became its only record: such files must still open.
 */
export interface LegacyUpload {
  key: string;
  deviceId: string;
  assetId: string;
  resourceType: 'photo';
  filename: string;
  size: number;
  sha256: string;
  startedAt: string;
  updatedAt: string;
}

export function legacyUpload(key: string, overrides: Partial<LegacyUpload> = {}): LegacyUpload {
  return {
    key,
    deviceId: 'device-1',
    assetId: `asset-${key}`,
    resourceType: 'photo',
    filename: `${key}.HEIC`,
    size: 123,
    sha256: '',
    startedAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}
