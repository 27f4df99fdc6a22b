/**
 * Index files written by older receivers, which also kept unfinished uploads in the index (snapshot
 * `uploads`, journal `putUpload` / `removeUpload` lines; the staging sidecar is their only record now):
 * they open as they are, the upload parts ignored, and the next snapshot leaves them out.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEX_VERSION, JOURNAL_HEADER_LINE, SNAPSHOT_FORMAT } from '../../../../electron/receiver/library/schema';
import {
  crashImage,
  indexFile,
  legacyUpload,
  openIndex,
  resource,
  tempFolder,
  view,
} from '../../../helpers/library/helpers';

async function writeOldIndex(folder: string): Promise<void> {
  await fsp.mkdir(path.dirname(indexFile(folder, 'library.json')), { recursive: true });
  const snapshot = {
    format: SNAPSHOT_FORMAT,
    version: INDEX_VERSION,
    seq: 3,
    savedAt: '2024-01-02T00:00:00.000Z',
    uploads: [legacyUpload('a'), legacyUpload('b', { size: 999 })],
    resources: [resource(0), resource(1), resource(2)],
  };
  await fsp.writeFile(indexFile(folder, 'library.json'), JSON.stringify(snapshot));
  const lines = [
    { s: 4, op: 'putUpload', u: legacyUpload('c') },
    { s: 5, op: 'add', r: resource(3) },
    { s: 6, op: 'removeUpload', key: 'a' },
    { s: 7, op: 'remove', sha: resource(1).sha256 },
    { s: 8, op: 'putUpload', u: legacyUpload('b', { updatedAt: '2024-01-03T00:00:00.000Z' }) },
  ];
  await fsp.writeFile(
    indexFile(folder, 'journal.jsonl'),
    JOURNAL_HEADER_LINE + lines.map((l) => `${JSON.stringify(l)}\n`).join(''),
  );
}

describe('index files of older receivers (unfinished uploads in the index)', () => {
  it('open from the snapshot, replaying the journal around the old upload lines', async () => {
    const folder = await tempFolder();
    await writeOldIndex(folder);
    const index = await openIndex(folder);
    expect(index.openedBy).toBe('snapshot');
    expect(view(index).resources.map((r) => r.sha256)).toEqual([3, 2, 0].map((n) => resource(n).sha256));
    expect(index.totals().resources).toBe(3);
    // New changes go on after the old lines' sequence numbers.
    await index.addResource(resource(4));
    const journal = (await fsp.readFile(indexFile(folder, 'journal.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(journal.at(-1)!)).toMatchObject({ s: 9, op: 'add' });
    const crashed = await openIndex(await crashImage(folder)); // the old snapshot, the old lines and the new one
    expect(crashed.openedBy).toBe('snapshot');
    expect(view(crashed)).toEqual(view(index));
  });

  it('leave the old upload parts out of the next snapshot and journal', async () => {
    const folder = await tempFolder();
    await writeOldIndex(folder);
    const index = await openIndex(folder);
    const before = view(index);
    await index.flush(); // writes a snapshot and empties the journal
    await index.close();
    const snapshot = JSON.parse(await fsp.readFile(indexFile(folder, 'library.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(snapshot).not.toHaveProperty('uploads');
    expect(snapshot.seq).toBe(8);
    expect((await fsp.readFile(indexFile(folder, 'journal.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('snapshot');
    expect(view(reopened)).toEqual(before);
  });
});
