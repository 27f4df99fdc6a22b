/**
 * The two custom schemes of the window: app://shoebox/… serves the built renderer (never a file
 * outside its folder), shoebox-thumb://<sha256> serves thumbnails from the app service. Request in,
 * Response out: plain functions, registered by the shell with protocol.handle.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { THUMBNAIL_PROTOCOL } from '../../shared/app-api/bridge';
import { placeholderSvg } from '../app/placeholder';
import type { ThumbnailAnswer } from '../app';
import type { ProtocolLike } from './electron-like';
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security';
import { contentTypeFor } from '../app/content-types';

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: THUMBNAIL_PROTOCOL, privileges: { secure: true, supportFetchAPI: true } },
] as const;

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>Shoebox</title>' +
  '<p>The window is not built: run <code>npm run build:ui</code>, then reopen Shoebox.</p>';

function answer(status: number, body: BodyInit | null, type: string, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra },
  });
}

/** app://shoebox/<path> → a file of `rendererDir`; paths without an extension get index.html (one-page app). */
export async function appFileResponse(rendererDir: string, requestUrl: string, method = 'GET'): Promise<Response> {
  const root = path.resolve(rendererDir);
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return answer(400, 'Bad request.', 'text/plain; charset=utf-8');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
    return answer(404, 'Not found.', 'text/plain; charset=utf-8');
  if (method !== 'GET' && method !== 'HEAD') return answer(405, 'Method not allowed.', 'text/plain; charset=utf-8');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return answer(400, 'Bad request.', 'text/plain; charset=utf-8');
  }
  if (rel.includes('\0')) return answer(400, 'Bad request.', 'text/plain; charset=utf-8');
  const target = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (target !== root && !target.startsWith(root + path.sep))
    return answer(404, 'Not found.', 'text/plain; charset=utf-8');
  let file = target;
  let stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) {
    if (path.extname(rel) !== '' && rel !== '/index.html')
      return answer(404, 'Not found.', 'text/plain; charset=utf-8');
    file = path.join(root, 'index.html');
    stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) return answer(503, NOT_BUILT, 'text/html; charset=utf-8');
  }
  const type = contentTypeFor(file);
  const body = method === 'HEAD' ? null : new Uint8Array(await fs.readFile(file));
  return new Response(body, {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-cache' },
  });
}

/** What the thumbnail handler needs of the app service. */
export interface ThumbnailSourceLike {
  readonly isSwitching: boolean;
  readonly thumbnails: { get(sha256: string): Promise<ThumbnailAnswer | null> };
}

const THUMB_URL = new RegExp(`^${THUMBNAIL_PROTOCOL}://([0-9a-f]{64})/?$`);

/** shoebox-thumb://<sha256> → the WebP thumbnail, or an SVG placeholder for files without a picture. */
export async function thumbnailResponse(service: ThumbnailSourceLike, requestUrl: string): Promise<Response> {
  const sha = THUMB_URL.exec(requestUrl)?.[1];
  if (!sha) return answer(404, 'Not found.', 'text/plain; charset=utf-8');
  if (service.isSwitching) return answer(503, 'Busy.', 'text/plain; charset=utf-8');
  const thumb = await service.thumbnails.get(sha).catch(() => null);
  if (!thumb) return answer(404, 'Not found.', 'text/plain; charset=utf-8');
  if (thumb.type === 'placeholder')
    return answer(200, placeholderSvg(thumb.kind), 'image/svg+xml', { 'cache-control': 'private, max-age=60' });
  const bytes = await fs.readFile(thumb.path).catch(() => null);
  if (!bytes) return answer(404, 'Not found.', 'text/plain; charset=utf-8');
  return answer(200, new Uint8Array(bytes), 'image/webp', { 'cache-control': 'private, max-age=31536000, immutable' });
}

/** Registers both schemes (after the app is ready). `service` is read at each request (it starts later). */
export function registerProtocols(
  protocol: ProtocolLike,
  rendererDir: string,
  service: () => ThumbnailSourceLike | null,
): void {
  protocol.handle(APP_SCHEME, (request) => appFileResponse(rendererDir, request.url, request.method));
  protocol.handle(THUMBNAIL_PROTOCOL, async (request) => {
    const current = service();
    return current ? thumbnailResponse(current, request.url) : answer(503, 'Starting.', 'text/plain; charset=utf-8');
  });
}
