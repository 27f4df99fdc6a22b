/**
 * The events of the ingest core: what happens to an upload, from the first byte to the stored file.
 * `IngestService` emits them for every transport alike; queue views (the activity tracker) and the
 * receiver's `committed` event listen here, never to a transport. A transport only says what it saw
 * (ready, bytes, finish, a dropped connection, an error); the core decides which state that is.
 */
import { ShoeboxError, isShoeboxError } from '../../../shared/protocol';
import type { DeviceSummary } from '../pairing/device-registry';
import type { CommitResult } from './committer';
import type { UploadSpec } from './upload-spec';

/** Who sends an upload, and over what: given to IngestService.begin() by the transport. */
export interface UploadOrigin {
  transport: 'ws' | 'http';
  device: DeviceSummary;
}

/** One upload as an event describes it. */
export interface UploadRef {
  /** Staging key: stable across reconnects and restarts of the same upload. */
  key: string;
  spec: UploadSpec;
  origin: UploadOrigin;
  /** Bytes the receiver holds. */
  received: number;
}

export type UploadEvent = UploadRef &
  /** Bytes are arriving (progress; every write). */
  (
    | { state: 'receiving' }
    /** Every byte is in; the SHA-256 is checked and the file placed. */
    | { state: 'verifying' }
    /**
     * Durably stored (new bytes), or already in the library (`duplicate`). Emitted only after the commit is
     * durable.
     */
    | { state: 'stored' | 'duplicate'; result: CommitResult }
    /** Stopped with the bytes so far kept: the upload resumes when the device is back. */
    | { state: 'interrupted'; error?: ShoeboxError }
    /** Refused or given up: resuming cannot help (bytes dropped, or an error that is not retryable). */
    | { state: 'failed'; error?: ShoeboxError }
  );

export type UploadState = UploadEvent['state'];

/** A file the library now holds for this upload (stored or duplicate): the receiver's `committed` event. */
export interface CommittedUpload {
  device: DeviceSummary;
  filename: string;
  result: CommitResult;
}

export interface IngestEvents {
  /** Every state change and progress of every upload, in order per upload. */
  upload: [event: UploadEvent];
  /** After the `stored` / `duplicate` upload event of the same upload. */
  committed: [event: CommittedUpload];
}

/** Any thrown value as a ShoeboxError: ShoeboxErrors keep their code, anything else reads as INTERNAL. */
export function asShoeboxError(error: unknown): ShoeboxError {
  return isShoeboxError(error) ? error : new ShoeboxError('INTERNAL', String(error));
}

/** Whether an upload stopped by this error can resume: a retryable ShoeboxError (anything unexpected cannot). */
export function resumableAfter(error: unknown): boolean {
  return isShoeboxError(error) && error.retryable;
}
