/** Pairing with a receiver over HTTP (POST /v1/pair), and its info (GET /v1/info). Node 20 and browser (fetch). */
import { PAIRING_CODE_PATTERN, PATHS } from '../protocol/constants';
import {
  httpErrorBodySchema,
  infoSchema,
  pairRequestSchema,
  pairResponseSchema,
  type Info,
  type PairResponse,
} from '../protocol/http-messages';
import type { ErrorCode } from '../protocol/errors';

/** PIN_MISMATCH: a pinned transport refused the receiver's TLS key (see node/pinned-http.ts). */
export type PairingErrorCode = ErrorCode | 'BAD_INPUT' | 'BAD_RESPONSE' | 'NETWORK' | 'PIN_MISMATCH';

export class PairingError extends Error {
  readonly code: PairingErrorCode;
  readonly retryable: boolean;
  /** HTTP status, when the receiver answered. */
  readonly status: number | undefined;
  constructor(code: PairingErrorCode, message: string, retryable: boolean, status?: number) {
    super(message);
    this.name = 'PairingError';
    this.code = code;
    this.retryable = retryable;
    this.status = status;
  }
}

/** http://host:port (IPv6 literals are bracketed). */
export function httpBaseUrl(host: string, port: number, secure = false): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${secure ? 'https' : 'http'}://${h}:${port}`;
}

/** The part of fetch() used here: the browser's or Node's fetch, or a pinned Node transport. */
export type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
}

export interface PairOptions extends HttpOptions {
  /** http(s)://host:port of the receiver. */
  baseUrl: string;
  /** The six digits the receiver shows. */
  code: string;
  deviceName: string;
  /** A stable id this device chose for itself. */
  deviceId: string;
}

export async function pair(options: PairOptions): Promise<PairResponse> {
  if (!PAIRING_CODE_PATTERN.test(options.code))
    throw new PairingError('BAD_INPUT', 'the pairing code is six digits', false);
  const request = pairRequestSchema.safeParse({
    code: options.code,
    deviceName: options.deviceName,
    deviceId: options.deviceId,
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    throw new PairingError(
      'BAD_INPUT',
      issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid pairing request',
      false,
    );
  }
  const body = await requestJson(
    new URL(PATHS.pair, options.baseUrl),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.data),
    },
    options,
  );
  return parseAnswer(pairResponseSchema, body, 'pair');
}

export async function fetchInfo(baseUrl: string, options: HttpOptions = {}): Promise<Info> {
  const body = await requestJson(new URL(PATHS.info, baseUrl), { method: 'GET' }, options);
  return parseAnswer(infoSchema, body, 'info');
}

interface Parser<T> {
  safeParse(
    value: unknown,
  ):
    { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

function parseAnswer<T>(schema: Parser<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new PairingError(
    'BAD_RESPONSE',
    `invalid ${what} answer from the receiver${issue ? `: ${issue.path.join('.')}: ${issue.message}` : ''}`,
    false,
  );
}

/** A PinMismatchError from shared/discovery/tls-pin.nodejs.ts, recognised without importing Node code. */
function isPinMismatch(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_SHOEBOX_PIN_MISMATCH';
}

/** Fetches JSON; a non-2xx answer becomes a PairingError with the receiver's code and message. */
async function requestJson(url: URL, init: RequestInit, options: HttpOptions): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (isPinMismatch(error)) {
      const failure = new PairingError('PIN_MISMATCH', error.message, false);
      failure.cause = error; // keeps the expected and presented pins
      throw failure;
    }
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new PairingError('NETWORK', `cannot reach ${url.origin}: ${cause}`, true);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new PairingError(
      'BAD_RESPONSE',
      `the receiver answered ${response.status} with a body that is not JSON`,
      false,
      response.status,
    );
  }
  if (response.ok) return body;
  const error = httpErrorBodySchema.safeParse(body);
  if (error.success)
    throw new PairingError(
      error.data.error.code,
      error.data.error.message,
      error.data.error.retryable,
      response.status,
    );
  throw new PairingError(
    'BAD_RESPONSE',
    `the receiver answered HTTP ${response.status} without a protocol error body`,
    response.status >= 500,
    response.status,
  );
}
