/** Serves the built window (vite build output) from one folder, never outside it. */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor } from './content-types';

/** Answers GET `pathname` from `root`; unknown paths without an extension get index.html (one-page app). */
export async function serveStatic(
  root: string,
  pathname: string,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    rel = '/';
  }
  const target = path.resolve(root, `.${path.posix.normalize(rel)}`);
  const inside = target === root || target.startsWith(root + path.sep);
  let file = inside ? target : path.join(root, 'index.html');
  let stat = await fs.stat(file).catch(() => null);
  if (!stat || stat.isDirectory()) {
    if (path.extname(rel) !== '' && rel !== '/') return notFound(res, headers);
    file = path.join(root, 'index.html');
    stat = await fs.stat(file).catch(() => null);
    if (!stat) return notBuilt(res, headers);
  }
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    ...headers,
    'content-type': contentTypeFor(file),
    'content-length': String(stat.size),
    'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res); // a file gone meanwhile (a rebuild) must not crash the server
}

function notFound(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found');
}

function notBuilt(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    '<!doctype html><meta charset="utf-8"><title>Shoebox</title>' +
      '<p>The window is not built yet: run <code>npm run build:ui</code>, then reload.</p>',
  );
}
