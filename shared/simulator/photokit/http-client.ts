/**
 * The HTTP requests the simulated system makes, injected per platform. Node (node/node-http-client.ts)
 * streams bodies, sees interim answers (104) and pins TLS; the browser's fetch sends whole bodies and
 * never shows a 104, so over fetch uploads are plain (no resumption). Node and browser.
 */
import type { FetchLike } from '../pair';

export interface HttpBody {
  length: number;
  chunks: AsyncIterable<Uint8Array>;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: HttpBody;
  /** Aborting cuts the connection (mid-body included). */
  signal?: AbortSignal;
  /** Interim answers (1xx), e.g. 104 Upload Resumption Supported; header names lowercased. */
  onInterim?: (status: number, headers: Record<string, string>) => void;
}

export interface HttpResponse {
  status: number;
  /** Names lowercased. */
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Whether onInterim is ever called (needed to learn a resumable upload's Location early). */
  readonly seesInterimResponses: boolean;
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** An HttpClient over fetch (browser, or Node's fetch): bodies are collected first, no interim answers. */
export function fetchHttpClient(fetchFn: FetchLike = (url, init) => globalThis.fetch(url, init)): HttpClient {
  return {
    seesInterimResponses: false,
    async request(request) {
      let body: Uint8Array | undefined;
      if (request.body) {
        body = new Uint8Array(request.body.length);
        let filled = 0;
        for await (const chunk of request.body.chunks) {
          request.signal?.throwIfAborted();
          body.set(chunk, filled);
          filled += chunk.byteLength;
        }
        request.signal?.throwIfAborted();
        body = body.subarray(0, filled);
      }
      const response = await fetchFn(new URL(request.url), {
        method: request.method,
        headers: request.headers,
        ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      return { status: response.status, headers, body: request.method === 'HEAD' ? '' : await response.text() };
    },
  };
}
