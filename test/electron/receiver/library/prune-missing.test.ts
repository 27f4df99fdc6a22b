/**
 * The folder is the truth after start: files deleted or replaced
 * by hand leave the index; a lost disk does not empty it.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { pruneMissingFiles } from '../../../../electron/receiver/library/prune-missing';
import { openIndex, resource, tempFolder } from '../../../helpers/library/helpers';

async function storeAll(folder: string, count: number) {
  const index = await openIndex(folder);
  const records = Array.from({ length: count }, (_, n) => resource(n));
  for (const record of records) {
    const file = path.join(folder, ...record.path.split('/'));
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, Buffer.alloc(record.size, n(record)));
    await index.addResource(record);
  }
  return { index, records, fileOf: (i: number) => path.join(folder, ...records[i]!.path.split('/')) };
}
const n = (record: { size: number }) => record.size % 256;

describe('pruning files deleted from the backup folder', () => {
  it('forgets files deleted or replaced by hand, keeps the rest, and says which', async () => {
    const folder = await tempFolder();
    const { index, records, fileOf } = await storeAll(folder, 6);
    await fsp.rm(fileOf(1));
    await fsp.writeFile(fileOf(2), 'edited by hand: other bytes, other size');
    const log = vi.fn();
    const result = await pruneMissingFiles(index, folder, { log });
    expect(result).toMatchObject({ checked: 6, heldBack: 0 });
    expect(result.removed.map((r) => r.path).sort()).toEqual([records[1]!.path, records[2]!.path].sort());
    expect(index.getBySha(records[1]!.sha256)).toBeUndefined();
    expect(index.getBySha(records[2]!.sha256)).toBeUndefined();
    expect(index.totals().resources).toBe(4);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^2 file\(s\) were removed from the backup folder by hand/));
    // Durable like any other change: a reopened index agrees.
    await index.close();
    expect((await openIndex(folder)).totals().resources).toBe(4);
  });

  it('removes nothing when most files are missing at once (a disconnected disk), and warns', async () => {
    const folder = await tempFolder();
    const { index, records } = await storeAll(folder, 30);
    for (const record of records.slice(0, 25)) await fsp.rm(path.join(folder, ...record.path.split('/')));
    const log = vi.fn();
    const result = await pruneMissingFiles(index, folder, { log });
    expect(result).toMatchObject({ removed: [], heldBack: 25 });
    expect(index.totals().resources).toBe(30);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('25 of 30 backed-up files are missing'));
  });

  it('stops without removing anything when aborted, and shrugs off an index closed meanwhile', async () => {
    const folder = await tempFolder();
    const { index, fileOf } = await storeAll(folder, 4);
    await fsp.rm(fileOf(0));
    const abort = new AbortController();
    abort.abort();
    expect(await pruneMissingFiles(index, folder, { signal: abort.signal })).toMatchObject({ removed: [] });
    expect(index.totals().resources).toBe(4);
    await index.close();
    expect(await pruneMissingFiles(index, folder)).toMatchObject({ removed: [] });
  });
});
