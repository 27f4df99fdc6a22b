/** The library as the window sees it: arrivals pages and per-device counts, from the library index. */
import type { Arrival, ArrivalsPage, DeviceInfo } from '../../shared/app-api';
import type { DeviceSummary } from '../receiver/pairing/device-registry';
import type { StoredResource } from '../receiver/library/library-index';
import type { LibraryReader } from '../receiver/receiver';
import { sourceKind } from './thumbnails';

export function toArrival(resource: StoredResource, deviceName: (id: string) => string | null): Arrival {
  const kind = sourceKind(resource.path, resource.contentType);
  return {
    sha256: resource.sha256,
    path: resource.path,
    filename: resource.path.split('/').pop() ?? resource.originalFilename,
    size: resource.size,
    kind: kind === 'heic' || kind === 'image' ? 'photo' : kind === 'video' ? 'video' : 'other',
    captureDate: resource.captureDate,
    storedAt: resource.storedAt,
    deviceName: resource.deviceId ? deviceName(resource.deviceId) : null,
  };
}

export function arrivalsPage(
  index: LibraryReader,
  offset: number,
  limit: number,
  deviceName: (id: string) => string | null,
): ArrivalsPage {
  const total = index.totals().resources;
  return { offset, total, items: index.listResources({ offset, limit }).map((r) => toArrival(r, deviceName)) };
}

/** Files and bytes received per device, counted once from the index and kept up to date on commits. */
export class DeviceCounts {
  private readonly counts = new Map<string, { photos: number; bytes: number }>();

  static fromIndex(index: LibraryReader, pageSize = 5_000): DeviceCounts {
    const counts = new DeviceCounts();
    for (let offset = 0; ; offset += pageSize) {
      const page = index.listResources({ offset, limit: pageSize });
      for (const r of page) if (r.deviceId) counts.add(r.deviceId, r.size);
      if (page.length < pageSize) break;
    }
    return counts;
  }

  add(deviceId: string, bytes: number): void {
    const entry = this.counts.get(deviceId) ?? { photos: 0, bytes: 0 };
    entry.photos += 1;
    entry.bytes += bytes;
    this.counts.set(deviceId, entry);
  }

  get(deviceId: string): { photos: number; bytes: number } {
    return this.counts.get(deviceId) ?? { photos: 0, bytes: 0 };
  }
}

/** The Devices view's rows: paired first (most recently seen first), then revoked. */
export function deviceInfos(
  devices: DeviceSummary[],
  counts: DeviceCounts,
  uploading: (id: string) => boolean,
): DeviceInfo[] {
  return devices
    .map((d) => ({
      id: d.id,
      name: d.name,
      pairedAt: d.pairedAt,
      lastSeenAt: d.lastSeenAt,
      revokedAt: d.revokedAt,
      ...counts.get(d.id),
      uploading: uploading(d.id),
    }))
    .sort(
      (a, b) =>
        Number(a.revokedAt !== null) - Number(b.revokedAt !== null) ||
        (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? ''),
    );
}
