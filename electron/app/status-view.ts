/** The banner the window shows about the backup disk. Pure. */
import type { Banner, FolderInfo } from '../../shared/app-api';

export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return bytes >= 1e3 ? `${Math.round(bytes / 1e3)} kB` : `${bytes} bytes`;
}

/**
 * A refused upload for lack of space wins; else the disk at or under the space Shoebox always leaves
 * free (every upload is refused then); else free space under the user's warning threshold.
 */
export function bannerFor(diskFull: Banner | null, folder: FolderInfo | null, reserveBytes: number): Banner | null {
  if (diskFull) return diskFull;
  if (!folder || folder.freeBytes === null) return null;
  if (folder.freeBytes <= reserveBytes) {
    const reserve = reserveBytes > 0 ? ` and Shoebox always leaves ${formatSize(reserveBytes)}` : '';
    return {
      kind: 'disk-full',
      message:
        `Only ${formatSize(folder.freeBytes)} free${reserve}: ` +
        `new photos are refused until you free some space or choose a folder on a larger disk.`,
    };
  }
  if (folder.lowSpace)
    return {
      kind: 'low-space',
      message: `Only ${formatSize(folder.freeBytes)} free on the backup disk: photos stop arriving when it is full.`,
    };
  return null;
}
