import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RebuildProgress } from '../../../../electron/receiver/library/types';
import { indexFile, openIndex, tempFolder, writeFiles } from '../../../helpers/library/helpers';

describe('rebuild from the folder', () => {
  it(
    'builds a missing index from the files, skipping ' + 'dot entries, the .shoebox area and non-regular files',
    async () => {
      const folder = await tempFolder();
      const hashes = await writeFiles(folder, {
        '2019/2019-08/IMG_0001.HEIC': 'heic bytes',
        '2019/2019-08/IMG_0001.MOV': 'mov bytes!',
        '2021/2021-12/clip.mp4': 'x'.repeat(3 * 1024 * 1024),
        '2021/.hidden/IMG_9.JPG': 'hidden',
        '.DS_Store': 'finder',
        '.shoebox/staging/partial-1': 'half an upload',
      });
      await fsp.symlink(path.join(folder, '2019/2019-08/IMG_0001.HEIC'), path.join(folder, '2019/link.HEIC'));
      const progress: RebuildProgress[] = [];
      const described: string[] = [];
      const index = await openIndex(folder, {
        onRebuildProgress: (p) => progress.push(p),
        describeFile: async (abs) => {
          described.push(path.relative(folder, abs));
          return { captureDate: '2019-08-21T10:57:23' };
        },
      });
      expect(index.openedBy).toBe('rebuild');
      expect(
        index
          .listResources({ offset: 0, limit: 10 })
          .map((r) => r.path)
          .sort(),
      ).toEqual(['2019/2019-08/IMG_0001.HEIC', '2019/2019-08/IMG_0001.MOV', '2021/2021-12/clip.mp4']);
      expect(described.sort()).toEqual(
        ['2019/2019-08/IMG_0001.HEIC', '2019/2019-08/IMG_0001.MOV', '2021/2021-12/clip.mp4'].map((p) =>
          path.join(...p.split('/')),
        ),
      );
      const heic = index.getByPath('2019/2019-08/IMG_0001.HEIC')!;
      expect(heic).toMatchObject({
        sha256: hashes['2019/2019-08/IMG_0001.HEIC'],
        size: 10,
        captureDate: '2019-08-21T10:57:23',
        contentType: 'image/heic',
        assetId: null,
        deviceId: null,
      });
      expect(index.getBySha(hashes['2021/2021-12/clip.mp4']!)?.size).toBe(3 * 1024 * 1024);
      const last = progress.at(-1)!;
      expect(last).toEqual({ files: 3, totalFiles: 3, bytes: 3 * 1024 * 1024 + 20, totalBytes: 3 * 1024 * 1024 + 20 });
      expect(progress[0]).toMatchObject({ files: 0, totalFiles: 3 });
      expect(index.totals()).toEqual({ resources: 3, bytes: 3 * 1024 * 1024 + 20, assets: 3 });
      // The rebuild wrote a snapshot, so the next open is quick.
      await fsp.access(indexFile(folder, 'library.json'));
      await index.close();
      expect((await openIndex(folder)).openedBy).toBe('snapshot');
    },
  );

  it('opens a new, empty folder at once as an empty index', async () => {
    const folder = await tempFolder();
    const started = performance.now();
    const index = await openIndex(path.join(folder, 'not-yet-created'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(index.openedBy).toBe('rebuild');
    expect(index.totals()).toEqual({ resources: 0, bytes: 0, assets: 0 });
    expect(index.listResources({ offset: 0, limit: 10 })).toEqual([]);
  });

  it('falls back to the file time when describeFile fails, and indexes duplicate bytes once', async () => {
    const folder = await tempFolder();
    await writeFiles(folder, { 'a/IMG_1.JPG': 'same', 'b/IMG_1 copy.JPG': 'same', 'c/odd.bin': 'other' });
    const when = new Date(2018, 4, 6, 7, 8, 9); // local time
    await fsp.utimes(path.join(folder, 'c/odd.bin'), when, when);
    const logs: string[] = [];
    const index = await openIndex(folder, {
      log: (m) => logs.push(m),
      describeFile: async (abs) => {
        if (abs.endsWith('odd.bin')) throw new Error('no metadata');
        return { captureDate: '2020-01-02T03:04:05' };
      },
    });
    expect(index.getByPath('c/odd.bin')).toMatchObject({ captureDate: '2018-05-06T07:08:09', contentType: null });
    expect(index.totals().resources).toBe(2);
    expect(index.getByPath('a/IMG_1.JPG')).toBeDefined();
    expect(index.getByPath('b/IMG_1 copy.JPG')).toBeUndefined();
    expect(logs.join('\n')).toMatch(/b\/IMG_1 copy.JPG holds the same bytes as a\/IMG_1.JPG/);
    expect(logs.join('\n')).toMatch(/no capture date for c\/odd.bin \(no metadata\)/);
  });

  it('rebuilds again after a crash during a rebuild (no snapshot yet)', async () => {
    const folder = await tempFolder();
    await writeFiles(folder, { 'a/1.JPG': '1', 'a/2.JPG': '2' });
    await fsp.mkdir(path.join(folder, '.shoebox', 'index'), { recursive: true });
    await fsp.writeFile(indexFile(folder, 'library.json') + '.tmp', '{"partial');
    const index = await openIndex(folder);
    expect(index.openedBy).toBe('rebuild');
    expect(index.totals().resources).toBe(2);
    await expect(fsp.access(indexFile(folder, 'library.json') + '.tmp')).rejects.toThrow();
  });
});
