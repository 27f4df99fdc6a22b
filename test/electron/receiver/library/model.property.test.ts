/**
 * Property: any sequence of adds, removes, flushes, clean reopens and crashes (some of them leaving
 * journal lines of older receivers, the unfinished-upload lines, behind) leaves the index showing
 * exactly what an in-memory model says (acknowledged changes only, newest first).
 */
import fs from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LibraryIndex } from '../../../../electron/receiver/library/library-index';
import type { StoredResource } from '../../../../electron/receiver/library/types';
import {
  crashImage,
  indexFile,
  legacyUpload,
  openIndex,
  resource,
  tempFolder,
  view,
} from '../../../helpers/library/helpers';

type Op =
  | { kind: 'add'; n: number; pathOf: number; second: number }
  | { kind: 'remove'; n: number }
  | { kind: 'burst'; adds: Array<{ n: number; pathOf: number; second: number }> }
  /** A crash, then old-format upload lines appended to the journal (as an older receiver wrote them). */
  | { kind: 'legacyCrash'; uploads: Array<{ key: number; remove: boolean }> }
  | { kind: 'flush' }
  | { kind: 'reopen' }
  | { kind: 'crash' };

const addArb = fc.record({
  n: fc.integer({ min: 0, max: 12 }),
  pathOf: fc.integer({ min: 0, max: 12 }),
  second: fc.integer({ min: 0, max: 6 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: addArb.map((a) => ({ kind: 'add' as const, ...a })), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => ({ kind: 'remove' as const, n })), weight: 2 },
  {
    arbitrary: fc.array(addArb, { minLength: 2, maxLength: 6 }).map((adds) => ({ kind: 'burst' as const, adds })),
    weight: 2,
  },
  {
    arbitrary: fc
      .array(fc.record({ key: fc.integer({ min: 0, max: 3 }), remove: fc.boolean() }), { minLength: 1, maxLength: 4 })
      .map((uploads) => ({ kind: 'legacyCrash' as const, uploads })),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'flush' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reopen' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'crash' as const }), weight: 1 },
);

class Model {
  private readonly records = new Map<string, { record: StoredResource; order: number }>();
  private order = 0;

  add(record: StoredResource): 'added' | 'same' | 'conflict' {
    const existing = this.records.get(record.sha256);
    if (existing) return existing.record.path === record.path ? 'same' : 'conflict';
    for (const [sha, entry] of this.records) if (entry.record.path === record.path) this.records.delete(sha);
    this.records.set(record.sha256, { record, order: this.order++ });
    return 'added';
  }

  remove(sha256: string): void {
    this.records.delete(sha256);
  }

  list(): StoredResource[] {
    return [...this.records.values()]
      .sort((a, b) =>
        a.record.storedAt < b.record.storedAt ? 1 : a.record.storedAt > b.record.storedAt ? -1 : b.order - a.order,
      )
      .map((entry) => entry.record);
  }
}

/** Appends `putUpload` / `removeUpload` lines, numbered on from the crash image's last change. */
async function appendLegacyLines(folder: string, uploads: Array<{ key: number; remove: boolean }>): Promise<void> {
  const journal = indexFile(folder, 'journal.jsonl');
  const lines = (await fs.readFile(journal, 'utf8')).split('\n').filter(Boolean).slice(1);
  const last = lines.at(-1);
  const snapshot = JSON.parse(await fs.readFile(indexFile(folder, 'library.json'), 'utf8')) as { seq: number };
  let s = last === undefined ? snapshot.seq : (JSON.parse(last) as { s: number }).s;
  const text = uploads
    .map(({ key, remove }) => {
      s += 1;
      const record = remove
        ? { s, op: 'removeUpload', key: `k${key}` }
        : { s, op: 'putUpload', u: legacyUpload(`k${key}`) };
      return `${JSON.stringify(record)}\n`;
    })
    .join('');
  await fs.appendFile(journal, text);
}

const recordFor = (a: { n: number; pathOf: number; second: number }) =>
  resource(a.n, {
    path: `p/${a.pathOf}.HEIC`,
    storedAt: new Date(Date.UTC(2024, 0, 1) + a.second * 1000).toISOString(),
  });

describe('library index against an in-memory model', () => {
  it('matches the model after any sequence of changes, reopens and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        let folder = await tempFolder();
        const settings = { snapshotEveryChanges: 4 };
        let index: LibraryIndex = await openIndex(folder, settings);
        const model = new Model();
        for (const op of ops) {
          switch (op.kind) {
            case 'add': {
              const record = recordFor(op);
              const expected = model.add(record);
              const outcome = await index.addResource(record).then(
                () => 'ok',
                (e: Error) => e.name,
              );
              expect(outcome).toBe(expected === 'conflict' ? 'LibraryConflictError' : 'ok');
              break;
            }
            case 'burst': {
              const records = op.adds.map(recordFor);
              const expected = records.map((r) => model.add(r));
              const outcomes = await Promise.all(
                records.map((r) =>
                  index.addResource(r).then(
                    () => 'ok',
                    (e: Error) => e.name,
                  ),
                ),
              );
              expect(outcomes).toEqual(expected.map((e) => (e === 'conflict' ? 'LibraryConflictError' : 'ok')));
              break;
            }
            case 'remove':
              model.remove(resource(op.n).sha256);
              await index.removeResource(resource(op.n).sha256);
              break;
            case 'legacyCrash':
              await index.whenDurable();
              folder = await crashImage(folder);
              await appendLegacyLines(folder, op.uploads);
              index = await openIndex(folder, settings);
              expect(index.openedBy).toBe('snapshot'); // the model does not change: those lines mean nothing now
              break;
            case 'flush':
              await index.flush();
              break;
            case 'reopen':
              await index.close();
              index = await openIndex(folder, settings);
              expect(index.openedBy).toBe('snapshot');
              break;
            case 'crash':
              await index.whenDurable(); // without a snapshot
              folder = await crashImage(folder);
              index = await openIndex(folder, settings);
              expect(index.openedBy).toBe('snapshot');
              break;
          }
          const shown = view(index);
          expect(shown.resources).toEqual(model.list());
          expect(shown.totals.resources).toBe(model.list().length);
        }
      }),
      // A run that hangs fails with its counterexample instead of running into the test's timeout;
      // a slow machine runs fewer cases rather than timing out while shrinking.
      { numRuns: 60, timeout: 10_000, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
  }, 120_000);
});
