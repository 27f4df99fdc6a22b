/**
 * The headless window server: the session token (printed URL, then an HttpOnly SameSite=Strict
 * cookie), Host and Origin checks, CSP, the API socket, thumbnails, and the receiver's /v1 mount.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHeadlessApp, type HeadlessApp } from '../../../electron/app';
import { makeTempDir, testConfig } from '../../helpers/receiver-fixture';

/** Raw GET with chosen headers (fetch will not let us forge Host). */
function get(
  port: number,
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('headless window server', () => {
  let root: string;
  let app: HeadlessApp;
  let port: number;
  let cookie: string;
  let token: string;

  beforeAll(async () => {
    root = await makeTempDir('shoebox-server-');
    const uiDir = path.join(root, 'ui');
    await fs.mkdir(path.join(uiDir, 'assets'), { recursive: true });
    await fs.writeFile(path.join(uiDir, 'index.html'), '<!doctype html><title>Shoebox UI</title><div id="app"></div>');
    await fs.writeFile(path.join(uiDir, 'assets', 'app-123.js'), 'console.log(1)');
    app = await startHeadlessApp({
      config: testConfig(root),
      ui: { uiDir },
      opener: { openFolder: async () => undefined, revealFile: async () => undefined },
    });
    port = app.server.port;
    token = new URL(app.server.url).searchParams.get('token')!;
  });
  afterAll(async () => {
    await app.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('prints a loopback URL with a long random token', () => {
    expect(app.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const res = await get(port, `/?token=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const setCookie = res.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    const page = await get(port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Shoebox UI');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(port, '/assets/app-123.js', { cookie })).headers['cache-control']).toContain('immutable');
  });

  it('gives no UI to a wrong token, a forged cookie or no cookie', async () => {
    for (const res of [
      await get(port, `/?token=${token.slice(0, -1)}x`),
      await get(port, '/', { cookie: `shoebox_session_${port}=${'A'.repeat(43)}` }),
      await get(port, '/'),
      await get(port, '/assets/app-123.js'),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).not.toContain('Shoebox UI');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses other Host names (DNS rebinding) and cross-origin requests', async () => {
    expect((await get(port, '/', { cookie, host: `evil.example:${port}` })).status).toBe(421);
    expect((await get(port, '/', { cookie, host: 'localhost:1' })).status).toBe(421);
    expect((await get(port, '/', { cookie, host: `localhost:${port}` })).status).toBe(200);
    expect((await get(port, '/v1/info', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    // A page on another local port is same-site for cookies: its
    // requests carry no Origin on GET, but Sec-Fetch-Site says so.
    expect((await get(port, '/v1/info', { cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await get(port, '/v1/info', { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(port, '/v1/info', { cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('serves the API socket to our own origin with the cookie only', async () => {
    const url = `ws://127.0.0.1:${port}/api/socket`;
    await expect(openSocket(url, { origin: app.server.origin })).rejects.toThrow(/401/);
    await expect(openSocket(url, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openSocket(url, { cookie })).rejects.toThrow(/403/);
    const ws = await openSocket(url, { cookie, origin: app.server.origin });
    const answers: unknown[] = [];
    ws.on('message', (data) => answers.push(JSON.parse((data as Buffer).toString()))); // binaryType 'nodebuffer'
    ws.send(JSON.stringify({ t: 'call', id: 1, command: 'pairing.open', request: {} }));
    ws.send(JSON.stringify({ t: 'call', id: 2, command: 'no.such', request: {} }));
    await expect.poll(() => answers.length).toBeGreaterThanOrEqual(3);
    expect(answers).toContainEqual(
      expect.objectContaining({
        t: 'result',
        id: 1,
        ok: true,
        value: expect.objectContaining({ open: true, code: expect.stringMatching(/^\d{6}$/) as unknown }) as unknown,
      }),
    );
    expect(answers).toContainEqual(
      expect.objectContaining({
        t: 'result',
        id: 2,
        ok: false,
        error: expect.objectContaining({ code: 'UNKNOWN_COMMAND' }) as unknown,
      }),
    );
    expect(answers).toContainEqual(expect.objectContaining({ t: 'event', event: 'pairing' }));
    ws.send('not json');
    await new Promise((resolve) => ws.once('close', resolve));
  });

  it('mounts the receiver’s /v1 endpoints behind the session', async () => {
    expect((await get(port, '/v1/info')).status).toBe(401);
    const info = await get(port, '/v1/info', { cookie });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ receiverId: app.service.receiver.receiverId });
  });

  it('serves thumbnails only for stored bytes', async () => {
    expect((await get(port, `/thumbs/${'0'.repeat(64)}`, { cookie })).status).toBe(404);
    expect((await get(port, '/thumbs/..%2f..%2fetc%2fpasswd', { cookie })).status).toBe(404);
    for (const traversal of ['/..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2f..%2fetc/passwd']) {
      expect((await get(port, traversal, { cookie })).body).not.toContain('root:');
    }
  });
});
