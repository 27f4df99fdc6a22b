import { describe, expect, it } from 'vitest';
import { LibraryConflictError, LibraryValidationError } from '../../../../electron/receiver/library/errors';
import { deferred, openIndex, resource, spyFs, tempFolder } from '../../../helpers/library/helpers';

const at = (seconds: number) => new Date(Date.UTC(2024, 5, 1) + seconds * 1000).toISOString();

describe('lookups and paging', () => {
  it('pages newest first, keeping order for late (out-of-order) storedAt and ties', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    const order = [5, 1, 9, 3, 3, 7, 0];
    let n = 0;
    for (const second of order) await index.addResource(resource(n++, { storedAt: at(second) }));
    const page = (offset: number, limit: number) => index.listResources({ offset, limit }).map((r) => r.storedAt);
    expect(page(0, 100)).toEqual([9, 7, 5, 3, 3, 1, 0].map(at));
    // Among equal storedAt, the one recorded later comes first.
    expect(index.listResources({ offset: 3, limit: 2 }).map((r) => r.sha256)).toEqual([
      resource(4).sha256,
      resource(3).sha256,
    ]);
    expect(page(2, 2)).toEqual([5, 3].map(at));
    expect(page(6, 5)).toEqual([at(0)]);
    expect(page(7, 5)).toEqual([]);
    expect(page(0, 0)).toEqual([]);
    expect(() => index.listResources({ offset: -1, limit: 1 })).toThrow(RangeError);
    await index.removeResource(resource(2).sha256); // the newest
    expect(page(0, 1)).toEqual([at(7)]);
    await index.close();
    const reopened = await openIndex(folder);
    expect(reopened.listResources({ offset: 0, limit: 100 }).map((r) => r.storedAt)).toEqual(
      [7, 5, 3, 3, 1, 0].map(at),
    );
  });

  it('finds by sha, by path and by asset, and counts totals', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    await Promise.all([0, 1, 2].map((n) => index.addResource(resource(n))));
    expect(index.getByPath(resource(1).path)?.sha256).toBe(resource(1).sha256);
    expect(
      index
        .getAssetResources('asset-0')
        .map((r) => r.resourceType)
        .sort(),
    ).toEqual(['pairedVideo', 'photo']);
    expect(index.getAssetResources('nope')).toEqual([]);
    expect(index.totals()).toEqual({ resources: 3, bytes: 1000 + 1001 + 1002, assets: 2 });
    const record = index.getBySha(resource(0).sha256)!;
    expect(Object.isFrozen(record)).toBe(true);
  });
});

describe('changes', () => {
  it('validates records', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    const bad = [
      { sha256: 'ABC' },
      { path: '../outside.jpg' },
      { path: '/abs/file.jpg' },
      { path: '2024//x.jpg' },
      { path: '2024\\x.jpg' },
      { path: '.shoebox/x.jpg' },
      { captureDate: '2024-01-01 12:00:00' },
      { storedAt: '2024-01-01T00:00:00Z' },
      { size: -1 },
    ];
    for (const override of bad)
      await expect(index.addResource(resource(1, override as never))).rejects.toBeInstanceOf(LibraryValidationError);
    expect(index.totals().resources).toBe(0);
  });

  it('treats the same record twice as one, refuses the same bytes at another path, replaces a stale path', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    await Promise.all([index.addResource(resource(1)), index.addResource(resource(1))]);
    await index.addResource(resource(1));
    expect(index.stats().journalChanges).toBe(1);
    const conflict = await index.addResource(resource(1, { path: 'other/place.HEIC' })).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(LibraryConflictError);
    expect((conflict as LibraryConflictError).existing.path).toBe(resource(1).path);
    // A new file at a path the index still gives to other bytes (the old file went away): the newer wins.
    await index.addResource(resource(2, { path: resource(1).path }));
    expect(index.getBySha(resource(1).sha256)).toBeUndefined();
    expect(index.getByPath(resource(1).path)?.sha256).toBe(resource(2).sha256);
    expect(index.totals().resources).toBe(1);
    // Remove then add again at a new path, queued together.
    await Promise.all([
      index.removeResource(resource(2).sha256),
      index.addResource(resource(2, { path: 'moved/IMG.HEIC' })),
    ]);
    expect(index.getBySha(resource(2).sha256)?.path).toBe('moved/IMG.HEIC');
    await index.removeResource(resource(99).sha256); // unknown: a no-op
    await index.close();
    expect((await openIndex(folder)).getBySha(resource(2).sha256)?.path).toBe('moved/IMG.HEIC');
  });

  it('answers a duplicate of a change still in flight only once that change is durable', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs });
    const gate = deferred();
    fs.gateDatasync = gate.promise;
    const first = index.addResource(resource(1));
    let settled = false;
    const duplicate = index.addResource(resource(1, { path: 'elsewhere/IMG.HEIC' })).catch((e: unknown) => {
      settled = true;
      return e;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    fs.gateDatasync = null;
    gate.resolve();
    await first;
    expect(await duplicate).toBeInstanceOf(LibraryConflictError);
  });
});
