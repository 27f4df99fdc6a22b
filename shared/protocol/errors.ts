/**
 * Error codes the receiver answers with, over WebSocket and HTTP alike.
 * - `retryable`: whether trying the same thing again later can succeed.
 * - `action`: what a PhotoKit upload extension does with a failed job that carries this code
 *   (sent as `Shoebox-Error-Action`): `retry` it now (retry(destination:), once), `recreate` a job
 *   for the resource after `retryAfter` seconds, or `give-up` (record it and tell the user).
 * - `retryAfter`: seconds for `Retry-After` on retryable answers.
 */
export const ERROR_ACTIONS = ['retry', 'recreate', 'give-up'] as const;
export type ErrorAction = (typeof ERROR_ACTIONS)[number];

interface ErrorSpec {
  retryable: boolean;
  http: number;
  action: ErrorAction;
  retryAfter?: number;
  summary: string;
}

export const ERROR_CODES = {
  BAD_MESSAGE: {
    retryable: false,
    http: 400,
    action: 'give-up',
    summary: 'The message is malformed or fails validation.',
  },
  UNKNOWN_MESSAGE: {
    retryable: false,
    http: 400,
    action: 'give-up',
    summary: 'The message type is not part of the protocol.',
  },
  NOT_FOUND: { retryable: false, http: 404, action: 'give-up', summary: 'No such endpoint.' },
  UNSUPPORTED_PROTOCOL: {
    retryable: false,
    http: 400,
    action: 'give-up',
    summary: 'The client speaks a protocol version the receiver does not.',
  },
  AUTH_REQUIRED: {
    retryable: false,
    http: 401,
    action: 'give-up',
    summary: 'The first message must be hello with a device token.',
  },
  AUTH_FAILED: {
    retryable: false,
    http: 401,
    action: 'give-up',
    summary: 'The device token is missing, malformed or unknown: pair again.',
  },
  DEVICE_REVOKED: {
    retryable: false,
    http: 403,
    action: 'give-up',
    summary: 'This device was revoked on the computer: pair again.',
  },
  PAIRING_CODE_INVALID: {
    retryable: false,
    http: 403,
    action: 'give-up',
    summary: 'The pairing code is wrong or has expired.',
  },
  PAIRING_RATE_LIMITED: {
    retryable: true,
    http: 429,
    action: 'recreate',
    retryAfter: 60,
    summary: 'Too many wrong pairing codes: wait, then try again.',
  },
  TOO_LARGE: {
    retryable: false,
    http: 413,
    action: 'give-up',
    summary: 'The announced size is over the receiver limit.',
  },
  FRAME_TOO_LARGE: {
    retryable: false,
    http: 413,
    action: 'give-up',
    summary: 'A frame or chunk is over the size limit.',
  },
  BAD_FILENAME: { retryable: false, http: 400, action: 'give-up', summary: 'The filename is unsafe or invalid.' },
  BAD_OFFSET: {
    retryable: true,
    http: 409,
    action: 'retry',
    retryAfter: 1,
    summary: 'A chunk does not start at the offset the receiver holds.',
  },
  OUT_OF_RANGE: {
    retryable: false,
    http: 400,
    action: 'retry',
    summary: 'A chunk reaches past the announced size (the resource changed while it was sent?).',
  },
  UNKNOWN_UPLOAD: {
    retryable: false,
    http: 404,
    action: 'retry',
    summary: 'No upload with that id is open on this connection, or no upload resource at that URL.',
  },
  UPLOAD_ID_IN_USE: {
    retryable: false,
    http: 409,
    action: 'retry',
    summary: 'That upload id is already open on this connection.',
  },
  UPLOAD_COMPLETED: {
    retryable: false,
    http: 410,
    action: 'give-up',
    summary: 'The upload resource is complete: nothing more can be appended (HEAD tells its outcome).',
  },
  UPLOAD_BUSY: {
    retryable: true,
    http: 409,
    action: 'retry',
    retryAfter: 5,
    summary: 'The same upload is in progress on another connection.',
  },
  INCOMPLETE: {
    retryable: true,
    http: 409,
    action: 'retry',
    retryAfter: 1,
    summary: 'finish arrived before every announced byte.',
  },
  CHECKSUM_MISMATCH: {
    retryable: true,
    http: 422,
    action: 'retry',
    retryAfter: 1,
    summary: 'The received bytes do not match the announced SHA-256; the partial upload was discarded.',
  },
  TOO_MANY_UPLOADS: {
    retryable: true,
    http: 429,
    action: 'recreate',
    retryAfter: 60,
    summary: 'Too many uploads open on this connection or for this device.',
  },
  DISK_FULL: {
    retryable: true,
    http: 507,
    action: 'recreate',
    retryAfter: 900,
    summary: 'The backup disk is full: free space, then retry.',
  },
  STORAGE_ERROR: {
    retryable: true,
    http: 500,
    action: 'retry',
    retryAfter: 30,
    summary: 'The receiver could not write to the backup folder.',
  },
  IDLE_TIMEOUT: {
    retryable: true,
    http: 408,
    action: 'retry',
    retryAfter: 5,
    summary: 'The client sent nothing for too long mid-upload.',
  },
  SHUTTING_DOWN: {
    retryable: true,
    http: 503,
    action: 'recreate',
    retryAfter: 60,
    summary: 'The receiver is shutting down; uploads resume when it is back.',
  },
  INTERNAL: { retryable: true, http: 500, action: 'retry', retryAfter: 30, summary: 'Unexpected receiver error.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** What an extension does about a failed job with this code. */
export function errorAction(code: ErrorCode): ErrorAction {
  return ERROR_CODES[code].action;
}

/** Seconds to wait before trying again; undefined for codes that are not retryable. */
export function retryAfterSeconds(code: ErrorCode): number | undefined {
  const spec: ErrorSpec = ERROR_CODES[code];
  return spec.retryable ? spec.retryAfter : undefined;
}

/** An error with a protocol code, thrown inside the receiver and turned into a wire answer at the edge. */
export class ShoeboxError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** For BAD_OFFSET and resumable answers: the offset the receiver holds. */
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShoeboxError';
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
    this.offset = options.offset;
  }
}

export function isShoeboxError(error: unknown): error is ShoeboxError {
  return error instanceof ShoeboxError;
}
