/**
 * Who may use the headless window: whoever holds the session token printed at start (then a cookie),
 * on a request addressed to our loopback host and port, from our own origin. Pure functions.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison (both sides hashed first, so lengths never leak or throw). */
export function tokensEqual(candidate: string, token: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  return `shoebox_session_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface Guard {
  port: number;
  token: string;
}

/** Host names the server answers to (anything else may be a DNS-rebinding page). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Cross-origin requests are refused: an Origin header, when sent, must be ours; Sec-Fetch-Site, when
 * sent, must not be cross-site. `requireOrigin` for WebSocket upgrades, where browsers always send it.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, port: number, requireOrigin: boolean): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false; // checked with or without Origin
  const origin = req.headers.origin;
  if (origin === undefined) return !requireOrigin;
  return allowedOrigins(port).includes(origin);
}

export function hasSession(req: Pick<IncomingMessage, 'headers'>, guard: Guard): boolean {
  const value = readCookie(req.headers.cookie, cookieName(guard.port));
  return value !== undefined && tokensEqual(value, guard.token);
}

/** Content-Security-Policy of every page: our own scripts only, no frames, no plug-ins. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
