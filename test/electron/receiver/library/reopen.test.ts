import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LibraryClosedError } from '../../../../electron/receiver/library/errors';
import { crashImage, indexFile, openIndex, resource, tempFolder, view } from '../../../helpers/library/helpers';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('reopening', () => {
  it('reopens after close from the snapshot alone, with every record and total', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    expect(index.openedBy).toBe('rebuild'); // a new folder: built (instantly) from the empty folder
    await Promise.all(Array.from({ length: 30 }, (_, n) => index.addResource(resource(n))));
    await index.removeResource(resource(3).sha256);
    const before = view(index);
    await index.close();
    const journal = await fsp.readFile(indexFile(folder, 'journal.jsonl'), 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(1); // header only: close wrote a snapshot
    const reopened = await openIndex(folder);
    expect(reopened.openedBy).toBe('snapshot');
    expect(view(reopened)).toEqual(before);
    expect(
      reopened
        .getAssetResources('asset-0')
        .map((r) => r.resourceType)
        .sort(),
    ).toEqual(['pairedVideo', 'photo']);
  });

  it('recovers every acknowledged change after a crash (no close) by replaying the journal', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder, { snapshotEveryChanges: 1_000_000 });
    for (let n = 0; n < 20; n += 1) await index.addResource(resource(n));
    await index.removeResource(resource(5).sha256);
    const expected = view(index);
    const image = await crashImage(folder); // the disk as it is now, as if the power went
    const reopened = await openIndex(image);
    expect(reopened.openedBy).toBe('snapshot');
    expect(view(reopened).resources).toEqual(expected.resources);
  });

  it('keeps every acknowledged change when the process is killed (SIGKILL) mid-stream', async () => {
    for (const every of [1_000_000, 37]) {
      const folder = await tempFolder();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(here, '../../../helpers/library/crash-child.ts'), folder, String(every)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acked = new Set<number>();
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.startsWith('acked ')) acked.add(Number(line.slice(6)));
          if (acked.size >= 400) resolve();
        });
        child.on('exit', () => reject(new Error(`child exited early: ${err}`)));
      });
      child.kill('SIGKILL');
      await exited;
      const reopened = await openIndex(folder);
      expect(reopened.openedBy).toBe('snapshot');
      for (const n of acked) expect(reopened.getBySha(resource(n).sha256)?.path).toBe(resource(n).path);
      expect(reopened.totals().resources).toBeGreaterThanOrEqual(acked.size);
      await reopened.addResource(resource(1_000_000));
      await reopened.close();
      expect((await openIndex(folder)).getBySha(resource(1_000_000).sha256)).toBeDefined();
    }
  });

  it('refuses every call after close with a clear error; close twice is harmless', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    await index.close();
    await index.close();
    await expect(index.addResource(resource(1))).rejects.toBeInstanceOf(LibraryClosedError);
    await expect(index.removeResource(resource(1).sha256)).rejects.toThrow(/closed/);
    await expect(index.flush()).rejects.toBeInstanceOf(LibraryClosedError);
    expect(() => index.getBySha(resource(1).sha256)).toThrow(LibraryClosedError);
    await expect(index.whenDurable()).rejects.toThrow(/library index is closed; whenDurable was refused/);
    expect(() => index.listResources({ offset: 0, limit: 1 })).toThrow(LibraryClosedError);
  });

  it('finishes changes queued before close', async () => {
    const folder = await tempFolder();
    const index = await openIndex(folder);
    const adds = Array.from({ length: 10 }, (_, n) => index.addResource(resource(n)));
    const late = index.removeResource(resource(9).sha256);
    await index.close();
    await Promise.all([...adds, late]);
    const reopened = await openIndex(folder);
    expect(reopened.totals().resources).toBe(9);
    expect(reopened.getBySha(resource(9).sha256)).toBeUndefined();
  });
});
