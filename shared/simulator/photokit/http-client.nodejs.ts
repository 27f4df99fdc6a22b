/**
 * The HttpClient the simulated system uses in Node: node:http/https, request bodies streamed chunk by
 * chunk, interim answers (104 Upload Resumption Supported) reported, aborts that cut the connection
 * mid-body. With a pin every request opens its own TLS connection that trusts exactly the receiver's
 * key (connectPinned: nothing is sent before the pin matched), as the phone trusts only the receiver's CA.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { connectPinned } from '../../discovery/tls-pin.nodejs';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client';

export interface NodeHttpClientOptions {
  /** SPKI pin from pairing: required for https:// URLs. */
  pin?: string;
  /** Local address to connect from. */
  localAddress?: string;
  /** A request with no progress for this long fails; default 60 s. */
  idleTimeoutMs?: number;
  /**
   * After the request head, how long to wait for an early answer (a 104, or a final answer such as
   * 200 already stored) before the body starts; default 50 ms, so a cut early in the body usually
   * finds a Location to resume from. (Shoebox drains the rest of a body it answered early, so an
   * early answer stays readable either way.)
   */
  earlyAnswerMs?: number;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function nodeHttpClient(options: NodeHttpClientOptions = {}): HttpClient {
  return { seesInterimResponses: true, request: (request) => send(request, options) };
}

async function send(request: HttpRequest, options: NodeHttpClientOptions): Promise<HttpResponse> {
  request.signal?.throwIfAborted();
  const url = new URL(request.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const timeoutMs = options.idleTimeoutMs ?? 60_000;
  let socket: Socket | undefined;
  if (secure) {
    if (!options.pin) throw new TypeError(`an https:// request needs the receiver's pin: ${url.origin}`);
    socket = await connectPinned({ host, port, pin: options.pin, timeoutMs });
    if (request.signal?.aborted) {
      socket.destroy();
      request.signal.throwIfAborted();
    }
  }
  const headers: Record<string, string> = {
    ...request.headers,
    ...(request.body ? { 'content-length': String(request.body.length) } : {}),
  };
  const base = { host, port, method: request.method, path: `${url.pathname}${url.search}`, headers };
  // No `agent` with createConnection: with one, Node dials again, unpinned.
  const req = socket
    ? https.request({ ...base, createConnection: () => socket })
    : http.request({ ...base, agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const onAbort = () =>
      req.destroy(request.signal?.reason instanceof Error ? request.signal.reason : new Error('aborted'));
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      request.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no progress from ${url.host} for ${timeoutMs} ms`)));
    let heard: () => void = () => undefined;
    const early = new Promise<void>((resolve) => (heard = resolve));
    req.on('information', (info) => {
      heard();
      request.onInterim?.(info.statusCode, flatten(info.headers));
    });
    req.on('error', (error) => settle(() => reject(error)));
    req.on('response', (res) => {
      answered = true;
      heard();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      res.on('end', () => {
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        if (!req.writableFinished) req.destroy(); // answered before the body was all sent (e.g. 200 already stored)
      });
      res.on('error', (error) => settle(() => reject(error)));
    });

    const write = (chunk: Uint8Array) =>
      new Promise<void>((done, fail) => {
        req.write(chunk, (error) => (error ? fail(error) : done()));
      });
    void (async () => {
      try {
        if (request.body) {
          req.flushHeaders();
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            early,
            new Promise<void>((resolve) => (timer = setTimeout(resolve, options.earlyAnswerMs ?? 50))),
          ]);
          clearTimeout(timer);
          if (answered || settled) return;
          for await (const chunk of request.body.chunks) {
            // Let the event loop read first: an early answer (200 already stored) must be seen before the
            // next write meets the receiver's closed socket.
            await new Promise<void>((resume) => setImmediate(resume));
            if (answered || settled || req.destroyed) break;
            await write(chunk);
          }
        }
        if (!answered && !settled && !req.destroyed && !request.signal?.aborted) req.end();
      } catch (error) {
        req.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  });
}
