import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  arrivalCaptureDate,
  captureInstant,
  dateFolder,
  parseClientCaptureDate,
  readExifCaptureDate,
} from '../../../../electron/receiver/ingest/capture-date';
import { PHOTOS_DIR, photo } from '../../../helpers/photos';

describe('client capture dates', () => {
  it('keeps the local time as written, whatever the offset', () => {
    expect(parseClientCaptureDate('2019-08-21T23:30:00-07:00')).toEqual({
      local: '2019-08-21T23:30:00',
      offset: '-07:00',
      source: 'client',
    });
    expect(parseClientCaptureDate('2019-12-31T23:59:59.123Z')?.local).toBe('2019-12-31T23:59:59');
    expect(parseClientCaptureDate('2019-02-30T10:00:00')).toBeNull();
    expect(parseClientCaptureDate('yesterday')).toBeNull();
  });

  it('files by the local date and sets the exact instant when the offset is known', () => {
    const date = parseClientCaptureDate('2019-08-21T23:30:00-07:00');
    expect(date).not.toBeNull();
    expect(dateFolder(date!)).toBe('2019/2019-08');
    expect(captureInstant(date!).toISOString()).toBe('2019-08-22T06:30:00.000Z');
  });

  it('reads the arrival time in local time', () => {
    const now = new Date(2024, 0, 2, 3, 4, 5);
    expect(arrivalCaptureDate(now).local).toBe('2024-01-02T03:04:05');
    expect(captureInstant(arrivalCaptureDate(now)).getTime()).toBe(now.getTime());
  });
});

describe.skipIf(!existsSync(PHOTOS_DIR))(
  'EXIF capture dates of the sample photos (skipped: ../shared/testdata/photos is absent)',
  () => {
    it.each([
      ['heic-iphone.heic', '2019-08-21T10:57:23'],
      ['img_1771.jpg', '2003-12-14T12:01:44'],
      ['IMG_20180725_163423.jpg', '2018-07-25T16:34:23'],
      ['Irvine_CA.avif', '2010-05-11T10:51:45'],
      ['broken1.jpg', '2007-08-15T10:13:13'],
    ])('%s was taken %s', async (name, local) => {
      expect((await readExifCaptureDate(photo(name)))?.local).toBe(local);
    });

    it.each(['noexif.jpg', 'heic-single.heic', 'f1t.jpg'])('%s has no capture date', async (name) => {
      expect(await readExifCaptureDate(photo(name))).toBeNull();
    });
  },
);
