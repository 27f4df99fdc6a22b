/**
 * "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload) as each interop version spells it,
 * after the draft's change log, version by version. One table for both ends: the receiver reads requests
 * and writes answers with it, the simulated iOS side writes requests with it. Sources per version are in
 * docs/PROTOCOL.md ("Interop versions"). Version 10 exists in Apple's example code but no published
 * revision defines it yet: like any version not listed, it gets a plain upload. Node and browser.
 */

export const INTEROP_VERSIONS = [3, 4, 5, 6, 7, 8, 9] as const;
export type InteropVersion = (typeof INTEROP_VERSIONS)[number];
/** What URLSession sends on iOS 26 (and macOS 26). */
export const IOS26_INTEROP: InteropVersion = 8;
export const LATEST_INTEROP: InteropVersion = 9;
export const PARTIAL_UPLOAD_TYPE = 'application/partial-upload';

export const UPLOAD_HEADER = {
  version: 'upload-draft-interop-version',
  complete: 'upload-complete',
  incomplete: 'upload-incomplete',
  offset: 'upload-offset',
  length: 'upload-length',
  limit: 'upload-limit',
} as const;

/** RFC 9457 problem types the draft registers (https://iana.org/assignments/http-problem-types). */
export const PROBLEM_TYPE = {
  mismatchingOffset: 'https://iana.org/assignments/http-problem-types#mismatching-upload-offset',
  completedUpload: 'https://iana.org/assignments/http-problem-types#completed-upload',
  inconsistentLength: 'https://iana.org/assignments/http-problem-types#inconsistent-upload-length',
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPE;

export interface InteropSpec {
  version: InteropVersion;
  /** The draft revision(s) that define this version. */
  drafts: string;
  /** Upload-Incomplete (?1 = more follows) or Upload-Complete (?1 = this ends it). */
  completeField: typeof UPLOAD_HEADER.complete | typeof UPLOAD_HEADER.incomplete;
  /** Upload-Length (the whole upload's size) exists: on creation and append requests, and HEAD answers. */
  uploadLength: boolean;
  /** Upload-Limit exists, and the key its remaining lifetime goes by (`expires` until 6, `max-age` from 7). */
  limit: { ageKey: 'expires' | 'max-age' } | null;
  /** PATCH bodies must be typed application/partial-upload. */
  partialUploadType: boolean;
  /** The problem types this version defines (answers carry them as application/problem+json). */
  problems: readonly ProblemType[];
  /**
   * The status of an append (PATCH) that does not complete the upload: 201 in the early drafts, 204 in the later
   * examples.
   */
  incompleteAppendStatus: 201 | 204;
  /**
   * An append to an upload that is already complete: `refuse` (400, completed-upload where defined),
   * `gone` (410 for an empty append, inconsistent length otherwise: interop 8), `replay` (the final answer
   * again for an empty append, inconsistent length otherwise: interop 9).
   */
  appendToComplete: 'refuse' | 'gone' | 'replay';
  /** The offset may also be read with GET (interop 9). */
  offsetByGet: boolean;
}

const EARLY = {
  uploadLength: false,
  limit: null,
  partialUploadType: false,
  problems: [],
  incompleteAppendStatus: 201,
  appendToComplete: 'refuse',
  offsetByGet: false,
} as const;
const ALL_PROBLEMS = ['mismatchingOffset', 'completedUpload', 'inconsistentLength'] as const;

const SPECS: Record<InteropVersion, InteropSpec> = {
  3: { ...EARLY, version: 3, drafts: '-01 (2023-03-02)', completeField: 'upload-incomplete' },
  4: { ...EARLY, version: 4, drafts: '-02 (2023-10-19)', completeField: 'upload-complete' },
  5: { ...EARLY, version: 5, drafts: '-03 (2024-03-04)', completeField: 'upload-complete' },
  6: {
    ...EARLY,
    version: 6,
    drafts: '-04 (2024-07-08), -05 (2024-10-21)',
    completeField: 'upload-complete',
    uploadLength: true,
    limit: { ageKey: 'expires' },
    partialUploadType: true,
    problems: ['mismatchingOffset', 'completedUpload'],
  },
  7: {
    ...EARLY,
    version: 7,
    drafts: '-06, -07, -08 (2025-04-08)',
    completeField: 'upload-complete',
    uploadLength: true,
    limit: { ageKey: 'max-age' },
    partialUploadType: true,
    problems: ALL_PROBLEMS,
    incompleteAppendStatus: 204,
  },
  8: {
    ...EARLY,
    version: 8,
    drafts: '-09 (2025-06-04), -10 (2025-10-20), -11',
    completeField: 'upload-complete',
    uploadLength: true,
    limit: { ageKey: 'max-age' },
    partialUploadType: true,
    problems: ALL_PROBLEMS,
    incompleteAppendStatus: 204,
    appendToComplete: 'gone',
  },
  9: {
    ...EARLY,
    version: 9,
    drafts: '-12 (2026-07-06)',
    completeField: 'upload-complete',
    uploadLength: true,
    limit: { ageKey: 'max-age' },
    partialUploadType: true,
    problems: ['mismatchingOffset', 'inconsistentLength'],
    incompleteAppendStatus: 204,
    appendToComplete: 'replay',
    offsetByGet: true,
  },
};

export function isInteropVersion(value: number): value is InteropVersion {
  return (INTEROP_VERSIONS as readonly number[]).includes(value);
}

export function interopSpec(version: InteropVersion): InteropSpec {
  return SPECS[version];
}

/** Upload-Complete / Upload-Incomplete in the version's spelling. */
export function completeField(version: InteropVersion, complete: boolean): Record<string, string> {
  const spec = SPECS[version];
  const value = spec.completeField === UPLOAD_HEADER.complete ? complete : !complete;
  return { [spec.completeField]: value ? '?1' : '?0' };
}

/** Whether fields say the upload is complete, in the version's spelling; undefined when they do not say. */
export function statesComplete(
  version: InteropVersion,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): boolean | undefined {
  const spec = SPECS[version];
  const raw = headers[spec.completeField];
  const value = typeof raw === 'string' ? raw.trim() : undefined;
  if (value !== '?1' && value !== '?0') return undefined;
  return spec.completeField === UPLOAD_HEADER.complete ? value === '?1' : value === '?0';
}

/** Upload-Limit's value: the largest upload and, for an existing resource, the seconds it has left. */
export function limitValue(version: InteropVersion, maxSize: number, secondsLeft?: number): string | null {
  const { limit } = SPECS[version];
  if (!limit) return null;
  return secondsLeft === undefined
    ? `max-size=${maxSize}`
    : `max-size=${maxSize}, ${limit.ageKey}=${Math.max(0, Math.floor(secondsLeft))}`;
}
