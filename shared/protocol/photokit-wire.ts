/**
 * The PhotoKit HTTP path's own wire constants, for both ends (the receiver and the simulated
 * extension): paths, Shoebox's header names and the headers a stored upload is answered with.
 * The IETF resumable-upload fields are in resumable-interop.ts. Browser-safe (no Buffer).
 * docs/PROTOCOL.md ("PhotoKit background uploads") documents each.
 */
import type { ResourceType } from './constants';

export const PHOTOKIT_PATHS = {
  /** `POST`/`PUT /v1/photokit/{percent-encoded asset id}/{resource type}`: one upload. */
  uploads: '/v1/photokit/',
  /** `HEAD`/`PATCH`/`DELETE /v1/uploads/{id}`: a resumable upload resource. */
  resources: '/v1/uploads/',
} as const;

/** /v1/photokit/{percent-encoded asset id}/{resource type} */
export function photokitPath(assetId: string, resourceType: ResourceType): string {
  return `${PHOTOKIT_PATHS.uploads}${encodeURIComponent(assetId)}/${resourceType}`;
}

/** Shoebox's headers as documented and sent (HTTP field names are case-insensitive). */
export const SHOEBOX_HEADER = {
  token: 'Shoebox-Token',
  filename: 'Shoebox-Filename',
  creationDate: 'Shoebox-Creation-Date',
  assetId: 'Shoebox-Asset-Id',
  resourceType: 'Shoebox-Resource-Type',
  path: 'Shoebox-Path',
  size: 'Shoebox-Size',
  duplicate: 'Shoebox-Duplicate',
  captureDate: 'Shoebox-Capture-Date',
  error: 'Shoebox-Error',
  errorAction: 'Shoebox-Error-Action',
} as const;

type HeaderName = keyof typeof SHOEBOX_HEADER;

/** The same names lowercased, as Node's `req.headers` and URLSession's stored response fields key them. */
export const SHOEBOX_HEADER_KEY = Object.fromEntries(
  Object.entries(SHOEBOX_HEADER).map(([name, value]) => [name, value.toLowerCase()]),
) as { readonly [K in HeaderName]: Lowercase<(typeof SHOEBOX_HEADER)[K]> };

/** RFC 9530 Repr-Digest with a SHA-256 (a Structured Fields byte sequence). */
export const REPR_DIGEST_KEY = 'repr-digest';

export function formatReprDigest(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/i.test(sha256Hex)) throw new RangeError('a SHA-256 is 64 hex digits');
  let binary = '';
  for (let i = 0; i < 64; i += 2) binary += String.fromCharCode(parseInt(sha256Hex.slice(i, i + 2), 16));
  return `sha-256=:${btoa(binary)}:`;
}

/** Shoebox-Path: each path segment percent-encoded, the slashes kept. */
export function encodeHeaderPath(value: string): string {
  return value.split('/').map(encodeURIComponent).join('/');
}

/** The folder-relative path a Shoebox-Path header carries; the raw value if it does not decode. */
export function decodeHeaderPath(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return value.split('/').map(decodeURIComponent).join('/');
  } catch {
    return value;
  }
}

export interface StoredUpload {
  assetId: string;
  resourceType: ResourceType;
  /** Folder-relative path of the stored file. */
  path: string;
  size: number;
  duplicate: boolean;
  captureDate: string;
  sha256: string;
}

/** The headers a stored (201) or already stored (200) upload is answered with, keyed lowercase. */
export function storedUploadHeaders(stored: StoredUpload): Record<string, string> {
  return {
    [SHOEBOX_HEADER_KEY.assetId]: encodeURIComponent(stored.assetId),
    [SHOEBOX_HEADER_KEY.resourceType]: stored.resourceType,
    [SHOEBOX_HEADER_KEY.path]: encodeHeaderPath(stored.path),
    [SHOEBOX_HEADER_KEY.size]: String(stored.size),
    [SHOEBOX_HEADER_KEY.duplicate]: stored.duplicate ? '?1' : '?0',
    [SHOEBOX_HEADER_KEY.captureDate]: stored.captureDate,
    [REPR_DIGEST_KEY]: formatReprDigest(stored.sha256),
  };
}
