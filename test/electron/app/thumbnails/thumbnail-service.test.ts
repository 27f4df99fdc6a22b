/**
 * Thumbnails for every sample photo (HEIC through the wasm decoder and its embedded thumbnail),
 * EXIF orientation, videos through ffmpeg or a placeholder, and a queue where the window's requests
 * go before background work.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeicDecoder, ThumbnailService } from '../../../../electron/app/thumbnails';
import { ThumbnailQueue } from '../../../../electron/app/thumbnails/thumbnail-queue';
import type { StoredResource } from '../../../../electron/receiver/library/types';
import { HAVE_PHOTOS, PHOTOS_DIR, SKIP_PHOTOS_MESSAGE, allPhotos } from '../../../helpers/photos';
import { makeTempDir } from '../../../helpers/receiver-fixture';

const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0;

/** A fake library index over files in `folder`. */
async function indexOf(folder: string, names: string[]): Promise<Map<string, StoredResource>> {
  const map = new Map<string, StoredResource>();
  for (const name of names) {
    const sha256 = createHash('sha256')
      .update(await fs.readFile(path.join(folder, name)))
      .digest('hex');
    map.set(sha256, {
      sha256,
      path: name,
      size: 0,
      assetId: null,
      resourceType: null,
      deviceId: null,
      originalFilename: name,
      contentType: null,
      captureDate: '2020-01-01T00:00:00',
      storedAt: new Date().toISOString(),
    });
  }
  return map;
}

describe.skipIf(!HAVE_PHOTOS)(
  `thumbnails of the sample photos (${HAVE_PHOTOS ? 'found' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    let root: string;
    let service: ThumbnailService;
    let index: Map<string, StoredResource>;

    beforeAll(async () => {
      root = await makeTempDir('shoebox-thumbs-');
      // The photos are read in place; the service's cache goes to a temporary folder.
      index = await indexOf(PHOTOS_DIR, allPhotos());
      service = new ThumbnailService({
        folder: PHOTOS_DIR,
        index: { getBySha: (sha) => index.get(sha) },
        ffmpeg: null,
      });
      Object.assign(service, { cacheDir: path.join(root, 'cache') });
    });
    afterAll(async () => {
      await service.close();
      await fs.rm(root, { recursive: true, force: true });
    });

    it('makes a WebP of at most 320 px for every sample photo, HEIC included', async () => {
      for (const [sha, resource] of index) {
        const answer = await service.get(sha);
        expect(answer?.type, resource.path).toBe('file');
        if (answer?.type !== 'file') continue;
        const meta = await sharp(answer.path).metadata();
        expect(meta.format, resource.path).toBe('webp');
        expect(Math.max(meta.width, meta.height), resource.path).toBeLessThanOrEqual(320);
      }
      expect(service.stats.made).toBe(index.size);
      expect(service.stats.failed).toBe(0);
    }, 60_000);

    it('uses the embedded thumbnail of an iPhone HEIC instead of decoding 12 MP', () => {
      const heics = allPhotos().filter((n) => n.endsWith('.heic')).length;
      expect(heics).toBeGreaterThan(0);
      expect(service.stats.fromHeicThumbnail).toBe(heics);
    });

    it(
      'decodes the full HEIC image when asked not to use (or ' + 'there is no) embedded thumbnail, off the main thread',
      async () => {
        const decoder = new HeicDecoder();
        try {
          const bytes = await fs.readFile(path.join(PHOTOS_DIR, 'heic-single.heic'));
          let ticks = 0;
          const timer = setInterval(() => (ticks += 1), 1);
          const full = await decoder.decode(bytes, { preferThumbnail: false });
          clearInterval(timer);
          expect([full.width, full.height, full.fromThumbnail]).toEqual([1440, 960, false]);
          expect(full.rgba.byteLength).toBe(1440 * 960 * 4);
          expect(ticks).toBeGreaterThan(0); // the event loop kept turning while the worker decoded
          const thumb = await decoder.decode(bytes);
          expect(thumb.fromThumbnail).toBe(true);
          expect(Math.max(thumb.width, thumb.height)).toBeLessThan(400);
          await expect(decoder.decode(new TextEncoder().encode('not a heic'))).rejects.toThrow(/HEIF/);
        } finally {
          await decoder.close();
        }
      },
    );

    it(
      'gives up a decode that takes too long and restarts ' + 'its worker, so one bad file cannot hold up the rest',
      async () => {
        const decoder = new HeicDecoder(30_000, 5);
        try {
          const bytes = await fs.readFile(path.join(PHOTOS_DIR, 'heic-iphone.heic'));
          await expect(decoder.decode(bytes, { preferThumbnail: false })).rejects.toThrow(/decoding took longer than/);
          await expect(decoder.decode(bytes, { preferThumbnail: false })).rejects.toThrow(/decoding took longer than/); // a fresh worker each time
        } finally {
          await decoder.close();
        }
      },
    );

    it('respects EXIF orientation (f6t.jpg is stored sideways, shown upright)', async () => {
      const sha = [...index].find(([, r]) => r.path === 'f6t.jpg')?.[0];
      if (!sha) return;
      const original = await sharp(path.join(PHOTOS_DIR, 'f6t.jpg')).metadata();
      expect(original.orientation).toBe(6);
      const answer = await service.get(sha);
      const meta = await sharp(answer?.type === 'file' ? answer.path : '').metadata();
      // Orientation 6 means rotate 90°: the stored width becomes the shown height.
      expect([meta.width, meta.height]).toEqual([original.height, original.width]);
    });

    it('answers null for bytes that are not in the library, and refuses non-hashes', async () => {
      expect(await service.get('0'.repeat(64))).toBeNull();
      expect(await service.get('../../etc/passwd')).toBeNull();
    });
  },
);

describe('video thumbnails', () => {
  it.skipIf(!HAVE_FFMPEG)(
    `come from ffmpeg when it is on PATH${HAVE_FFMPEG ? '' : ' (skipped: no ffmpeg)'}`,
    async () => {
      const root = await makeTempDir('shoebox-video-');
      try {
        const made = spawnSync('ffmpeg', [
          '-hide_banner',
          '-loglevel',
          'error',
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=640x360:rate=10',
          '-t',
          '1',
          '-c:v',
          'mpeg4',
          path.join(root, 'clip.mp4'),
        ]);
        expect(made.status, made.stderr.toString()).toBe(0);
        const index = await indexOf(root, ['clip.mp4']);
        const service = new ThumbnailService({
          folder: root,
          index: { getBySha: (sha) => index.get(sha) },
          ffmpeg: 'ffmpeg',
        });
        const answer = await service.get([...index.keys()][0]!);
        expect(answer?.type).toBe('file');
        const meta = await sharp(answer?.type === 'file' ? answer.path : '').metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 180]);
        await service.close();
      } finally {
        await fs.rm(root, { recursive: true, force: true });
      }
    },
  );

  it('get a placeholder without ffmpeg, not cached (ffmpeg may come later)', async () => {
    const root = await makeTempDir('shoebox-video-');
    try {
      await fs.writeFile(path.join(root, 'clip.mov'), 'not really a movie');
      const index = await indexOf(root, ['clip.mov']);
      const service = new ThumbnailService({
        folder: root,
        index: { getBySha: (sha) => index.get(sha) },
        ffmpeg: null,
      });
      const sha = [...index.keys()][0]!;
      expect(await service.get(sha)).toMatchObject({ type: 'placeholder', kind: 'video' });
      await expect(fs.access(service.webpPath(sha))).rejects.toThrow();
      await service.close();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('ThumbnailQueue', () => {
  it('runs one job at a time, the window’s requests before background work, each key once', async () => {
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const queue = new ThumbnailQueue(async (key) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(key);
      running -= 1;
    }, 0);
    const background = ['a', 'b', 'c', 'd'].map((k) => queue.enqueue(k));
    void queue.enqueue('b'); // a duplicate is not queued twice
    const urgent = queue.enqueue('z', 'now');
    await Promise.all([...background, urgent]);
    expect(maxRunning).toBe(1);
    expect(order[0]).toBe('a'); // already running
    expect(order[1]).toBe('z');
    expect(order.filter((k) => k === 'b')).toHaveLength(1);
  });
});

describe.skipIf(!HAVE_PHOTOS)(
  `closing while a thumbnail is made (${HAVE_PHOTOS ? 'found' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    it('waits for the running job and marks nothing as unreadable: the next start makes the thumbnail', async () => {
      const folder = await makeTempDir('shoebox-thumbs-close-');
      try {
        await fs.copyFile(path.join(PHOTOS_DIR, 'heic-iphone.heic'), path.join(folder, 'IMG.heic'));
        const index = await indexOf(folder, ['IMG.heic']);
        const [sha] = [...index.keys()];
        const first = new ThumbnailService({ folder, index: { getBySha: (s) => index.get(s) }, ffmpeg: null });
        first.schedule(sha!);
        await new Promise((r) => setTimeout(r, 100)); // the HEIC job has started
        await first.close();
        expect(first.pending).toBe(0);
        const second = new ThumbnailService({ folder, index: { getBySha: (s) => index.get(s) }, ffmpeg: null });
        try {
          const made = await second.get(sha!);
          expect(made).toMatchObject({ path: expect.stringMatching(/\.webp$/) as unknown });
        } finally {
          await second.close();
        }
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
