/**
 * Headless mode's window server on 127.0.0.1: the window's files (the built UI; Vite with hot reload under
 * `npm run dev`, see window-files.ts), the app API over a WebSocket, thumbnails, and the receiver's own
 * /v1/* endpoints (so the in-page simulator reaches the real receiver over a real WebSocket, without the
 * LAN listener's TLS). Everything needs the session token printed at start.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { API_SOCKET_PATH, MAX_WIRE_MESSAGE_BYTES, THUMBNAIL_PATH } from '../../shared/app-api';
import type { AppService } from './app-service';
import { placeholderSvg } from './placeholder';
import {
  SECURITY_HEADERS,
  hasSession,
  hostAllowed,
  newSessionToken,
  originAllowed,
  sessionCookie,
  tokensEqual,
  type Guard,
} from './session-guard';
import { requestUrl } from '../receiver/http/http-utils';
import { builtWindowFiles, type WindowFiles } from './window-files';
import { serveApiSocket } from './ws-api';

export const DEFAULT_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');

export interface HeadlessServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The vite build output. */
  uiDir?: string;
  /** Who serves the window's files instead of `uiDir` (npm run dev: Vite with hot reload). */
  windowFiles?: WindowFiles;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  log?: (message: string) => void;
}

export interface HeadlessServer {
  /** http://127.0.0.1:PORT/?token=… — open this. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const NO_UI =
  '<!doctype html><meta charset="utf-8"><title>Shoebox</title>' +
  '<p>This address needs the link Shoebox printed when it started (it carries a session token).</p>';

export async function startHeadlessServer(
  service: AppService,
  options: HeadlessServerOptions = {},
): Promise<HeadlessServer> {
  const windowFiles = options.windowFiles ?? builtWindowFiles(path.resolve(options.uiDir ?? DEFAULT_UI_DIR));
  const log = options.log ?? (() => undefined);
  const guard: Guard = { port: 0, token: options.token ?? newSessionToken() };

  const refuse = (res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hostAllowed(req.headers.host, guard.port)) return refuse(res, 421, 'Wrong host.');
    const url = requestUrl(req, `http://127.0.0.1:${guard.port}`);
    if (!url) return refuse(res, 400, 'Bad request target.');
    const token = url.searchParams.get('token');
    if (token !== null) {
      if (req.method !== 'GET' || !tokensEqual(token, guard.token))
        return refuse(res, 401, NO_UI, 'text/html; charset=utf-8');
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'set-cookie': sessionCookie(guard.port, guard.token),
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    const safeMethod = req.method === 'GET' || req.method === 'HEAD';
    if (!originAllowed(req, guard.port, false)) return refuse(res, 403, 'Cross-origin requests are refused.');
    if (!hasSession(req, guard)) return refuse(res, 401, NO_UI, 'text/html; charset=utf-8');

    if (url.pathname.startsWith('/v1/')) {
      if (service.isSwitching) return refuse(res, 503, 'Shoebox is changing its backup folder; try again in a moment.');
      return service.receiver.handleRequest(req, res);
    }
    if (!safeMethod) return refuse(res, 405, 'Method not allowed.');
    if (url.pathname.startsWith(THUMBNAIL_PATH))
      return serveThumbnail(url.pathname.slice(THUMBNAIL_PATH.length), req, res);
    return windowFiles.serve(req, res, url.pathname, SECURITY_HEADERS);
  };

  const serveThumbnail = async (sha: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    if (service.isSwitching) return refuse(res, 503, 'Busy.');
    const answer = await service.thumbnails.get(sha);
    if (!answer) return refuse(res, 404, 'No such file.');
    if (answer.type === 'placeholder') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'image/svg+xml',
        'cache-control': 'private, max-age=60',
      });
      return res.end(placeholderSvg(answer.kind));
    }
    const etag = `"${sha}"`;
    const headers = { ...SECURITY_HEADERS, etag, 'cache-control': 'private, max-age=31536000, immutable' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    res.writeHead(200, { ...headers, 'content-type': 'image/webp' });
    createReadStream(answer.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      log(`Window server: ${error.message}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // in-page simulator uploads through /v1 may take long; the receiver has idle limits

  const api = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (!hostAllowed(req.headers.host, guard.port)) return reject('421 Misdirected Request');
    if (!originAllowed(req, guard.port, true)) return reject('403 Forbidden');
    if (!hasSession(req, guard)) return reject('401 Unauthorized');
    const pathname = requestUrl(req)?.pathname;
    if (pathname === undefined) return reject('400 Bad Request');
    if (pathname === API_SOCKET_PATH)
      return api.handleUpgrade(req, socket, head, (ws) => serveApiSocket(ws, service, log));
    if (pathname.startsWith('/v1/')) {
      if (service.isSwitching) return reject('503 Service Unavailable');
      return service.receiver.handleUpgrade(req, socket, head);
    }
    if (windowFiles.upgrade?.(req, socket, head)) return;
    return reject('404 Not Found');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  guard.port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${guard.port}`;
  service.simulatorBaseUrl = origin;
  return {
    url: `${origin}/?token=${guard.token}`,
    origin,
    port: guard.port,
    close: async () => {
      await windowFiles.close?.();
      for (const client of api.clients) client.terminate();
      api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
