/**
 * How the WebSocket path says things, in both directions: announcements become the ingest core's
 * upload specs, and the core's results and errors become server messages. No state; the connection
 * (stream-connection.ts) decides when each is sent.
 */
import type { RawData } from 'ws';
import { ShoeboxError, isShoeboxError, type Announce, type ServerMessage } from '../../../shared/protocol';
import type { CommitResult } from '../ingest/committer';
import { validateFilename } from '../ingest/file-naming';
import type { UploadSpec } from '../ingest/upload-spec';

type Committed = Extract<ServerMessage, { type: 'committed' }>;
type ErrorReply = Extract<ServerMessage, { type: 'error' }>;

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The upload an announcement asks for (the filename validated as on every path). */
export function specOfAnnounce(announce: Announce, deviceId: string): UploadSpec {
  return {
    deviceId,
    assetId: announce.assetId,
    resourceType: announce.resourceType,
    filename: validateFilename(announce.filename),
    size: announce.size,
    sha256: announce.sha256,
    contentType: announce.contentType ?? null,
    captureDate: announce.captureDate ?? null,
  };
}

export function committedMessage(uploadId: number, result: CommitResult): Committed {
  const { path, sha256, size, duplicate, captureDate } = result;
  return { type: 'committed', uploadId, path, sha256, size, duplicate, captureDate };
}

/** Any thrown value as an error reply; `internal` when it was not a ShoeboxError (worth a log line with its stack). */
export function errorReply(error: unknown, uploadId?: number): { reply: ErrorReply; internal: boolean } {
  const e = isShoeboxError(error)
    ? error
    : new ShoeboxError('INTERNAL', `Unexpected receiver error: ${(error as Error)?.message ?? String(error)}`);
  const reply: ErrorReply = {
    type: 'error',
    code: e.code,
    message: e.message,
    retryable: e.retryable,
    ...(uploadId === undefined ? {} : { uploadId }),
    ...(e.offset === undefined ? {} : { offset: e.offset }),
  };
  return { reply, internal: e.code === 'INTERNAL' };
}
