import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findFileSources,
  openFileSource,
  readCaptureDate,
  sha256File,
} from '../../../shared/simulator/file-sources.nodejs';
import { assetIdForPath, planResources, scanMediaFiles } from '../../../shared/simulator/scan-media.nodejs';

const PHOTOS = fileURLToPath(new URL('../../../../shared/testdata/photos/', import.meta.url));
const havePhotos = existsSync(path.join(PHOTOS, 'heic-iphone.heic'));
if (!havePhotos) console.warn(`skipping real-photo tests: ${PHOTOS} is absent (see shared/testdata/photos/README)`);

describe.skipIf(!havePhotos)('file sources over the real sample photos', () => {
  it('reads capture dates as the phone knows them', async () => {
    expect(await readCaptureDate(path.join(PHOTOS, 'heic-iphone.heic'))).toBe('2019-08-21T10:57:23');
    expect(await readCaptureDate(path.join(PHOTOS, 'img_1771.jpg'))).toBe('2003-12-14T12:01:44');
    expect(await readCaptureDate(path.join(PHOTOS, 'noexif.jpg'))).toBeUndefined();
  });

  it('does not depend on the computer time zone', async () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati';
      expect(await readCaptureDate(path.join(PHOTOS, 'heic-iphone.heic'))).toBe('2019-08-21T10:57:23');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('hashes by streaming, matching a one-shot digest, and reads byte ranges', async () => {
    const file = path.join(PHOTOS, 'heic-iphone.heic');
    const whole = readFileSync(file);
    const expected = createHash('sha256').update(whole).digest('hex');
    expect(await sha256File(file)).toBe(expected);
    const [planned] = planResources(await scanMediaFiles([file]));
    const source = await openFileSource(planned!);
    try {
      expect(source).toMatchObject({
        sha256: expected,
        size: whole.length,
        filename: 'heic-iphone.heic',
        contentType: 'image/heic',
        resourceType: 'photo',
        captureDate: '2019-08-21T10:57:23',
      });
      expect(Buffer.from(await source.read(1000, 5000))).toEqual(whole.subarray(1000, 6000));
      expect((await source.read(whole.length - 10, 100)).byteLength).toBe(10);
    } finally {
      await source.close();
    }
  });

  it('finds every sample, omitting captureDate where there is no EXIF date', async () => {
    const entries = await findFileSources([PHOTOS]);
    const names = entries.map((e) => e.info.filename);
    expect(names).toContain('heic-iphone.heic');
    expect(names).not.toContain('README.md');
    const noexif = await entries.find((e) => e.info.filename === 'noexif.jpg')!.open();
    expect('captureDate' in noexif).toBe(false);
    await noexif.close();
  });
});

describe('scanning and Live Photo pairing', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shoebox-sim-'));
    await mkdir(path.join(dir, 'sub'));
    await mkdir(path.join(dir, '.hidden'));
    await writeFile(path.join(dir, 'IMG_0001.JPG'), 'still bytes');
    await writeFile(path.join(dir, 'IMG_0001.MOV'), 'fake quicktime movie');
    await writeFile(path.join(dir, 'IMG_0002.MOV'), 'a plain video');
    await writeFile(path.join(dir, 'sub', 'IMG_0001.mov'), 'other folder, not paired');
    await writeFile(path.join(dir, 'sub', 'clip.mp4'), 'mp4');
    await writeFile(path.join(dir, '.DS_Store'), 'x');
    await writeFile(path.join(dir, '._IMG_0001.JPG'), 'x');
    await writeFile(path.join(dir, '.hidden', 'secret.jpg'), 'x');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    if (havePhotos) await symlink(path.join(PHOTOS, 'heic-iphone.heic'), path.join(dir, 'sub', 'LIVE.HEIC'));
    await writeFile(path.join(dir, 'sub', 'LIVE.mov'), 'motion');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('skips dot-files and dot-folders and non-media files', async () => {
    const files = await scanMediaFiles([dir]);
    const relative = files.map((f) => path.relative(dir, f.path));
    expect(relative).not.toContain('.DS_Store');
    expect(relative.some((r) => r.includes('hidden') || r.includes('._') || r.endsWith('.txt'))).toBe(false);
    expect(relative).toContain(path.join('sub', 'clip.mp4'));
  });

  it('pairs a still and a .mov with the same stem in the same folder', async () => {
    const entries = await findFileSources([dir]);
    const byName = (rel: string) => entries.find((e) => path.relative(dir, e.planned.path) === rel)!;
    const still = byName('IMG_0001.JPG');
    const motion = byName('IMG_0001.MOV');
    expect(still.info.resourceType).toBe('photo');
    expect(motion.info.resourceType).toBe('pairedVideo');
    expect(motion.info.assetId).toBe(still.info.assetId);
    expect(entries.indexOf(motion)).toBe(entries.indexOf(still) + 1);
    expect(byName('IMG_0002.MOV').info.resourceType).toBe('video');
    const lone = byName(path.join('sub', 'IMG_0001.mov'));
    expect(lone.info.resourceType).toBe('video');
    expect(lone.info.assetId).not.toBe(still.info.assetId);
    expect(still.info.assetId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\/L0\/001$/);
    expect(still.info.assetId).toBe(assetIdForPath(path.join(dir, 'IMG_0001.JPG')));
    const video = await motion.open();
    expect(video).toMatchObject({ contentType: 'video/quicktime', size: 20, filename: 'IMG_0001.MOV' });
    expect('captureDate' in video).toBe(false);
    await video.close();
  });

  it.skipIf(!havePhotos)('a real HEIC and its fake .mov form a Live Photo', async () => {
    const entries = await findFileSources([path.join(dir, 'sub')]);
    const photo = entries.find((e) => e.info.filename === 'LIVE.HEIC')!;
    const movie = entries.find((e) => e.info.filename === 'LIVE.mov')!;
    expect([photo.info.resourceType, movie.info.resourceType]).toEqual(['photo', 'pairedVideo']);
    expect(movie.info.assetId).toBe(photo.info.assetId);
    const opened = await photo.open();
    expect(opened.captureDate).toBe('2019-08-21T10:57:23');
    await opened.close();
  });
});
