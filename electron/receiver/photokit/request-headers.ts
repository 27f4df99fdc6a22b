/**
 * Reading a PhotoKit upload request's URL and headers. Every header is hostile input: each is read
 * once (a repeated header is refused), bounded in length and validated (zod where structured) before
 * anything else looks at it. Filenames get exactly the WebSocket path's rules (validateFilename).
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  REPR_DIGEST_KEY,
  SHOEBOX_HEADER_KEY,
  ShoeboxError,
  UPLOAD_HEADER,
  announceSchema,
  captureDateSchema,
  resourceTypeSchema,
  type ResourceType,
} from '../../../shared/protocol';
import { validateFilename } from '../ingest/file-naming';
import { parseReprDigestSha256, parseSfInteger } from './structured-fields';

export const HEADER = {
  filename: SHOEBOX_HEADER_KEY.filename,
  creationDate: SHOEBOX_HEADER_KEY.creationDate,
  reprDigest: REPR_DIGEST_KEY,
  uploadLength: UPLOAD_HEADER.length,
} as const;

function bad(message: string): ShoeboxError {
  return new ShoeboxError('BAD_MESSAGE', message);
}

/** The header's single value, or undefined; refuses repeats and values over `maxLength` characters. */
export function singleHeader(req: IncomingMessage, name: string, maxLength: number): string | undefined {
  const values = req.headersDistinct[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw bad(`Send the ${name} header once, not ${values.length} times.`);
  const value = values[0] ?? '';
  if (value.length > maxLength) throw bad(`The ${name} header is limited to ${maxLength} characters.`);
  return value;
}

export interface UploadTarget {
  assetId: string;
  resourceType: ResourceType;
}

/** `<percent-encoded assetId>/<resourceType>`, what follows /v1/photokit/ in the path. */
export function parseUploadTarget(rest: string): UploadTarget {
  const parts = rest.split('/');
  if (parts.length !== 2)
    throw bad(
      'The path must be /v1/photokit/{assetId}/{resourceType}, with the asset id percent-encoded (its slashes as %2F).',
    );
  let assetId: string;
  try {
    assetId = decodeURIComponent(parts[0] ?? '');
  } catch {
    throw bad('The asset id in the path is not valid percent-encoded UTF-8.');
  }
  const asset = announceSchema.shape.assetId.safeParse(assetId);
  // eslint-disable-next-line no-control-regex -- refuses control characters in the asset id, on purpose
  if (!asset.success || /[\u0000-\u001f\u007f]/.test(assetId))
    throw bad('The asset id must be 1-512 characters without control characters.');
  const type = resourceTypeSchema.safeParse(parts[1]);
  if (!type.success)
    throw bad(
      `Unknown resource type ${JSON.stringify((parts[1] ?? '').slice(0, 40))}; ` +
        `expected one of ${resourceTypeSchema.options.join(', ')}.`,
    );
  return { assetId, resourceType: type.data };
}

/** Shoebox-Filename: percent-encoded UTF-8, or an RFC 8187 ext-value (`UTF-8''IMG%C3%A9.HEIC`). */
export function decodeFilenameHeader(raw: string): string {
  if (!/^[\x20-\x7e]+$/.test(raw))
    throw new ShoeboxError(
      'BAD_FILENAME',
      "Shoebox-Filename must be ASCII: percent-encode the UTF-8 name (or send it as UTF-8''<percent-encoded>).",
    );
  const ext = /^utf-8'[A-Za-z0-9-]*'(.*)$/i.exec(raw);
  let decoded: string;
  try {
    decoded = decodeURIComponent(ext ? (ext[1] ?? '') : raw);
  } catch {
    throw new ShoeboxError('BAD_FILENAME', 'Shoebox-Filename is not valid percent-encoded UTF-8.');
  }
  return validateFilename(decoded);
}

const mediaTypeSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9!#$&^_.+-]{1,127}\/[A-Za-z0-9!#$&^_.+-]{1,127}(?:\s*;[\x20-\x7e]*)?$/, 'not a media type');

export interface UploadMetadata {
  filename: string;
  contentType: string | null;
  captureDate: string | null;
  /** From Repr-Digest, lowercase hex; null when not sent. */
  sha256: string | null;
}

/** The metadata headers of an upload creation (POST/PUT) request. */
export function parseUploadMetadata(req: IncomingMessage): UploadMetadata {
  const rawName = singleHeader(req, HEADER.filename, 1024);
  if (rawName === undefined)
    throw new ShoeboxError(
      'BAD_FILENAME',
      'Send the original filename in the Shoebox-Filename header (percent-encoded UTF-8).',
    );
  const filename = decodeFilenameHeader(rawName);

  const rawType = singleHeader(req, 'content-type', 200);
  let contentType: string | null = null;
  if (rawType !== undefined) {
    if (!mediaTypeSchema.safeParse(rawType).success) throw bad('Content-Type must be a media type such as image/heic.');
    contentType = (rawType.split(';')[0] ?? '').trim().toLowerCase();
  }

  const rawDate = singleHeader(req, HEADER.creationDate, 40);
  if (rawDate !== undefined && !captureDateSchema.safeParse(rawDate).success) {
    throw bad('Shoebox-Creation-Date must be an ISO 8601 date-time such as 2019-08-21T10:57:23+02:00.');
  }

  const rawDigest = singleHeader(req, HEADER.reprDigest, 512);
  const sha256 = rawDigest === undefined ? null : parseReprDigestSha256(rawDigest);
  if (sha256 === 'invalid')
    throw bad('Repr-Digest must be an RFC 9530 dictionary such as sha-256=:<base64 of 32 bytes>:.');

  const encoding = singleHeader(req, 'content-encoding', 100);
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw bad("Send the resource's raw bytes: Content-Encoding is not supported.");
  }
  return { filename, contentType, captureDate: rawDate ?? null, sha256 };
}

/** Content-Length (already checked by Node's parser) or null for a chunked body. */
export function contentLength(req: IncomingMessage): number | null {
  const value = req.headers['content-length'];
  if (value === undefined) return null;
  const length = parseSfInteger(value);
  if (length === null) throw bad('Content-Length is not a valid length.');
  return length;
}

/** Upload-Length (the whole upload's size, RFC 9651 Integer) or null. */
export function uploadLength(req: IncomingMessage): number | null {
  const value = singleHeader(req, HEADER.uploadLength, 20);
  if (value === undefined) return null;
  const length = parseSfInteger(value);
  if (length === null) throw bad('Upload-Length must be a non-negative integer.');
  return length;
}
