import fsp from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LibraryDurabilityError } from '../../../../electron/receiver/library/errors';
import { LibraryIndex } from '../../../../electron/receiver/library/library-index';
import {
  crashImage,
  deferred,
  fakeDescribe,
  indexFile,
  openIndex,
  resource,
  spyFs,
  tempFolder,
} from '../../../helpers/library/helpers';

describe('group commit', () => {
  it('makes 500 concurrent adds durable with a single append and fdatasync', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs });
    const before = { ...fs.counts };
    await Promise.all(Array.from({ length: 500 }, (_, n) => index.addResource(resource(n))));
    expect(fs.counts.datasync - before.datasync).toBe(1);
    expect(fs.counts.appends - before.appends).toBe(1);
    expect(index.totals().resources).toBe(500);
    expect(index.stats().journalBatches).toBe(1);
  });

  it('queues changes made while a write is in flight into the next single batch', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs });
    const gate = deferred();
    fs.gateDatasync = gate.promise;
    const first = index.addResource(resource(0));
    await new Promise((r) => setTimeout(r, 20)); // the first batch is now waiting in fdatasync
    const rest = Array.from({ length: 100 }, (_, n) => index.addResource(resource(n + 1)));
    await new Promise((r) => setTimeout(r, 20));
    expect(index.stats().journalBatches).toBe(0);
    fs.gateDatasync = null;
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(index.stats().journalBatches).toBe(2);
    expect(index.totals().resources).toBe(101);
  });

  it('resolves only after the fdatasync, and reads show only durable changes', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs });
    const gate = deferred();
    fs.gateDatasync = gate.promise;
    let resolved = false;
    const add = index.addResource(resource(1)).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false);
    expect(index.getBySha(resource(1).sha256)).toBeUndefined();
    fs.gateDatasync = null;
    gate.resolve();
    await add;
    expect(fs.events.at(-1)).toBe('datasync journal.jsonl');
    expect(index.getBySha(resource(1).sha256)).toEqual(resource(1));
    // Durable means a crash right now keeps it.
    const image = await crashImage(folder);
    const reopened = await openIndex(image);
    expect(reopened.openedBy).toBe('snapshot');
    expect(reopened.getByPath(resource(1).path)?.sha256).toBe(resource(1).sha256);
  });

  it('rejects when the journal cannot be made durable, refuses later changes, and forgets them on reopen', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const logs: string[] = [];
    const index = await LibraryIndex.open({ folder, describeFile: fakeDescribe, fs, log: (m) => logs.push(m) });
    await index.addResource(resource(1));
    fs.failDatasync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const results = await Promise.allSettled([index.addResource(resource(2)), index.addResource(resource(3))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(LibraryDurabilityError);
    expect(index.getBySha(resource(2).sha256)).toBeUndefined();
    fs.failDatasync = null;
    await expect(index.addResource(resource(4))).rejects.toBeInstanceOf(LibraryDurabilityError);
    expect(logs.join('\n')).toMatch(/could not be written/);
    await index.close(); // the snapshot holds what was acknowledged; the refused lines are cut away
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('snapshot');
    expect(reopened.totals().resources).toBe(1);
    expect(reopened.getBySha(resource(2).sha256)).toBeUndefined();
    await reopened.addResource(resource(5));
    expect(reopened.totals().resources).toBe(2);
  });

  it('writes one journal line per change, far less than the snapshot', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    for (let n = 0; n < 50; n += 1) await index.addResource(resource(n));
    const journal = await fsp.readFile(indexFile(folder, 'journal.jsonl'), 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(51); // header + 50 changes
    expect(index.stats().journalBatches).toBe(50);
  });
});
