/**
 * A small HTTP client for PhotoKit endpoint tests (node:http, so interim 1xx answers are seen), plus
 * a raw-socket exchange for asserting on the bytes of the wire itself.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

export interface Interim {
  status: number;
  headers: IncomingHttpHeaders;
}

/** A JSON answer body: the receiver's error envelope, or whatever the route returns. */
export type AnswerBody = { error?: { code: string; message: string; retryable: boolean } } & Record<string, unknown>;

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  interim: Interim[];
  json(): AnswerBody;
}

export interface OpenRequest {
  req: http.ClientRequest;
  interim: Interim[];
  /** Resolves at the first 104 (Upload Resumption Supported). */
  resumption: Promise<Interim>;
  answer: Promise<Answer>;
  write(bytes: Uint8Array): Promise<void>;
  end(bytes?: Uint8Array): void;
  /** Cuts the connection (a dropped Wi-Fi link). */
  cut(): void;
}

/** Starts a request whose body the test writes (or cuts) piece by piece. */
export function open(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
): OpenRequest {
  const url = new URL(path, base);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method,
    path: url.pathname + url.search,
    headers,
    agent: false,
  });
  const interim: Interim[] = [];
  let foundResumption: (value: Interim) => void = () => undefined;
  const resumption = new Promise<Interim>((resolve) => (foundResumption = resolve));
  req.on('information', (info) => {
    const entry = { status: info.statusCode, headers: info.headers };
    interim.push(entry);
    if (info.statusCode === 104) foundResumption(entry);
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          interim,
          json: () => JSON.parse(text) as AnswerBody,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  answer.catch(() => undefined);
  return {
    req,
    interim,
    resumption,
    answer,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => req.write(bytes, (error) => (error ? reject(error) : resolve()))),
    end: (bytes) => void (bytes ? req.end(bytes) : req.end()),
    cut: () => req.destroy(),
  };
}

/** One whole request; `body` as one buffer (Content-Length) or as pieces (chunked). */
export async function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: Uint8Array | Uint8Array[],
): Promise<Answer> {
  const all = { ...headers };
  if (body instanceof Uint8Array) all['content-length'] ??= String(body.byteLength);
  const request = open(base, method, path, all);
  if (Array.isArray(body)) for (const piece of body) await request.write(piece);
  request.end(body instanceof Uint8Array ? body : undefined);
  return request.answer;
}

/**
 * Writes raw bytes on a fresh connection (TLS for https URLs) and
 * collects everything until the receiver closes or `until` matches.
 */
export async function rawExchange(
  base: string,
  bytes: string | Uint8Array,
  until: (received: string) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  const url = new URL(base);
  // Loopback test receivers use a throwaway CA; the pinning itself is tested in test/integration.
  const socket =
    url.protocol === 'https:'
      ? tls.connect({ port: Number(url.port), host: url.hostname, rejectUnauthorized: false })
      : net.connect(Number(url.port), url.hostname);
  let received = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`raw exchange timed out; received ${JSON.stringify(received)}`)),
        timeoutMs,
      );
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (until(received)) {
          clearTimeout(timer);
          resolve(received);
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
      socket.on('error', () => undefined);
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function reprDigest(bytes: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
}

/** The headers of an upload of `filename` with a device token. */
export function uploadHeaders(
  token: string,
  filename: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'shoebox-filename': encodeURIComponent(filename), ...extra };
}

/** /v1/photokit/<percent-encoded asset id>/<resource type> */
export function uploadPath(assetId: string, resourceType = 'photo'): string {
  return `/v1/photokit/${encodeURIComponent(assetId)}/${resourceType}`;
}

/** The path of a Location (absolute or relative). */
export function pathOf(location: string | string[] | undefined): string {
  if (typeof location !== 'string') throw new Error(`no Location: ${String(location)}`);
  return new URL(location, 'http://x').pathname;
}

export function deferred(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
