/**
 * HTTPS to a receiver that trusts exactly one TLS key: the SPKI pin from pairing (QR code, --fp or
 * the saved pairing). Node only. Every request opens its own pinned connection (connectPinned:
 * nothing is sent before the pin matched) and runs https.request over it.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { connectPinned } from '../discovery/tls-pin.nodejs';
import type { FetchLike } from './pair';

/** Where to connect and which key to accept. */
export interface PinnedEndpoint {
  host: string;
  port: number;
  /** SPKI pin: SHA-256 of the certificate's public key, base64url. */
  pin: string;
  timeoutMs?: number;
}

export interface PinnedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface PinnedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** DER of the (pinned) leaf certificate the receiver presented. */
  peerCertificate: Buffer;
}

/** Answers bigger than this are refused: the receiver's JSON and its CA are a few KB. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One request over a fresh pinned connection. Rejects with PinMismatchError before sending anything to the wrong
 * key.
 */
export async function pinnedRequest(endpoint: PinnedEndpoint, request: PinnedRequest): Promise<PinnedResponse> {
  const { host, port, pin } = endpoint;
  const timeoutMs = endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const socket = await connectPinned({ host, port, pin, timeoutMs });
  const peerCertificate = socket.getPeerCertificate().raw;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  return new Promise<PinnedResponse>((resolve, reject) => {
    // No `agent` option: with one (even `agent: false`) Node ignores createConnection and dials again, unpinned.
    const req = https.request(
      {
        host,
        port,
        method: request.method,
        path: request.path,
        headers,
        timeout: timeoutMs,
        createConnection: () => socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES)
            req.destroy(new Error(`the answer from ${host}:${port} is larger than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), peerCertificate }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', (error) => {
      socket.destroy();
      reject(error);
    });
    req.end(body);
  });
}

/** A fetch for pair()/fetchInfo() whose every request is pinned; https:// URLs only. */
export function pinnedFetch(pin: string, timeoutMs?: number): FetchLike {
  return async (url, init) => {
    if (url.protocol !== 'https:') throw new TypeError(`a pinned request needs an https:// URL, not ${url.href}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
      throw new TypeError('pinnedFetch sends string bodies only');
    const answer = await pinnedRequest(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 443),
        pin,
        ...(timeoutMs ? { timeoutMs } : {}),
      },
      {
        method: init.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        headers,
        ...(typeof init.body === 'string' ? { body: init.body } : {}),
      },
    );
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const noBody = answer.status === 204 || answer.status === 304 || answer.body.length === 0;
    return new Response(noBody ? null : new Uint8Array(answer.body), {
      status: answer.status,
      headers: responseHeaders,
    });
  };
}

export class UntrustedCaError extends Error {
  override readonly name = 'UntrustedCaError';
}

/**
 * Downloads the receiver's CA (GET /v1/trust/ca.cer, DER) over a pinned connection and checks that
 * it is a CA and the issuer of the pinned certificate presented on that same connection. The PEM it
 * returns lets ordinary TLS clients (a WebSocket) verify the chain, with the pin checked on top.
 */
export async function fetchPinnedCa(endpoint: PinnedEndpoint, path = '/v1/trust/ca.cer'): Promise<string> {
  const answer = await pinnedRequest(endpoint, { method: 'GET', path });
  const where = `${endpoint.host}:${endpoint.port}`;
  if (answer.status !== 200)
    throw new UntrustedCaError(`${where} answered HTTP ${answer.status} for its CA certificate (${path})`);
  let ca: X509Certificate;
  let leaf: X509Certificate;
  try {
    ca = new X509Certificate(answer.body);
    leaf = new X509Certificate(answer.peerCertificate);
  } catch (error) {
    throw new UntrustedCaError(`${where} sent a CA certificate that does not parse: ${(error as Error).message}`);
  }
  if (!ca.ca) throw new UntrustedCaError(`the certificate ${where} sent as its CA is not a CA certificate`);
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    throw new UntrustedCaError(`the CA certificate ${where} sent did not issue its pinned TLS certificate`);
  }
  return ca.toString();
}
