/** The team's sample photos, read in place from ../shared/testdata/photos (never copied into the repo). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PHOTOS_DIR = path.resolve(REPO_ROOT, '../shared/testdata/photos');
export const HAVE_PHOTOS = existsSync(PHOTOS_DIR);
export const SKIP_PHOTOS_MESSAGE = `skipped: the sample photos folder ${PHOTOS_DIR} is absent`;

export function photo(name: string): string {
  return path.join(PHOTOS_DIR, name);
}

export function allPhotos(): string[] {
  return HAVE_PHOTOS
    ? readdirSync(PHOTOS_DIR)
        .filter((n) => !n.startsWith('.') && !n.endsWith('.md'))
        .sort()
    : [];
}
