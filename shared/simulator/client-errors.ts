/** Failures the client reports besides the receiver's own error codes. Node and browser. */
import type { ErrorCode } from '../protocol/errors';

export const CLIENT_ERROR_CODES = {
  CONNECTION_FAILED: 'Could not reach the receiver, or lost it too many times in a row.',
  CONNECTION_LOST: 'The connection dropped; the upload resumes on the next one.',
  BAD_SERVER_MESSAGE: 'The receiver sent a message that is not valid protocol v1.',
  RESPONSE_TIMEOUT: 'The receiver stopped answering.',
  NO_PROGRESS: 'The upload was resumed many times without the receiver holding more bytes.',
  SOURCE_READ_FAILED: 'The file could not be read.',
  COMMIT_MISMATCH: 'The receiver committed a size or SHA-256 other than the one announced.',
  SIMULATED_DROP: 'The simulator dropped the connection on purpose (dropEvery).',
  CANCELLED: 'The upload was cancelled or the client closed.',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** Who said it: the receiver (one of its ERROR_CODES) or this client. */
export interface FailureReason {
  code: ErrorCode | ClientErrorCode;
  message: string;
  retryable: boolean;
  origin: 'receiver' | 'client';
}

export function clientFailure(
  code: ClientErrorCode,
  message: string = CLIENT_ERROR_CODES[code],
  retryable = false,
): FailureReason {
  return { code, message, retryable, origin: 'client' };
}

/** Thrown (or used as an abort reason) to carry a FailureReason through promise chains. */
export class UploadFailure extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason) {
    super(`${reason.code}: ${reason.message}`);
    this.name = 'UploadFailure';
    this.reason = reason;
  }
}

export function failureOf(error: unknown, fallback: ClientErrorCode): FailureReason {
  if (error instanceof UploadFailure) return error.reason;
  const message = error instanceof Error ? error.message : String(error);
  return clientFailure(fallback, message);
}
