/**
 * `npm run dev`: the window's files from Vite in middleware mode, with hot reload, behind the headless
 * window server's own checks (host, origin, session cookie), so the page keeps one origin for its files,
 * the app API socket and /v1/*. Vite's HMR socket (protocol `vite-hmr`, or `vite-ping` while the page
 * waits for a restarted server) reaches Vite only through `upgrade`, after those checks: Vite listens on
 * a private emitter, never on the window server itself, so the two upgrade handlers cannot both answer.
 * Development only: the packaged app and `npm start` serve the built files (electron/app/window-files.ts).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createServer, type InlineConfig, type ViteDevServer } from 'vite';
import type { WindowFiles } from '../app/window-files';

export const RENDERER_VITE_CONFIG = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../renderer/vite.config.ts',
);

/**
 * The page's Content-Security-Policy in dev mode: the app's own, plus what Vite's client needs and nothing
 * more. While the server is away (a restart), the client probes for it from a SharedWorker made from a
 * blob: URL, then reloads the page; without `worker-src blob:` the probe is blocked and the tab would
 * keep a dead HMR socket. Everything else Vite's client does (its module scripts, `<style>` tags for
 * hot CSS, its WebSocket to this origin) the app's policy already allows.
 */
export function devCsp(csp: string): string {
  return `${csp}; worker-src 'self' blob:`;
}

/** The WebSocket sub-protocols of Vite's client: its HMR socket, and the probe it sends while reconnecting. */
const VITE_PROTOCOLS = new Set(['vite-hmr', 'vite-ping']);

export interface DevWindowFiles extends WindowFiles {
  readonly vite: ViteDevServer;
  /** Called by the window server when it closes (also safe to call again). */
  close(): Promise<void>;
}

export interface DevWindowFilesOptions {
  /** Default: renderer/vite.config.ts. */
  configFile?: string;
  /** Merged over the config file (tests: a temporary root, cache folder). */
  inline?: InlineConfig;
}

export async function startDevWindowFiles(options: DevWindowFilesOptions = {}): Promise<DevWindowFiles> {
  // Vite only calls on('upgrade') and off('upgrade') on the server it is given.
  const upgrades = new EventEmitter();
  const vite = await createServer({
    ...options.inline,
    configFile: options.configFile ?? RENDERER_VITE_CONFIG,
    appType: 'spa',
    server: { ...options.inline?.server, middlewareMode: true, ws: { server: upgrades as unknown as Server } },
  });
  let closing: Promise<void> | undefined;
  return {
    vite,
    serve: (req: IncomingMessage, res: ServerResponse, _pathname: string, headers: Record<string, string>) =>
      new Promise<void>((resolve, reject) => {
        const csp = headers['content-security-policy'];
        const devHeaders = csp === undefined ? headers : { ...headers, 'content-security-policy': devCsp(csp) };
        for (const [name, value] of Object.entries(devHeaders)) res.setHeader(name, value);
        res.once('close', () => resolve());
        vite.middlewares(req, res, (error?: unknown) => {
          if (error) return reject(error instanceof Error ? error : new Error('Vite could not answer.'));
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Not found');
        });
      }),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const protocol = req.headers['sec-websocket-protocol'];
      if (protocol === undefined || !VITE_PROTOCOLS.has(protocol)) return false;
      // Vite answers on its base path only and leaves any other socket hanging: refuse those here instead.
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== vite.config.base) return false;
      if (upgrades.listenerCount('upgrade') === 0) return false;
      upgrades.emit('upgrade', req, socket, head);
      return true;
    },
    close: () => (closing ??= vite.close()),
  };
}
