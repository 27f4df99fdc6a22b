/**
 * The window's security settings in one place: web preferences, the Content-Security-Policy, which
 * pages count as ours, and the hooks that keep every webContents on our pages (no navigation, no new
 * windows, no webviews, no permissions, no downloads). Plain code: tested with fakes.
 */
import { THUMBNAIL_PROTOCOL } from '../../shared/app-api/bridge';
import type { ContentsLike, SessionLike, ShellLike, WindowOptions } from './electron-like';

/** The renderer is served from app://shoebox/ (a privileged standard scheme, see app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'shoebox';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Svelte sets style attributes (progress bars); no inline scripts are allowed.
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${THUMBNAIL_PROTOCOL}:`,
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "media-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** `dark`: the system uses dark colours (the window's first paint then matches the UI's dark theme). */
export function windowOptions(preloadPath: string, dark = false): WindowOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Shoebox',
    backgroundColor: dark ? '#1c1c1e' : '#f6f6f7',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** True only for our own pages: app://shoebox/… (never file://, http or another app:// host). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

/** Links the user clicks may open in the default browser: https only, nothing else. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

export interface HardenOptions {
  shell: Pick<ShellLike, 'openExternal'>;
  log?: (message: string) => void;
}

/** Applied to every webContents Electron creates ('web-contents-created'). */
export function hardenContents(contents: ContentsLike, options: HardenOptions): void {
  const log = options.log ?? (() => undefined);
  const leave = (event: { preventDefault(): void }, legacyUrl: string) => {
    // Electron passes the URL on the event (newer) and as a second argument (deprecated).
    const onEvent = (event as { url?: unknown }).url;
    const url = typeof onEvent === 'string' ? onEvent : legacyUrl;
    if (isAppUrl(url)) return;
    event.preventDefault();
    log(`Blocked navigation to ${url.slice(0, 200)}`);
    if (isExternalLink(url)) void options.shell.openExternal(url).catch(() => undefined);
  };
  contents.on('will-navigate', leave);
  contents.on('will-redirect', leave);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('Blocked a <webview>.');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`Blocked a new window for ${url.slice(0, 200)}`);
    if (isExternalLink(url)) void options.shell.openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications-from-the-page, geolocation, … ; no downloads; CSP on every response. */
export function hardenSession(session: SessionLike, log: (message: string) => void = () => undefined): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`Denied the permission "${permission}".`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string | string[]> = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CSP] } });
  });
}
