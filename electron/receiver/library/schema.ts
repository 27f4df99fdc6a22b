/** zod schemas for the index files: the lowdb snapshot and the journal lines. */
import { z } from 'zod';
import { RESOURCE_TYPES } from '../../../shared/protocol';
import type { StoredResource } from './types';

export const SNAPSHOT_FORMAT = 'shoebox-library-index';
export const JOURNAL_FORMAT = 'shoebox-library-journal';
export const INDEX_VERSION = 1;

const SHA256 = /^[0-9a-f]{64}$/;
const CAPTURE_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const STORED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A relative path inside the backup folder: forward slashes; no empty, '.', '..' or hidden segments; no
 * backslash, NUL or drive letter. One regular expression, as it runs for every record of a snapshot.
 */
// eslint-disable-next-line no-control-regex -- NUL is refused in a path on purpose
const SAFE_RELATIVE_PATH = /^(?![A-Za-z]:)[^/\\\u0000.][^/\\\u0000]*(?:\/[^/\\\u0000.][^/\\\u0000]*)*$/;

export function isSafeRelativePath(value: string): boolean {
  return value.length <= 4096 && SAFE_RELATIVE_PATH.test(value);
}

export const storedResourceSchema = z.strictObject({
  sha256: z.string().regex(SHA256, 'sha256 must be 64 lowercase hex digits'),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  path: z
    .string()
    .max(4096)
    .regex(SAFE_RELATIVE_PATH, 'path must be relative, with forward slashes and no ".", ".." or hidden segments'),
  assetId: z.string().min(1).nullable(),
  resourceType: z.enum(RESOURCE_TYPES).nullable(),
  deviceId: z.string().min(1).nullable(),
  originalFilename: z.string().min(1),
  contentType: z.string().nullable(),
  captureDate: z.string().regex(CAPTURE_DATE, "captureDate must be 'YYYY-MM-DDTHH:mm:ss'"),
  storedAt: z.string().regex(STORED_AT, 'storedAt must be written by Date.prototype.toISOString()'),
}) satisfies z.ZodType<StoredResource>;

export const snapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(INDEX_VERSION),
  /** Sequence number of the last journal entry this snapshot includes. */
  seq: z.number().int().nonnegative(),
  savedAt: z.string(),
  /** Ordered by storedAt, oldest first (ties in the order they were recorded). */
  resources: z.array(storedResourceSchema),
  /**
   * Unfinished uploads, as snapshots written before the staging sidecar became their only record held
   * them: accepted and ignored (never written again).
   */
  uploads: z.array(z.unknown()).optional(),
});
export type SnapshotData = z.infer<typeof snapshotSchema>;

export function emptySnapshot(): SnapshotData {
  return { format: SNAPSHOT_FORMAT, version: INDEX_VERSION, seq: 0, savedAt: '', resources: [] };
}

export const journalHeaderSchema = z.strictObject({
  format: z.literal(JOURNAL_FORMAT),
  version: z.literal(INDEX_VERSION),
});
export const JOURNAL_HEADER_LINE = `${JSON.stringify({ format: JOURNAL_FORMAT, version: INDEX_VERSION })}\n`;

/** One change, as the journal records it (without its sequence number). */
export type Change = { op: 'add'; r: StoredResource } | { op: 'remove'; sha: string };

/**
 * Journal lines of unfinished uploads (`putUpload`, `removeUpload`), as journals written before the
 * staging sidecar became their only record hold them: read (their sequence numbers count), applied as
 * nothing, never written again.
 */
export const LEGACY_OPS = ['putUpload', 'removeUpload'] as const;
export type LegacyEntry = { s: number; op: (typeof LEGACY_OPS)[number] } & Record<string, unknown>;

export const journalEntrySchema = z.discriminatedUnion('op', [
  z.strictObject({ s: z.number().int().positive(), op: z.literal('add'), r: storedResourceSchema }),
  z.strictObject({ s: z.number().int().positive(), op: z.literal('remove'), sha: z.string().regex(SHA256) }),
  z.looseObject({ s: z.number().int().positive(), op: z.enum(LEGACY_OPS) }),
]);
/** A journal line as read: a change with its sequence number, or a legacy line. */
export type JournalEntry = (Change & { s: number }) | LegacyEntry;

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`;
}
