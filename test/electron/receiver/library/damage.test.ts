import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryIndex } from '../../../../electron/receiver/library/library-index';
import { fakeDescribe, indexFile, openIndex, resource, tempFolder, writeFiles } from '../../../helpers/library/helpers';

async function damagedFiles(folder: string): Promise<string[]> {
  return (await fsp.readdir(path.join(folder, '.shoebox', 'index')))
    .filter((name) => name.includes('.damaged-'))
    .sort();
}

describe('torn and damaged index files', () => {
  it('ignores a torn final journal line, cuts it away, and keeps appending cleanly', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    for (let n = 0; n < 5; n += 1) await index.addResource(resource(n));
    const journal = indexFile(folder, 'journal.jsonl');
    const whole = await fsp.readFile(journal, 'utf8');
    // A crash mid-append: half a line (and some zeroes a file system may leave behind).
    await fsp.appendFile(journal, `${JSON.stringify({ s: 6, op: 'add', r: resource(99) }).slice(0, 40)}\u0000\u0000`);
    const logs: string[] = [];
    const reopened = await openIndex(folder, { log: (m) => logs.push(m) });
    expect(reopened.openedBy).toBe('snapshot');
    expect(reopened.totals().resources).toBe(5);
    expect(reopened.getBySha(resource(99).sha256)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/torn final journal line/);
    expect(await fsp.readFile(journal, 'utf8')).toBe(whole);
    expect(await damagedFiles(folder)).toEqual([]);
    await reopened.addResource(resource(6));
    const again = await openIndex(folder);
    expect(again.totals().resources).toBe(6);
  });

  it('treats a final line lacking only its newline as torn (it was never acknowledged)', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    await index.addResource(resource(1));
    await fsp.appendFile(indexFile(folder, 'journal.jsonl'), JSON.stringify({ s: 2, op: 'add', r: resource(2) }));
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('snapshot');
    expect(reopened.totals().resources).toBe(1);
  });

  it('rebuilds from the folder when a journal line in the middle is unreadable, keeping both files aside', async () => {
    const folder = await tempFolder();
    const hashes = await writeFiles(folder, {
      '2024/2024-01/IMG_0001.HEIC': 'one',
      '2024/2024-01/IMG_0002.HEIC': 'two',
    });
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    expect(index.totals().resources).toBe(2);
    await index.addResource(resource(7));
    await index.addResource(resource(8));
    const journal = indexFile(folder, 'journal.jsonl');
    const lines = (await fsp.readFile(journal, 'utf8')).split('\n');
    lines[1] = '{"s":1,"op":"add","r":{gar bage';
    await fsp.writeFile(journal, lines.join('\n'));
    const logs: string[] = [];
    const reopened = await openIndex(folder, { log: (m) => logs.push(m) });
    expect(reopened.openedBy).toBe('rebuild');
    expect(logs.join('\n')).toMatch(/line 2 is not JSON/);
    expect(reopened.getBySha(hashes['2024/2024-01/IMG_0001.HEIC']!)?.path).toBe('2024/2024-01/IMG_0001.HEIC');
    // records without a file are gone: the folder is the truth
    expect(reopened.getBySha(resource(7).sha256)).toBeUndefined();
    expect((await damagedFiles(folder)).map((n) => n.replace(/damaged-.*/, 'damaged'))).toEqual([
      'journal.jsonl.damaged',
      'library.json.damaged',
    ]);
  });

  it('rebuilds when the snapshot is not JSON, salvaging nothing but the folder', async () => {
    const folder = await tempFolder();
    const hashes = await writeFiles(folder, {
      '2019/2019-08/IMG_0001.HEIC': 'photo bytes',
      '2019/2019-08/IMG_0001.MOV': 'video bytes',
    });
    await (await openIndex(folder)).close();
    await fsp.writeFile(indexFile(folder, 'library.json'), '{"format":"shoebox-library-index","vers');
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('rebuild');
    expect(reopened.totals()).toEqual({ resources: 2, bytes: 22, assets: 2 });
    const mov = reopened.getByPath('2019/2019-08/IMG_0001.MOV');
    expect(mov).toMatchObject({
      sha256: hashes['2019/2019-08/IMG_0001.MOV'],
      contentType: 'video/quicktime',
      assetId: null,
      resourceType: null,
      originalFilename: 'IMG_0001.MOV',
    });
    expect(await damagedFiles(folder)).toHaveLength(1);
  });

  it(
    'rebuilds when the snapshot fails validation, keeping ' + 'what still matches the folder (asset ids, devices)',
    async () => {
      const folder = await tempFolder();
      const hashes = await writeFiles(folder, {
        '2019/2019-08/IMG_0001.HEIC': 'photo bytes',
        '2019/2019-08/IMG_0001.MOV': 'video bytes',
      });
      const index = await openIndex(folder);
      const photo = index.getByPath('2019/2019-08/IMG_0001.HEIC')!;
      await index.removeResource(photo.sha256);
      await index.addResource({ ...photo, assetId: 'live-1', resourceType: 'photo', deviceId: 'phone' });
      await index.close();
      const snapshot = JSON.parse(await fsp.readFile(indexFile(folder, 'library.json'), 'utf8')) as {
        resources: unknown[];
      };
      snapshot.resources.push({ sha256: 'not a hash' });
      await fsp.writeFile(indexFile(folder, 'library.json'), JSON.stringify(snapshot));
      const reopened = await openIndex(folder);
      expect(reopened.openedBy).toBe('rebuild');
      expect(reopened.getBySha(hashes['2019/2019-08/IMG_0001.HEIC']!)).toMatchObject({
        assetId: 'live-1',
        deviceId: 'phone',
      });
      expect(reopened.getAssetResources('live-1')).toHaveLength(1);
    },
  );

  it('rebuilds on a wrong snapshot or journal version', async () => {
    for (const target of ['library.json', 'journal.jsonl'] as const) {
      const folder = await tempFolder();
      await writeFiles(folder, { 'a/IMG.JPG': 'x' });
      await (await openIndex(folder)).close();
      const file = indexFile(folder, target);
      await fsp.writeFile(file, (await fsp.readFile(file, 'utf8')).replace('"version":1', '"version":2'));
      const logs: string[] = [];
      const reopened = await openIndex(folder, { log: (m) => logs.push(m) });
      expect(reopened.openedBy).toBe('rebuild');
      expect(reopened.totals().resources).toBe(1);
      expect(logs.join('\n')).toMatch(target === 'library.json' ? /version/ : /journal version 2 is not supported/);
    }
  });

  it('rebuilds when the snapshot is missing but the journal has changes', async () => {
    const folder = await tempFolder();
    await writeFiles(folder, { 'a/IMG.JPG': 'x' });
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    await index.addResource(resource(1));
    await fsp.rm(indexFile(folder, 'library.json'));
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('rebuild');
    expect(reopened.totals().resources).toBe(1);
    expect(await damagedFiles(folder)).toHaveLength(1);
  });

  it('rebuilds when the journal starts after the snapshot ends (changes are missing)', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    await index.addResource(resource(1));
    const journal = indexFile(folder, 'journal.jsonl');
    await fsp.writeFile(journal, (await fsp.readFile(journal, 'utf8')).replace('{"s":1,', '{"s":5,'));
    const logs: string[] = [];
    const reopened = await openIndex(folder, { log: (m) => logs.push(m) });
    expect(reopened.openedBy).toBe('rebuild');
    expect(logs.join('\n')).toMatch(/starts at change 5 but library.json ends at change 0/);
  });

  it('does not rebuild (or move anything) when the index cannot be read for another reason', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const folder = await tempFolder();
    await (await openIndex(folder)).close();
    await fsp.chmod(indexFile(folder, 'library.json'), 0o000);
    await expect(LibraryIndex.open({ folder, describeFile: fakeDescribe })).rejects.toThrow(/EACCES/);
  });
});

describe('a compaction whose folder fsync fails after the new journal is in place', () => {
  it('keeps every acknowledged change and refuses later ones until reopened', async () => {
    const { LibraryIndex } = await import('../../../../electron/receiver/library/library-index');
    const { nodeDurableFs } = await import('../../../../shared/storage/index.nodejs');
    const { tempFolder, resource, fakeDescribe } = await import('../../../helpers/library/helpers');
    const folder = await tempFolder();
    let dirSyncs = 0;
    let failAt = Infinity;
    const fs = {
      ...nodeDurableFs,
      async fsyncDir(dir: string) {
        dirSyncs += 1;
        if (dirSyncs === failAt) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        return nodeDurableFs.fsyncDir(dir);
      },
    };
    const index = await LibraryIndex.open({ folder, describeFile: fakeDescribe, fs, snapshotEveryChanges: 1_000 });
    for (const n of [1, 2, 3]) await index.addResource(resource(n));
    failAt = dirSyncs + 2; // the snapshot's own rename is fsynced, the compacted journal's is not
    const flushing = index.flush();
    await index.addResource(resource(4)); // lands while the snapshot is written: the journal keeps a tail
    await flushing.catch(() => undefined);
    const later = await index.addResource(resource(5)).then(
      () => 'stored',
      (e: Error) => e.name,
    );
    const reopened = await LibraryIndex.open({ folder, describeFile: fakeDescribe });
    const has = (n: number) => reopened.getBySha(resource(n).sha256) !== undefined;
    expect([1, 2, 3, 4].map(has)).toEqual([true, true, true, true]);
    // Either refused (the folder fsync failed) or, if it was written before the failure was seen, kept.
    expect(later === 'LibraryDurabilityError' || has(5)).toBe(true);
    await reopened.close();
  });
});
