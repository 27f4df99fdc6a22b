/**
 * draft-ietf-httpbis-resumable-upload as URLSession speaks it: interop version 3 (iOS 17,
 * `Upload-Incomplete`), 5 (iOS 18.0) and 6 (iOS 18.1+, `Upload-Complete`, PATCH bodies typed
 * `application/partial-upload`). Reading the request fields and writing the response fields per version.
 */
import type { IncomingMessage } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import { singleHeader } from './request-headers';
import { formatSfBoolean, parseSfBoolean, parseSfInteger } from './structured-fields';

export const INTEROP_VERSIONS = [3, 5, 6] as const;
export type InteropVersion = (typeof INTEROP_VERSIONS)[number];
export const LATEST_INTEROP: InteropVersion = 6;
export const PARTIAL_UPLOAD_TYPE = 'application/partial-upload';

export const UPLOAD_HEADER = {
  version: 'upload-draft-interop-version',
  complete: 'upload-complete',
  incomplete: 'upload-incomplete',
  offset: 'upload-offset',
  limit: 'upload-limit',
} as const;

export interface ResumableFields {
  version: InteropVersion;
  /** Whether this request's body ends the upload; null when the request did not say. */
  complete: boolean | null;
  offset: number | null;
}

function bad(message: string): ShoeboxError {
  return new ShoeboxError('BAD_MESSAGE', message);
}

function isSupported(version: number): version is InteropVersion {
  return (INTEROP_VERSIONS as readonly number[]).includes(version);
}

/** The version a request asks for: null without the header, 'unsupported' for versions other than 3, 5, 6. */
export function requestedVersion(req: IncomingMessage): InteropVersion | null | 'unsupported' {
  const raw = singleHeader(req, UPLOAD_HEADER.version, 10);
  if (raw === undefined) return null;
  const version = parseSfInteger(raw);
  if (version === null) throw bad('Upload-Draft-Interop-Version must be an integer.');
  return isSupported(version) ? version : 'unsupported';
}

function readBoolean(req: IncomingMessage, name: string): boolean | null {
  const raw = singleHeader(req, name, 10);
  if (raw === undefined) return null;
  const value = parseSfBoolean(raw);
  if (value === null) throw bad(`${name} must be ?1 or ?0.`);
  return value;
}

/** Upload-Complete (v5, v6) or the negation of Upload-Incomplete (v3). */
export function readComplete(req: IncomingMessage, version: number): boolean | null {
  if (version >= 5) return readBoolean(req, UPLOAD_HEADER.complete);
  const incomplete = readBoolean(req, UPLOAD_HEADER.incomplete);
  return incomplete === null ? null : !incomplete;
}

export function readOffset(req: IncomingMessage): number | null {
  const raw = singleHeader(req, UPLOAD_HEADER.offset, 20);
  if (raw === undefined) return null;
  const offset = parseSfInteger(raw);
  if (offset === null) throw bad('Upload-Offset must be a non-negative integer.');
  return offset;
}

/**
 * The resumable fields of a request to the upload endpoint. null: a plain upload. A version this
 * receiver does not speak is served as a plain upload when it sends the whole body (the draft's fallback),
 * and refused when it announces a partial one.
 */
export function readCreationFields(req: IncomingMessage): ResumableFields | null {
  const version = requestedVersion(req);
  if (version === null) return null;
  if (version === 'unsupported') {
    const complete = readBoolean(req, UPLOAD_HEADER.complete);
    if (complete === false) throw bad(`This receiver speaks resumable-upload interop versions ${INTEROP_VERSIONS.join(', ')}; send the whole body in one request.`);
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
  if (requested === 'unsupported') throw bad(`This receiver speaks resumable-upload interop versions ${INTEROP_VERSIONS.join(', ')}.`);
  const version = requested ?? fallback;
  return { version, complete: readComplete(req, version), offset: readOffset(req) };
}

/** Upload-Complete / Upload-Incomplete in the version's spelling. */
export function completeHeaders(version: InteropVersion, complete: boolean): Record<string, string> {
  return version >= 5 ? { [UPLOAD_HEADER.complete]: formatSfBoolean(complete) } : { [UPLOAD_HEADER.incomplete]: formatSfBoolean(!complete) };
}

/** The fields of every answer about an upload resource: version, completeness, offset. */
export function stateHeaders(version: InteropVersion, state: { complete: boolean; offset: number }): Record<string, string> {
  return {
    [UPLOAD_HEADER.version]: String(version),
    ...completeHeaders(version, state.complete),
    [UPLOAD_HEADER.offset]: String(state.offset),
  };
}

/** Upload-Limit: the largest upload, and (for an existing resource) the seconds it has left. */
export function limitHeader(maxSize: number, maxAgeSeconds?: number): Record<string, string> {
  const age = maxAgeSeconds === undefined ? '' : `, max-age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  return { [UPLOAD_HEADER.limit]: `max-size=${maxSize}${age}` };
}
