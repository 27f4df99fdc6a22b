import { afterEach, describe, expect, it } from 'vitest';
import type { UploadResult } from '../../../shared/simulator/client-types';
import { uploadAll, type SourceEntry } from '../../../shared/simulator/upload-all';
import { FakeReceiver } from '../../helpers/simulator/fake-receiver';
import { clientFor, source } from '../../helpers/simulator/helpers';

let receiver: FakeReceiver | undefined;
afterEach(async () => receiver?.close());

describe('uploadAll', () => {
  it('counts committed, duplicates and failures with reasons, in input order', async () => {
    receiver = await FakeReceiver.start();
    const client = clientFor(receiver, { chunkBytes: 4096 });
    const a = await source('a.jpg', 10_000, 1);
    const b = await source('b.jpg', 20_000, 2);
    const bad = await source('.hidden.jpg', 500, 3);
    const aAgain = await source('a-copy.jpg', 10_000, 1);
    const broken: SourceEntry = {
      info: { assetId: 'X/L0/001', resourceType: 'photo', filename: 'gone.jpg', size: 42 },
      open: async () => {
        throw new Error('ENOENT: no such file');
      },
    };
    const seen: UploadResult[] = [];
    // a-copy is last and concurrency 1, so the duplicate is decided after a.jpg is stored.
    const summary = await uploadAll(client, [a, b, bad, broken, aAgain], {
      concurrency: 1,
      onResult: (r) => seen.push(r),
    });
    await client.close();
    expect(summary).toMatchObject({
      files: 5,
      bytes: 40_542,
      committed: 2,
      committedBytes: 30_000,
      duplicates: 1,
      failed: 2,
    });
    expect(summary.failures.map((f) => [f.source.filename, f.reason.code])).toEqual([
      ['.hidden.jpg', 'BAD_FILENAME'],
      ['gone.jpg', 'SOURCE_READ_FAILED'],
    ]);
    expect(summary.results.map((r) => r.source.filename)).toEqual([
      'a.jpg',
      'b.jpg',
      '.hidden.jpg',
      'gone.jpg',
      'a-copy.jpg',
    ]);
    expect(seen).toHaveLength(5);
    expect(summary.bytesSent).toBe(30_000);
    expect(summary.elapsedMs).toBeGreaterThan(0);
  });

  it('keeps at most `concurrency` uploads running and closes each source', async () => {
    receiver = await FakeReceiver.start({ ackDelayMs: 2 });
    const client = clientFor(receiver, { chunkBytes: 2048 });
    let running = 0;
    let peak = 0;
    let closed = 0;
    const entries: SourceEntry[] = [];
    for (let i = 0; i < 8; i++) {
      const src = await source(`f${i}.jpg`, 8192, i + 1);
      entries.push({
        info: src,
        open: async () => {
          running += 1;
          peak = Math.max(peak, running);
          return {
            ...src,
            read: (offset, length) => src.read(offset, length),
            close: async () => void ((running -= 1), (closed += 1)),
          };
        },
      });
    }
    const summary = await uploadAll(client, entries, { concurrency: 3 });
    await client.close();
    expect(summary.committed).toBe(8);
    expect(peak).toBe(3);
    expect(closed).toBe(8);
  });
});
