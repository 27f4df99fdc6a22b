/**
 * draft-ietf-httpbis-resumable-upload on the receiver's side, at every interop version of
 * shared/protocol/resumable-interop.ts (3 to 9): reading a request's fields and writing an answer's, in
 * the spelling of the version the client spoke. A version this receiver does not know is served as a
 * plain upload (the draft's fallback for servers that do not support resumption).
 */
import type { IncomingMessage } from 'node:http';
import {
  completeField,
  interopSpec,
  INTEROP_VERSIONS,
  isInteropVersion,
  limitValue,
  PROBLEM_TYPE,
  ShoeboxError,
  UPLOAD_HEADER,
  type InteropVersion,
  type ProblemType,
} from '../../../shared/protocol';
import type { Problem } from '../http/http-utils';
import { singleHeader } from './request-headers';
import { parseSfBoolean, parseSfInteger } from './structured-fields';

export interface ResumableFields {
  version: InteropVersion;
  /** Whether this request's body ends the upload; null when the request did not say. */
  complete: boolean | null;
  offset: number | null;
}

function bad(message: string): ShoeboxError {
  return new ShoeboxError('BAD_MESSAGE', message);
}

/** The version a request asks for: null without the header, or the number, known or not. */
export function requestedVersion(req: IncomingMessage): number | null {
  const raw = singleHeader(req, UPLOAD_HEADER.version, 10);
  if (raw === undefined) return null;
  const version = parseSfInteger(raw);
  if (version === null) throw bad('Upload-Draft-Interop-Version must be an integer.');
  return version;
}

function readBoolean(req: IncomingMessage, name: string): boolean | null {
  const raw = singleHeader(req, name, 10);
  if (raw === undefined) return null;
  const value = parseSfBoolean(raw);
  if (value === null) throw bad(`${name} must be ?1 or ?0.`);
  return value;
}

/** Upload-Complete, or the negation of Upload-Incomplete, as the version spells it. */
export function readComplete(req: IncomingMessage, version: InteropVersion): boolean | null {
  const field = interopSpec(version).completeField;
  const value = readBoolean(req, field);
  if (value === null) return null;
  return field === UPLOAD_HEADER.complete ? value : !value;
}

export function readOffset(req: IncomingMessage): number | null {
  const raw = singleHeader(req, UPLOAD_HEADER.offset, 20);
  if (raw === undefined) return null;
  const offset = parseSfInteger(raw);
  if (offset === null) throw bad('Upload-Offset must be a non-negative integer.');
  return offset;
}

const SPOKEN = `${INTEROP_VERSIONS[0]} to ${INTEROP_VERSIONS[INTEROP_VERSIONS.length - 1]}`;

/**
 * The resumable fields of a request to the upload endpoint. null: a plain upload. A version this
 * receiver does not know is served as a plain upload when it sends the whole body (`onUnknown` hears of
 * it), and refused when it announces a partial one.
 */
export function readCreationFields(req: IncomingMessage, onUnknown: (version: number) => void): ResumableFields | null {
  const version = requestedVersion(req);
  if (version === null) return null;
  if (!isInteropVersion(version)) {
    onUnknown(version);
    if (readBoolean(req, UPLOAD_HEADER.complete) === false || readBoolean(req, UPLOAD_HEADER.incomplete) === true) {
      throw bad(
        `This receiver speaks resumable-upload interop versions ${SPOKEN}, not ${version}; ` +
          `send the whole body in one request.`,
      );
    }
    return null;
  }
  const complete = readComplete(req, version);
  if (complete === null) return null;
  const offset = readOffset(req);
  if (offset !== null && offset !== 0) throw bad('A new upload starts at Upload-Offset 0.');
  return { version, complete, offset };
}

/** The fields of a request to an upload resource (HEAD, PATCH, DELETE); `fallback` when no version is sent. */
export function readResourceFields(req: IncomingMessage, fallback: InteropVersion): ResumableFields {
  const requested = requestedVersion(req);
  if (requested !== null && !isInteropVersion(requested))
    throw bad(`This receiver speaks resumable-upload interop versions ${SPOKEN}, not ${requested}.`);
  const version = requested ?? fallback;
  return { version, complete: readComplete(req, version), offset: readOffset(req) };
}

/** The fields of every answer about an upload resource: version, completeness, offset. */
export function stateHeaders(
  version: InteropVersion,
  state: { complete: boolean; offset: number },
): Record<string, string> {
  return {
    [UPLOAD_HEADER.version]: String(version),
    ...completeField(version, state.complete),
    [UPLOAD_HEADER.offset]: String(state.offset),
  };
}

/** Upload-Limit where the version has it: the largest upload and, for an existing resource, the seconds it has left. */
export function limitHeader(version: InteropVersion, maxSize: number, secondsLeft?: number): Record<string, string> {
  const value = limitValue(version, maxSize, secondsLeft);
  return value === null ? {} : { [UPLOAD_HEADER.limit]: value };
}

/**
 * Upload-Limit on OPTIONS, whatever the version: iOS treats a 200 with Upload-Limit as "resumable
 * uploads supported", and the field is harmless to a client whose version predates it.
 */
export function optionsLimitHeader(maxSize: number): Record<string, string> {
  return { [UPLOAD_HEADER.limit]: `max-size=${maxSize}` };
}

const PROBLEM_TITLES: Record<ProblemType, string> = {
  mismatchingOffset: 'Offset from request does not match offset of resource',
  completedUpload: 'Upload is already completed',
  inconsistentLength: 'Inconsistent length values for upload',
};

/** The version's RFC 9457 problem of this kind; null when the version defines none. */
export function problemOf(
  version: InteropVersion,
  kind: ProblemType,
  members?: Record<string, number>,
): Problem | null {
  if (!interopSpec(version).problems.includes(kind)) return null;
  return { type: PROBLEM_TYPE[kind], title: PROBLEM_TITLES[kind], ...(members ? { members } : {}) };
}
