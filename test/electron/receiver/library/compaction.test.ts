import fsp from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  crashImage,
  deferred,
  indexFile,
  openIndex,
  resource,
  spyFs,
  tempFolder,
  view,
} from '../../../helpers/library/helpers';

async function journalLines(folder: string): Promise<Array<Record<string, unknown>>> {
  const text = await fsp.readFile(indexFile(folder, 'journal.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function snapshotSeq(folder: string): Promise<number> {
  return (JSON.parse(await fsp.readFile(indexFile(folder, 'library.json'), 'utf8')) as { seq: number }).seq;
}

describe('snapshot and journal compaction', () => {
  it('writes a snapshot every N changes and then empties the journal', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 10 });
    for (let n = 0; n < 25; n += 1) await index.addResource(resource(n));
    // Snapshots are captured when they start, so the last one holds change 20 or later, and the
    // journal holds exactly the changes after it.
    await vi.waitFor(async () => {
      const seq = await snapshotSeq(folder);
      expect(seq).toBeGreaterThanOrEqual(20);
      expect((await journalLines(folder)).map((l) => l.s)).toEqual(
        Array.from({ length: 25 - seq }, (_, i) => seq + 1 + i),
      );
    });
    const image = await crashImage(folder);
    expect(view(await openIndex(image))).toEqual(view(index));
  });

  it('fsyncs the snapshot (file and folder) before it truncates the journal', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs });
    await index.addResource(resource(1));
    fs.events.length = 0;
    await index.flush();
    expect(fs.events).toEqual(['sync library.json.tmp', 'datasync journal.jsonl']);
    expect(await journalLines(folder)).toEqual([]);
    expect(await snapshotSeq(folder)).toBe(1);
  });

  it('replays idempotently after a crash between the snapshot and the journal truncation', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    for (let n = 0; n < 10; n += 1) await index.addResource(resource(n));
    await index.removeResource(resource(4).sha256);
    await index.addResource(resource(10));
    const journal = indexFile(folder, 'journal.jsonl');
    const uncompacted = await fsp.readFile(journal);
    await index.flush();
    const expected = view(index);
    // Crash image 1: snapshot at change 12 plus the whole old journal (changes 1..12).
    const image = await crashImage(folder);
    await fsp.writeFile(indexFile(image, 'journal.jsonl'), uncompacted);
    const reopened = await openIndex(image);
    expect(reopened.openedBy).toBe('snapshot');
    expect(view(reopened)).toEqual(expected);
    // The stale journal was reset, so new changes continue cleanly.
    await reopened.addResource(resource(50));
    expect((await journalLines(image)).map((l) => l.s)).toEqual([13]);
    await reopened.close();
    expect((await openIndex(image)).totals().resources).toBe(11);
  });

  it('keeps journal lines written while a snapshot is being written', async () => {
    const folder = await tempFolder();
    const fs = spyFs();
    const index = await openIndex(folder, { fs, snapshotEveryChanges: 1_000_000 });
    for (let n = 0; n < 5; n += 1) await index.addResource(resource(n));
    const gate = deferred();
    fs.gateSync = { match: /library\.json\.tmp$/, until: gate.promise };
    const syncsBefore = fs.counts.sync;
    const flushing = index.flush();
    try {
      await new Promise((r) => setTimeout(r, 30));
      // Commits go on while the snapshot waits in fsync.
      await Promise.all([5, 6, 7].map((n) => index.addResource(resource(n))));
      await index.removeResource(resource(0).sha256);
      expect(fs.counts.sync).toBe(syncsBefore);
    } finally {
      gate.resolve();
    }
    await flushing;
    expect(await snapshotSeq(folder)).toBe(5);
    expect((await journalLines(folder)).map((l) => l.s)).toEqual([6, 7, 8, 9]);
    const reopened = await openIndex(await crashImage(folder));
    expect(view(reopened)).toEqual(view(index));
    expect(reopened.totals().resources).toBe(7);
  });

  it(
    'snapshots on the timer when the journal is large relative ' +
      'to the snapshot, not for a trickle into a big library',
    async () => {
      const small = await tempFolder();
      const index = await openIndex(small, { snapshotEveryMs: 20 });
      await index.addResource(resource(1));
      await vi.waitFor(async () => expect(await journalLines(small)).toEqual([]));
      expect(await snapshotSeq(small)).toBe(1);

      const big = await tempFolder();
      const large = await openIndex(big, { snapshotEveryMs: 20 });
      await Promise.all(Array.from({ length: 300 }, (_, n) => large.addResource(resource(n))));
      await vi.waitFor(async () => expect(await snapshotSeq(big)).toBe(300));
      await large.addResource(resource(1000));
      await new Promise((r) => setTimeout(r, 150));
      expect((await journalLines(big)).map((l) => l.s)).toEqual([301]);
      expect(await snapshotSeq(big)).toBe(300);
    },
  );
});
