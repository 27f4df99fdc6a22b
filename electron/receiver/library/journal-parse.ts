/**
 * Reading `journal.jsonl`: a header line, then one JSON change per line with contiguous sequence numbers.
 * A final line without its newline, or one that is not JSON, is a torn append (the process died while
 * writing it; it was never acknowledged) and is dropped. Anything else wrong is damage.
 */
import { JOURNAL_FORMAT, journalEntrySchema, journalHeaderSchema, firstIssue, type JournalEntry } from './schema';

export type ParsedJournal =
  | {
      ok: true;
      /** Changes in file order (sequence numbers contiguous). */
      entries: JournalEntry[];
      /** Bytes up to the end of the last good line (the file is cut back to this). */
      validBytes: number;
      /** Bytes of a torn final line, 0 when there is none. */
      tornBytes: number;
      /** False for an empty file (or one holding only a torn header). */
      hasHeader: boolean;
    }
  | {
      ok: false;
      reason: string;
      /** Every line that did parse, to enrich a rebuild. */
      salvage: JournalEntry[];
    };

const NEWLINE = 0x0a;

export function parseJournal(bytes: Uint8Array): ParsedJournal {
  const entries: JournalEntry[] = [];
  let hasHeader = false;
  let position = 0;
  let lineNumber = 0;
  let damage: string | null = null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  while (position < buffer.length) {
    const end = buffer.indexOf(NEWLINE, position);
    const complete = end !== -1;
    const lineEnd = complete ? end : buffer.length;
    const isLast = !complete || end + 1 === buffer.length;
    lineNumber += 1;
    const torn = { ok: true as const, entries, validBytes: position, tornBytes: buffer.length - position, hasHeader };
    if (!complete) return damage === null ? torn : { ok: false, reason: damage, salvage: entries };

    let value: unknown;
    try {
      value = JSON.parse(buffer.toString('utf8', position, lineEnd));
    } catch {
      if (isLast && damage === null) return torn;
      damage ??= `line ${lineNumber} is not JSON`;
      position = lineEnd + 1;
      continue;
    }
    position = lineEnd + 1;

    if (!hasHeader && lineNumber === 1) {
      const header = journalHeaderSchema.safeParse(value);
      if (!header.success) {
        const format = (value as { format?: unknown } | null)?.format;
        const version = (value as { version?: unknown } | null)?.version;
        damage ??=
          format === JOURNAL_FORMAT
            ? `journal version ${String(version)} is not supported`
            : 'the journal has no valid header';
      } else hasHeader = true;
      continue;
    }
    const entry = journalEntrySchema.safeParse(value);
    if (!entry.success) {
      damage ??= `line ${lineNumber} fails validation at ${firstIssue(entry.error)}`;
      continue;
    }
    const previous = entries[entries.length - 1];
    if (previous && entry.data.s !== previous.s + 1) {
      damage ??= `line ${lineNumber} has sequence number ${entry.data.s} after ${previous.s}`;
    }
    entries.push(entry.data);
  }
  if (damage !== null) return { ok: false, reason: damage, salvage: entries };
  return { ok: true, entries, validBytes: position, tornBytes: 0, hasHeader };
}
