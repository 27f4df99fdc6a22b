import { describe, expect, it } from 'vitest';
import { captureDateFromExif, exifDateToIso } from '../../../shared/simulator/exif-date';
import { mediaTypeOf } from '../../../shared/simulator/media-types';

describe('exifDateToIso', () => {
  it('turns EXIF local time into ISO, keeping the offset when recorded', () => {
    expect(exifDateToIso('2019:08:21 10:57:23')).toBe('2019-08-21T10:57:23');
    expect(exifDateToIso('2019:08:21 10:57:23', '+02:00')).toBe('2019-08-21T10:57:23+02:00');
    expect(exifDateToIso('2019:08:21 10:57:23', '-07:00')).toBe('2019-08-21T10:57:23-07:00');
    expect(exifDateToIso('2019:08:21 10:57:23.123', 'Z')).toBe('2019-08-21T10:57:23.123Z');
  });

  it('rejects empty, zero and impossible dates, and ignores malformed offsets', () => {
    expect(exifDateToIso('0000:00:00 00:00:00')).toBeUndefined();
    expect(exifDateToIso('    :  :     :  :  ')).toBeUndefined();
    expect(exifDateToIso('2019:02:30 10:00:00')).toBeUndefined();
    expect(exifDateToIso('2020:02:29 10:00:00')).toBe('2020-02-29T10:00:00');
    expect(exifDateToIso(new Date())).toBeUndefined();
    expect(exifDateToIso('2019:08:21 10:57:23', '+2')).toBe('2019-08-21T10:57:23');
  });

  it('prefers DateTimeOriginal with OffsetTimeOriginal, then CreateDate', () => {
    expect(
      captureDateFromExif({
        DateTimeOriginal: '2019:08:21 10:57:23',
        OffsetTimeOriginal: '+09:00',
        OffsetTime: '+01:00',
      }),
    ).toBe('2019-08-21T10:57:23+09:00');
    expect(captureDateFromExif({ DateTimeOriginal: '2019:08:21 10:57:23', OffsetTime: '+01:00' })).toBe(
      '2019-08-21T10:57:23+01:00',
    );
    expect(captureDateFromExif({ CreateDate: '2018:01:02 03:04:05' })).toBe('2018-01-02T03:04:05');
    expect(captureDateFromExif(undefined)).toBeUndefined();
  });
});

describe('mediaTypeOf', () => {
  it('knows photos and videos by extension, case-insensitively', () => {
    expect(mediaTypeOf('IMG_0001.HEIC')).toEqual({ kind: 'photo', contentType: 'image/heic' });
    expect(mediaTypeOf('a.JPeG')).toEqual({ kind: 'photo', contentType: 'image/jpeg' });
    expect(mediaTypeOf('clip.MOV')).toEqual({ kind: 'video', contentType: 'video/quicktime' });
    expect(mediaTypeOf('clip.3gp')).toEqual({ kind: 'video', contentType: 'video/3gpp' });
    expect(mediaTypeOf('notes.txt')).toBeUndefined();
    expect(mediaTypeOf('.heic')).toBeUndefined();
  });
});
