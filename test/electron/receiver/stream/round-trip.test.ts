import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalCaptureDate } from '../../../../electron/receiver/ingest/capture-date';
import { HAVE_PHOTOS, SKIP_PHOTOS_MESSAGE, allPhotos, photo } from '../../../helpers/photos';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';

/** Every file under the backup folder, hidden staging excluded. */
async function visibleFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(folder, full).split(path.sep).join('/'));
    }
  };
  await walk(folder);
  return out.sort();
}

describe('storing uploads', () => {
  let fx: Fixture;
  let client: RawClient;
  let nextId = 1;

  beforeAll(async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    client = await RawClient.authed(fx.wsUrl, token);
  });
  afterAll(async () => {
    client.close();
    await fx.dispose();
  });

  describe.skipIf(!HAVE_PHOTOS)(`the sample photos (${HAVE_PHOTOS ? 'present' : SKIP_PHOTOS_MESSAGE})`, () => {
    it('stores every sample photo byte-identical, filed by its EXIF capture date', async () => {
      const expected: Record<string, string> = {
        'heic-iphone.heic': '2019/2019-08/heic-iphone.heic',
        'img_1771.jpg': '2003/2003-12/img_1771.jpg',
        'IMG_20180725_163423.jpg': '2018/2018-07/IMG_20180725_163423.jpg',
        'canon-dslr.jpg': '2019/2019-10/canon-dslr.jpg',
        'Irvine_CA.avif': '2010/2010-05/Irvine_CA.avif',
      };
      for (const name of allPhotos()) {
        const bytes = await fs.readFile(photo(name));
        const answer = await client.upload(nextId++, bytes, { filename: name, chunkSize: 64 * 1024 });
        expect(answer, name).toMatchObject({
          type: 'committed',
          duplicate: false,
          sha256: sha256Hex(bytes),
          size: bytes.byteLength,
        });
        if (answer.type !== 'committed') continue;
        if (expected[name]) expect(answer.path).toBe(expected[name]);
        const stored = await fs.readFile(path.join(fx.folder, answer.path));
        expect(sha256Hex(stored), `${name} is byte-identical`).toBe(sha256Hex(bytes));
      }
      expect(fx.receiver.library.totals().resources).toBe(allPhotos().length);
    });

    it('sets the file time to the capture time, read in the photo’s own local time', async () => {
      const stat = await fs.stat(path.join(fx.folder, '2019/2019-08/heic-iphone.heic'));
      const expected = new Date(2019, 7, 21, 10, 57, 23);
      expect(stat.mtime.getTime()).toBe(expected.getTime());
    });

    it('answers the same bytes under another name as a duplicate, with no second copy', async () => {
      const before = await visibleFiles(fx.folder);
      const bytes = await fs.readFile(photo('img_1771.jpg'));
      const answer = await client.upload(nextId++, bytes, { filename: 'copy of img_1771.jpg' });
      expect(answer).toMatchObject({ type: 'committed', duplicate: true, path: '2003/2003-12/img_1771.jpg' });
      expect(await visibleFiles(fx.folder)).toEqual(before);
    });
  });

  it('files a photo without EXIF by the client’s date, else by the arrival date', async () => {
    const withDate = await client.upload(nextId++, Buffer.from('no exif here, client date'), {
      filename: 'note.jpg',
      captureDate: '2021-03-04T05:06:07+01:00',
    });
    expect(withDate).toMatchObject({
      type: 'committed',
      path: '2021/2021-03/note.jpg',
      captureDate: '2021-03-04T05:06:07',
    });
    const mtime = (await fs.stat(path.join(fx.folder, '2021/2021-03/note.jpg'))).mtime;
    expect(mtime.toISOString()).toBe('2021-03-04T04:06:07.000Z');

    const arrival = arrivalCaptureDate();
    const noDate = await client.upload(nextId++, Buffer.from('no exif, no client date'), { filename: 'undated.jpg' });
    expect(noDate).toMatchObject({
      type: 'committed',
      path: `${arrival.local.slice(0, 4)}/${arrival.local.slice(0, 7)}/undated.jpg`,
    });
  });

  it('gives a name clash a suffix and never overwrites', async () => {
    const first = await client.upload(nextId++, Buffer.from('first'), {
      filename: 'IMG_0420.JPG',
      captureDate: '2020-04-20T10:00:00',
    });
    const second = await client.upload(nextId++, Buffer.from('second'), {
      filename: 'IMG_0420.JPG',
      captureDate: '2020-04-21T10:00:00',
    });
    const third = await client.upload(nextId++, Buffer.from('third'), {
      filename: 'IMG_0420.JPG',
      captureDate: '2020-04-22T10:00:00',
    });
    expect([first, second, third].map((a) => (a.type === 'committed' ? a.path : a.type))).toEqual([
      '2020/2020-04/IMG_0420.JPG',
      '2020/2020-04/IMG_0420 (1).JPG',
      '2020/2020-04/IMG_0420 (2).JPG',
    ]);
    expect(await fs.readFile(path.join(fx.folder, '2020/2020-04/IMG_0420.JPG'), 'utf8')).toBe('first');
  });

  it('keeps a Live Photo’s photo and paired video side by side under one base name', async () => {
    // Another asset already took the name IMG_7000.HEIC this month.
    await client.upload(nextId++, Buffer.from('someone else'), {
      filename: 'IMG_7000.HEIC',
      captureDate: '2022-07-01T08:00:00',
      assetId: 'OTHER/L0/001',
    });
    const asset = 'LIVE-PHOTO-ASSET/L0/001';
    const still = await client.upload(nextId++, Buffer.from('the still'), {
      filename: 'IMG_7000.HEIC',
      captureDate: '2022-07-02T08:00:00',
      assetId: asset,
      resourceType: 'photo',
    });
    const video = await client.upload(nextId++, Buffer.from('the motion'), {
      filename: 'IMG_7000.MOV',
      captureDate: '2022-07-02T08:00:00',
      assetId: asset,
      resourceType: 'pairedVideo',
    });
    expect(still).toMatchObject({ type: 'committed', path: '2022/2022-07/IMG_7000 (1).HEIC' });
    expect(video).toMatchObject({ type: 'committed', path: '2022/2022-07/IMG_7000 (1).MOV' });
  });

  it('shows nothing half-written: only finished files are visible, staging is hidden', async () => {
    client.json({
      type: 'announce',
      uploadId: 9999,
      assetId: 'PARTIAL/L0/001',
      resourceType: 'photo',
      filename: 'partial.jpg',
      size: 100,
      sha256: sha256Hex(Buffer.alloc(100)),
    });
    await client.next((m) => m.type === 'ready' && m.uploadId === 9999);
    client.chunk(9999, 0, Buffer.alloc(50));
    await client.next((m) => m.type === 'ack' && m.uploadId === 9999);
    const files = await visibleFiles(fx.folder);
    expect(files.some((f) => f.includes('partial'))).toBe(false);
    const staged = await fs.readdir(path.join(fx.folder, '.shoebox', 'staging'));
    expect(staged.some((f) => f.endsWith('.part'))).toBe(true);
  });
});

describe('a file deleted from the backup folder by hand', () => {
  it('is forgotten at the next start (a pruned event) and stored again when the phone sends it', async () => {
    const fx = await startFixture();
    try {
      const { token } = await fx.pair();
      let client = await RawClient.authed(fx.wsUrl, token);
      const kept = await client.upload(1, Buffer.from('kept'), {
        filename: 'kept.jpg',
        captureDate: '2020-01-01T10:00:00',
      });
      const lost = await client.upload(2, Buffer.from('deleted by hand'), {
        filename: 'lost.jpg',
        captureDate: '2020-01-01T11:00:00',
      });
      client.close();
      if (kept.type !== 'committed' || lost.type !== 'committed') throw new Error('upload failed');
      await fx.receiver.close();
      await fs.rm(path.join(fx.folder, lost.path));

      const receiver = await fx.restart();
      const events: string[][] = [];
      receiver.events.on('pruned', (removed) => events.push(removed.map((r) => r.path)));
      expect((await receiver.folderCheck).map((r) => r.path)).toEqual([lost.path]);
      expect(events).toEqual([[lost.path]]);
      expect(receiver.library.getByPath(lost.path)).toBeUndefined();
      expect(receiver.library.getByPath(kept.path)).toBeDefined();
      client = await RawClient.authed(fx.wsUrl, token);
      expect(
        await client.upload(3, Buffer.from('deleted by hand'), {
          filename: 'lost.jpg',
          captureDate: '2020-01-01T11:00:00',
        }),
      ).toMatchObject({ type: 'committed', duplicate: false, path: lost.path });
      client.close();
    } finally {
      await fx.dispose();
    }
  });
});
