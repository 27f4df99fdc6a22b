/**
 * Writing PhotoKit answers: interim 1xx responses (Node has no API for 104), final answers that close
 * the connection when the request body was not read, and the response headers the extension keeps.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isShoeboxError, storedUploadHeaders, type ResourceType } from '../../../shared/protocol';
import type { CommitResult } from '../ingest/committer';
import { sendError, sendJson, type Problem } from '../http/http-utils';

/** After an error answered before the body was read, unread bytes are discarded for at most this long. */
const LINGER_MS = 2_000;
/** After a success answered before the body was read, the body is drained unless it stalls this long. */
const DRAIN_IDLE_MS = 30_000;
const SAFE_FIELD_VALUE = /^[\x20-\x7e]*$/;

/**
 * Writes an interim response (e.g. `104 Upload Resumption Supported`) straight to the socket, as
 * writeContinue() does. Only when this response is the one the connection is serving and nothing
 * final went out yet; HTTP/1.0 clients never get one. Returns whether it was written.
 */
export function sendInterim(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Record<string, string>,
): boolean {
  // Node's socket type does not list _httpMessage (the response the socket currently serves).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const socket = res.socket as (ServerResponse['socket'] & { _httpMessage?: unknown }) | null;
  if (!socket || socket.destroyed || !socket.writable || res.headersSent || req.httpVersion === '1.0') return false;
  if (socket._httpMessage !== res) return false;
  const lines = Object.entries(headers).map(([name, value]) => {
    if (!/^[a-z0-9-]+$/i.test(name) || !SAFE_FIELD_VALUE.test(value)) throw new Error(`unsafe interim header ${name}`);
    return `${name}: ${value}\r\n`;
  });
  socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('')}\r\n`);
  return true;
}

/**
 * Errors: marks the answer as the last on this connection when the request body was not fully read;
 * once it is sent, unread body bytes are discarded for a moment and the socket closed (a refused body
 * may be huge or hostile, so it is not read to the end).
 */
function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || res.headersSent) return;
  res.setHeader('connection', 'close');
  res.once('finish', () => {
    req.removeAllListeners('data');
    req.on('error', () => undefined);
    req.resume();
    const socket = req.socket;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/**
 * Successes (e.g. "already stored" known from Repr-Digest before the body came): the rest of the body,
 * bounded by its declared length, is read and discarded, keeping the connection, so a client still
 * sending reads the answer instead of a reset (RFC 9112 section 9.6). A body that stalls is cut.
 */
function drainIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || res.headersSent) return;
  res.once('finish', () => {
    if (req.complete) return;
    req.on('error', () => undefined);
    req.resume();
    const socket = req.socket;
    let lastBytes = socket.bytesRead;
    let lastProgress = Date.now();
    const timer = setInterval(() => {
      if (socket.bytesRead !== lastBytes) {
        lastBytes = socket.bytesRead;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > DRAIN_IDLE_MS) {
        socket.destroy();
      }
    }, 1_000);
    timer.unref();
    const stop = () => clearInterval(timer);
    socket.once('close', stop);
    req.once('end', stop);
  });
}

const headersOfErrors = new WeakMap<object, Record<string, string>>();
const problemsOfErrors = new WeakMap<object, Problem>();

/** Attaches an RFC 9457 problem to an error; answerError then answers application/problem+json. */
export function withProblem<E>(error: E, problem: Problem | null): E {
  if (problem && typeof error === 'object' && error !== null) problemsOfErrors.set(error, problem);
  return error;
}

/** Attaches response headers to an error (e.g. Upload-Limit on TOO_LARGE); answerError sends them. */
export function withHeaders<E>(error: E, headers: Record<string, string>): E {
  if (typeof error === 'object' && error !== null)
    headersOfErrors.set(error, { ...headersOfErrors.get(error), ...headers });
  return error;
}

/** An error answer (status, JSON body, Shoebox-Error, Retry-After) plus attached and `extra` headers. */
export function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  closeIfBodyUnread(req, res);
  const attached = typeof error === 'object' && error !== null ? headersOfErrors.get(error) : undefined;
  for (const [name, value] of Object.entries({ ...attached, ...extra })) res.setHeader(name, value);
  if (isShoeboxError(error) && error.code === 'AUTH_FAILED')
    res.setHeader('www-authenticate', 'Bearer realm="Shoebox"');
  sendError(res, error, typeof error === 'object' && error !== null ? problemsOfErrors.get(error) : undefined);
}

/** An answer without a body (201/204 of the resumable protocol, OPTIONS). */
export function answerEmpty(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
): void {
  if (res.headersSent) return;
  closeIfBodyUnread(req, res);
  res.writeHead(status, {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
    ...(status === 204 ? {} : { 'content-length': '0' }),
  });
  res.end();
}

/** A path or id as a header value: percent-encoded UTF-8, slashes kept. */
export interface StoredAnswer {
  assetId: string;
  resourceType: ResourceType;
  result: CommitResult;
}

/** What the extension reads back from a finished upload (the job keeps response headers, lowercased). */
export function resultHeaders({ assetId, resourceType, result }: StoredAnswer): Record<string, string> {
  // The upload's own asset id and type win over the commit's (whose assetId may be null).
  return storedUploadHeaders({ ...result, assetId, resourceType });
}

/** 201 Created for a new file, 200 OK when the same bytes were already stored; headers and a JSON body. */
export function answerStored(
  req: IncomingMessage,
  res: ServerResponse,
  stored: StoredAnswer,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  drainIfBodyUnread(req, res);
  const { result } = stored;
  const body = {
    assetId: stored.assetId,
    resourceType: stored.resourceType,
    path: result.path,
    sha256: result.sha256,
    size: result.size,
    duplicate: result.duplicate,
    captureDate: result.captureDate,
  };
  sendJson(res, result.duplicate ? 200 : 201, body, { ...resultHeaders(stored), ...extra });
}

/** The absolute URL of `path` on this receiver as the client addressed it (relative when Host is unusable). */
export function absoluteUrl(req: IncomingMessage, path: string): string {
  const host = req.headers.host ?? '';
  if (host.length > 262 || !/^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?$/.test(host))
    return path;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return `${scheme}://${host}${path}`;
}
