/**
 * `npm run dev` restarts the receiver on every change; the open tab must keep its session. So in dev mode
 * the window server keeps one port (SHOEBOX_UI_PORT, default 5173) and one session token, kept 0600 in
 * `<dataDir>/dev-window-token`: the session cookie and the printed link stay valid across restarts, and
 * the page's API socket and Vite's client reconnect on their own. Never used by `npm start` or the app.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { newSessionToken } from '../app/session-guard';

export const DEV_TOKEN_FILE = 'dev-window-token';
export const DEV_UI_PORT = 5173;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The window port of the dev loop: SHOEBOX_UI_PORT when it is a port number, else DEV_UI_PORT. */
export function devUiPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number.parseInt(env.SHOEBOX_UI_PORT ?? '', 10);
  return Number.isInteger(port) && port > 0 && port <= 65535 ? port : DEV_UI_PORT;
}

/** Reads the dev session token from `dataDir`, or makes one (readable by this user only). */
export async function devSessionToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, DEV_TOKEN_FILE);
  const existing = await fs.readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (TOKEN_SHAPE.test(existing)) return existing;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = newSessionToken();
  await fs.writeFile(file, `${token}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600); // a file that was there already keeps its mode otherwise
  return token;
}
