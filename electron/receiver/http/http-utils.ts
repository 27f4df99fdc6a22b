/** Plain HTTP helpers: JSON answers, protocol errors, bounded JSON bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ERROR_CODES,
  SHOEBOX_HEADER_KEY,
  ShoeboxError,
  errorAction,
  isShoeboxError,
  retryAfterSeconds,
  type HttpErrorBody,
} from '../../../shared/protocol';

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The headers every error answer carries: Shoebox-Error, Shoebox-Error-Action and (when retryable) Retry-After. */
export function errorHeaders(e: ShoeboxError): Record<string, string> {
  const headers: Record<string, string> = {
    [SHOEBOX_HEADER_KEY.error]: e.code,
    [SHOEBOX_HEADER_KEY.errorAction]: errorAction(e.code),
  };
  const after = retryAfterSeconds(e.code);
  if (after !== undefined) headers['retry-after'] = String(after);
  return headers;
}

/**
 * An RFC 9457 problem (the resumable-upload draft's problem types): its type URI and members. The
 * answer is then application/problem+json, with Shoebox's `error` member beside the problem's.
 */
export interface Problem {
  type: string;
  title: string;
  members?: Record<string, number | string>;
}

/** Answers with the error's HTTP status, a JSON body and the error headers (errorHeaders). */
export function sendError(res: ServerResponse, error: unknown, problem?: Problem): void {
  const e = isShoeboxError(error) ? error : new ShoeboxError('INTERNAL', 'Unexpected receiver error.');
  const body: HttpErrorBody = {
    error: { code: e.code, message: e.message, retryable: e.retryable, action: errorAction(e.code) },
  };
  const headers = errorHeaders(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!problem) return sendJson(res, ERROR_CODES[e.code].http, body, headers);
  const document = { type: problem.type, title: problem.title, detail: e.message, ...problem.members, ...body };
  sendJson(res, ERROR_CODES[e.code].http, document, {
    ...headers,
    'content-type': 'application/problem+json; charset=utf-8',
  });
}

/** Reads a JSON body of at most `limit` bytes; refuses other content types. */
const JSON_BODY_DEADLINE_MS = 20_000;

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ShoeboxError('BAD_MESSAGE', 'Send the body as application/json.');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ShoeboxError('FRAME_TOO_LARGE', `The body is limited to ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let total = 0;
  // A small body has a deadline of its own (the server sets no overall request timeout: uploads may take hours).
  const deadline = setTimeout(
    () =>
      req.destroy(
        new ShoeboxError('IDLE_TIMEOUT', `The body did not arrive within ${JSON_BODY_DEADLINE_MS / 1000} s.`),
      ),
    JSON_BODY_DEADLINE_MS,
  );
  try {
    for await (const chunk of req) {
      total += (chunk as Buffer).byteLength;
      if (total > limit) throw new ShoeboxError('FRAME_TOO_LARGE', `The body is limited to ${limit} bytes.`);
      chunks.push(chunk as Buffer);
    }
  } finally {
    clearTimeout(deadline);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ShoeboxError('BAD_MESSAGE', 'The body is not valid JSON.');
  }
}

/**
 * The request target as a URL, or null when it is not an origin-form path ("/..."). Node's parser lets
 * absolute-form targets such as "http://a:99999/" through, which `new URL` would throw on.
 */
export function requestUrl(req: IncomingMessage, base = 'http://receiver'): URL | null {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, base);
  } catch {
    return null;
  }
}
