/**
 * Finds photos and videos under folders and groups them into assets the way the Photos library would:
 * a still and a .mov with the same stem in the same folder form one Live Photo (photo + pairedVideo).
 * Node only.
 */
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResourceType } from '../protocol/constants';
import { extensionOf, isLivePhotoVideo, mediaTypeOf, PHOTO_EXTENSIONS, stemOf, type MediaKind } from './media-types';

export interface MediaFile {
  /** Absolute path. */
  path: string;
  size: number;
  kind: MediaKind;
  contentType: string;
}

export interface PlannedResource extends MediaFile {
  assetId: string;
  resourceType: ResourceType;
}

/** Media files under the given folders (or files), recursively, skipping dot-files and dot-folders; sorted by path. */
export async function scanMediaFiles(roots: readonly string[]): Promise<MediaFile[]> {
  const found = new Map<string, MediaFile>();
  const visited = new Set<string>();
  const visit = async (entryPath: string, isRoot: boolean): Promise<void> => {
    const name = path.basename(entryPath);
    if (!isRoot && name.startsWith('.')) return;
    let info;
    try {
      info = await stat(entryPath);
    } catch (error) {
      if (isRoot) throw error;
      return; // a broken link or an unreadable entry inside a folder: skip it, like Photos would
    }
    if (info.isDirectory()) {
      const real = await realpath(entryPath);
      if (visited.has(real)) return; // symlink loops
      visited.add(real);
      const names = (await readdir(entryPath)).sort();
      for (const child of names) await visit(path.join(entryPath, child), false);
      return;
    }
    const media = mediaTypeOf(name);
    if (info.isFile() && media) found.set(entryPath, { path: entryPath, size: info.size, ...media });
  };
  for (const root of roots) await visit(path.resolve(root), true);
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A stable, UUID-shaped local identifier derived from a path, like iOS's "UUID/L0/001". */
export function assetIdForPath(filePath: string): string {
  const hex = createHash('sha256').update(path.resolve(filePath)).digest('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}/L0/001`;
}

/** Gives every file its asset id and resource type; a Live Photo's video follows its still. */
export function planResources(files: readonly MediaFile[]): PlannedResource[] {
  const groups = new Map<string, MediaFile[]>();
  for (const file of files) {
    const key = path.join(path.dirname(file.path), stemOf(path.basename(file.path)).toLowerCase());
    const group = groups.get(key);
    if (group) group.push(file);
    else groups.set(key, [file]);
  }
  const planned: PlannedResource[] = [];
  const pairedVideoOf = new Map<string, MediaFile>();
  const paired = new Set<string>();
  for (const group of groups.values()) {
    const stills = group
      .filter((f) => f.kind === 'photo')
      .sort((a, b) => photoRank(a) - photoRank(b) || (a.path < b.path ? -1 : 1));
    const movie = group.find((f) => isLivePhotoVideo(f.path));
    const still = stills[0];
    if (still && movie) {
      pairedVideoOf.set(still.path, movie);
      paired.add(movie.path);
    }
  }
  for (const file of files) {
    if (paired.has(file.path)) continue;
    const assetId = assetIdForPath(file.path);
    planned.push({ ...file, assetId, resourceType: file.kind === 'photo' ? 'photo' : 'video' });
    const movie = pairedVideoOf.get(file.path);
    if (movie) planned.push({ ...movie, assetId, resourceType: 'pairedVideo' });
  }
  return planned;
}

function photoRank(file: MediaFile): number {
  const rank = PHOTO_EXTENSIONS.indexOf(extensionOf(file.path));
  return rank < 0 ? PHOTO_EXTENSIONS.length : rank;
}
