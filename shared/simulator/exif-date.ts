/**
 * Capture dates as the phone knows them. EXIF stores local wall-clock time ("2019:08:21 10:57:23") and,
 * since EXIF 2.31, the UTC offset in a separate tag ("+02:00"). The protocol wants ISO 8601 local time
 * with that offset when known. Nothing here looks at the computer's time zone.
 */
import { captureDateSchema } from '../protocol/ws-messages';

const EXIF_DATE = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;
const OFFSET = /^(Z|[+-]\d{2}:\d{2})$/;

/** "YYYY:MM:DD HH:MM:SS" (+ optional offset) -> "YYYY-MM-DDTHH:MM:SS[+HH:MM]", or undefined when unusable. */
export function exifDateToIso(raw: unknown, offset?: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = EXIF_DATE.exec(raw.trim().replace(/\0+$/, ''));
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = ''] = match as unknown as string[];
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  const zone = typeof offset === 'string' && OFFSET.test(offset.trim()) ? offset.trim() : '';
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone}`;
  return captureDateSchema.safeParse(iso).success ? iso : undefined;
}

/** The raw EXIF tags exifr returns with `reviveValues: false`. */
export interface ExifDateTags {
  DateTimeOriginal?: unknown;
  CreateDate?: unknown;
  OffsetTimeOriginal?: unknown;
  OffsetTimeDigitized?: unknown;
  OffsetTime?: unknown;
}

/** DateTimeOriginal (else CreateDate), with its matching offset tag, else the general one. */
export function captureDateFromExif(tags: ExifDateTags | undefined | null): string | undefined {
  if (!tags) return undefined;
  return (
    exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal ?? tags.OffsetTime) ??
    exifDateToIso(tags.CreateDate, tags.OffsetTimeDigitized ?? tags.OffsetTime)
  );
}

function daysInMonth(year: number, month: number): number {
  return (
    [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
      month - 1
    ] ?? 0
  );
}
