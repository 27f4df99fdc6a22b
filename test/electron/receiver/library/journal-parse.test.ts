import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../../electron/receiver/library/journal-parse';
import { JOURNAL_HEADER_LINE, type JournalEntry } from '../../../../electron/receiver/library/schema';
import { legacyUpload, resource } from '../../../helpers/library/fixtures';

function journalBytes(entries: JournalEntry[]): Buffer {
  return Buffer.from(JOURNAL_HEADER_LINE + entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
}

const entryArb = (s: number): fc.Arbitrary<JournalEntry> =>
  fc.oneof(
    fc.nat(50).map((n) => ({ s, op: 'add' as const, r: resource(n, { originalFilename: `Été ${n}.HEIC` }) })),
    fc.nat(50).map((n) => ({ s, op: 'remove' as const, sha: resource(n).sha256 })),
    // Lines of older receivers (unfinished uploads): still read, so their sequence numbers count.
    fc.nat(5).map((k) => ({ s, op: 'putUpload' as const, u: legacyUpload(`k${k}`) })),
    fc.nat(5).map((k) => ({ s, op: 'removeUpload' as const, key: `k${k}` })),
  );
const journalArb = fc.nat(20).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => entryArb(i + 1))));

describe('journal parsing', () => {
  it('recovers exactly the complete lines when a crash cuts the file at any byte', () => {
    fc.assert(
      fc.property(journalArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(3), (entries, where, zeroes) => {
        const whole = journalBytes(entries);
        const cut = Math.floor(where * whole.length);
        const torn = Buffer.concat([whole.subarray(0, cut), Buffer.alloc(zeroes)]);
        const parsed = parseJournal(torn);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const complete = whole.subarray(0, cut).toString('utf8').split('\n').length - 1; // lines with their newline
        expect(parsed.entries).toEqual(entries.slice(0, Math.max(0, complete - 1)));
        expect(parsed.hasHeader).toBe(complete >= 1);
        expect(parsed.validBytes + parsed.tornBytes).toBe(torn.length);
        expect(torn.subarray(0, parsed.validBytes).toString('utf8')).toBe(
          whole.subarray(0, parsed.validBytes).toString('utf8'),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('reports damage in the middle, gaps, unknown changes and foreign headers, salvaging what parsed', () => {
    const entries: JournalEntry[] = [1, 2, 3].map((s) => ({ s, op: 'add', r: resource(s) }));
    const lines = journalBytes(entries).toString('utf8').split('\n');
    const variant = (index: number, text: string) =>
      Buffer.from(lines.map((l, i) => (i === index ? text : l)).join('\n'));
    const middle = parseJournal(variant(2, '{"s":2,"op":"ad'));
    expect(middle).toMatchObject({ ok: false, reason: 'line 3 is not JSON' });
    expect(middle.ok ? [] : middle.salvage.map((e) => e.s)).toEqual([1, 3]);
    expect(parseJournal(variant(2, JSON.stringify({ s: 7, op: 'remove', sha: resource(1).sha256 })))).toMatchObject({
      ok: false,
      reason: 'line 3 has sequence number 7 after 1',
    });
    expect(parseJournal(variant(3, JSON.stringify({ s: 3, op: 'rename', from: 'a' })))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^line 4 fails validation/) as unknown,
    });
    expect(parseJournal(variant(0, '{"format":"something-else","version":1}'))).toMatchObject({
      ok: false,
      reason: 'the journal has no valid header',
    });
    expect(parseJournal(Buffer.alloc(0))).toEqual({
      ok: true,
      entries: [],
      validBytes: 0,
      tornBytes: 0,
      hasHeader: false,
    });
  });
});
