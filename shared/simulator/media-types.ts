/** Photo and video file extensions the simulator uploads, and their content types. Node and browser. */

export type MediaKind = 'photo' | 'video';

interface MediaType {
  kind: MediaKind;
  contentType: string;
}

const PHOTO_TYPES: Record<string, string> = {
  heic: 'image/heic',
  heif: 'image/heif',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  avif: 'image/avif',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  dng: 'image/x-adobe-dng',
  raw: 'image/x-panasonic-raw',
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  nef: 'image/x-nikon-nef',
  arw: 'image/x-sony-arw',
  orf: 'image/x-olympus-orf',
  rw2: 'image/x-panasonic-rw2',
  raf: 'image/x-fuji-raf',
};

const VIDEO_TYPES: Record<string, string> = {
  mov: 'video/quicktime',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  '3gp': 'video/3gpp',
  '3g2': 'video/3gpp2',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
};

/** Photo extensions in the order a Live Photo's still is preferred when several share a stem. */
export const PHOTO_EXTENSIONS = Object.keys(PHOTO_TYPES);
export const VIDEO_EXTENSIONS = Object.keys(VIDEO_TYPES);

/** Lowercased extension without the dot ("" when none). */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot <= 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** The filename without its extension. */
export function stemOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot <= 0 ? filename : filename.slice(0, dot);
}

export function mediaTypeOf(filename: string): MediaType | undefined {
  const ext = extensionOf(filename);
  const photo = PHOTO_TYPES[ext];
  if (photo) return { kind: 'photo', contentType: photo };
  const video = VIDEO_TYPES[ext];
  if (video) return { kind: 'video', contentType: video };
  return undefined;
}

/** A Live Photo's motion part is a QuickTime movie next to the still. */
export function isLivePhotoVideo(filename: string): boolean {
  return extensionOf(filename) === 'mov';
}
