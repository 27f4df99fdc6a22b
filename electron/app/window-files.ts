/**
 * Who answers for the window's own files on the headless window server: the built UI folder (`npm start`,
 * tests), or a dev server (`npm run dev`: Vite in middleware mode, electron/launch/dev-window-files.ts).
 * The window server runs its host, origin and session checks first and only then hands a request over.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveStatic } from './static-files';

export interface WindowFiles {
  /** Answers a GET or HEAD for a window file; `headers` are the security headers every answer carries. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string, headers: Record<string, string>): Promise<void>;
  /**
   * Takes a WebSocket upgrade that is its own (Vite's HMR socket); returns false, touching nothing, for any
   * other. The app API socket and /v1/* are matched before this is asked.
   */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes its sockets; the window server calls it first when it closes (an open socket would hold it). */
  close?(): Promise<void>;
}

/** The vite build output in `root` (dist/renderer). */
export function builtWindowFiles(root: string): WindowFiles {
  return { serve: (_req, res, pathname, headers) => serveStatic(root, pathname, res, headers) };
}
