/**
 * Capture dates: from the photo's own EXIF, else the date the client sent, else the arrival time.
 * Dates are kept as the local wall-clock time written in the photo ("2019-08-21T10:57:23"), never
 * shifted by this computer's time zone; the UTC offset, when known, only sets the file's exact mtime.
 */
import exifr from 'exifr';

export interface CaptureDate {
  /** Local wall-clock time as written, 'YYYY-MM-DDTHH:mm:ss'. Chooses the folder. */
  local: string;
  /** '+02:00', 'Z' or null when the offset is unknown. */
  offset: string | null;
  source: 'exif' | 'client' | 'arrival';
}

const EXIF_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'heic',
  'heif',
  'hif',
  'avif',
  'png',
  'tif',
  'tiff',
  'dng',
  'webp',
  'cr2',
  'nef',
  'arw',
]);
const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isPlausible(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (year < 1826 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60)
    return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function fromParts(m: RegExpMatchArray): string | null {
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isPlausible(y, mo, d, h, mi, s)) return null;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(Math.min(s, 59))}`;
}

/** Reads DateTimeOriginal (else CreateDate) and its offset from a file's EXIF; null when absent or unreadable. */
export async function readExifCaptureDate(absPath: string, filenameHint = absPath): Promise<CaptureDate | null> {
  const ext = filenameHint.split('.').pop()?.toLowerCase() ?? '';
  if (!EXIF_EXTENSIONS.has(ext)) return null;
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(absPath, {
      pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTimeDigitized', 'OffsetTime'],
      reviveValues: false,
    })) as Record<string, unknown> | undefined;
  } catch {
    return null; // not an image exifr understands, or damaged metadata: fall back to other sources
  }
  if (!tags) return null;
  const pairs: Array<[unknown, unknown]> = [
    [tags.DateTimeOriginal, tags.OffsetTimeOriginal ?? tags.OffsetTime],
    [tags.CreateDate, tags.OffsetTimeDigitized ?? tags.OffsetTime],
  ];
  for (const [raw, rawOffset] of pairs) {
    if (typeof raw !== 'string') continue;
    const match = EXIF_DATE.exec(raw.trim());
    const local = match ? fromParts(match) : null;
    if (!local) continue;
    const offset = typeof rawOffset === 'string' && OFFSET.test(rawOffset.trim()) ? rawOffset.trim() : null;
    return { local, offset, source: 'exif' };
  }
  return null;
}

/** Parses the protocol's captureDate (ISO 8601, local time with optional offset); null when implausible. */
export function parseClientCaptureDate(value: string | undefined): CaptureDate | null {
  if (!value) return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const local = fromParts(match);
  return local ? { local, offset: match[7] ?? null, source: 'client' } : null;
}

/** The arrival time in this computer's local time. */
export function arrivalCaptureDate(now: Date = new Date()): CaptureDate {
  const local =
    `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}` +
    `T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return { local, offset: null, source: 'arrival' };
}

/** Chooses EXIF, else the client's date, else the arrival time. */
export async function resolveCaptureDate(
  absPath: string,
  filename: string,
  clientDate: string | undefined,
  now = new Date(),
): Promise<CaptureDate> {
  return (
    (await readExifCaptureDate(absPath, filename)) ?? parseClientCaptureDate(clientDate) ?? arrivalCaptureDate(now)
  );
}

/**
 * The instant to set as the file's modification time: exact when the offset is known, else the
 * wall-clock time read in this computer's zone (what a person browsing the folder expects to see).
 */
export function captureInstant(date: CaptureDate): Date {
  const [datePart, timePart] = date.local.split('T') as [string, string];
  const [y, mo, d] = datePart.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = timePart.split(':').map(Number) as [number, number, number];
  if (date.offset === null) return new Date(y, mo - 1, d, h, mi, s);
  if (date.offset === 'Z') return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const sign = date.offset.startsWith('-') ? -1 : 1;
  const [oh, om] = date.offset.slice(1).split(':').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - sign * (oh * 60 + om) * 60_000);
}

/** 'YYYY/YYYY-MM', the folder a capture date files into. */
export function dateFolder(date: CaptureDate): string {
  const year = date.local.slice(0, 4);
  return `${year}/${date.local.slice(0, 7)}`;
}
