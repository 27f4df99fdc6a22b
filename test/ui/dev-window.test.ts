/**
 * `npm run dev`'s window: the headless window server with Vite in middleware mode (hot reload) in a real
 * browser. The page renders through the same session checks and API socket; Vite's HMR socket is refused
 * without the session; a Svelte edit reaches the open page without a reload; after a restart on the same
 * port and session token (what the dev loop does) the tab comes back by itself; no CSP violation.
 * The window's sources are a temporary copy, so nothing in the repo is edited.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHeadlessApp, type HeadlessApp } from '../../electron/app';
import { newSessionToken } from '../../electron/app/session-guard';
import { startDevWindowFiles } from '../../electron/launch/dev-window-files';
import { REPO_ROOT } from '../helpers/photos';
import { makeTempDir, testConfig } from '../helpers/receiver-fixture';
import { HAVE_CHROMIUM, SKIP_CHROMIUM_MESSAGE, launchBrowser, screenshot } from '../helpers/browser';

const NOW_VIEW = 'src/views/NowView.svelte';
const SKIP_MESSAGE = SKIP_CHROMIUM_MESSAGE;

/** renderer/ copied to `dir`/renderer, with shared/ and node_modules/ linked beside it. */
async function copyRenderer(dir: string): Promise<string> {
  const target = path.join(dir, 'renderer');
  await fs.mkdir(target);
  for (const name of ['index.html', 'src', 'public', 'svelte.config.js', 'vite.config.ts']) {
    await fs.cp(path.join(REPO_ROOT, 'renderer', name), path.join(target, name), { recursive: true });
  }
  await fs.symlink(path.join(REPO_ROOT, 'shared'), path.join(dir, 'shared'));
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return target;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Answers an upgrade with `protocol` gets: the HTTP status, or 101 when it was taken. */
function upgradeStatus(url: string, protocol: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe.skipIf(!HAVE_CHROMIUM)(
  `the dev window: Vite with hot reload behind the window server (${HAVE_CHROMIUM ? 'chromium' : SKIP_MESSAGE})`,
  () => {
    let root: string;
    let renderer: string;
    let browser: Browser;
    let page: Page;
    let app: HeadlessApp | undefined;
    let port: number;
    const token = newSessionToken();
    const violations: string[] = [];
    const errors: string[] = [];

    const start = async () => {
      const windowFiles = await startDevWindowFiles({
        configFile: path.join(renderer, 'vite.config.ts'),
        inline: { cacheDir: path.join(root, 'vite-cache'), logLevel: 'warn', server: { fs: { allow: [REPO_ROOT] } } },
      });
      app = await startHeadlessApp({
        config: testConfig(root),
        opener: { openFolder: async () => undefined, revealFile: async () => undefined },
        ui: { windowFiles, port, token },
      });
      return app;
    };

    beforeAll(async () => {
      root = await makeTempDir('shoebox-dev-ui-');
      renderer = await copyRenderer(root);
      port = await freePort();
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && m.text().includes('Content Security Policy')) violations.push(m.text());
      });
      await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          void (window as unknown as { reportViolation(t: string): Promise<void> }).reportViolation(
            `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
          );
        });
      });
      await start();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await app?.close();
      if (root) await fs.rm(root, { recursive: true, force: true });
    });

    it('renders the app from Vite through the session checks, with the app API socket working', async () => {
      const none = await page.goto(`${app!.server.origin}/`);
      expect(none?.status()).toBe(401); // no session, no UI, Vite or not
      await page.goto(app!.server.url);
      await page.getByText('Stored this session').waitFor({ timeout: 60_000 });
      // Served by Vite's dev server, not a build: its client is on the page.
      const scripts = await page.evaluate(() => [...document.scripts].map((s) => new URL(s.src).pathname));
      expect(scripts).toContain('/@vite/client');
      // The name comes from the app service over the API socket.
      await page.getByText('Test Receiver').first().waitFor();
      await screenshot(page, 'dev-01-vite');
    });

    it("takes Vite's HMR socket only with the session, from our origin", async () => {
      const ws = `ws://127.0.0.1:${port}/`;
      const cookie = `shoebox_session_${port}=${token}`;
      const origin = app!.server.origin;
      expect(await upgradeStatus(ws, 'vite-hmr', { origin })).toBe(401);
      expect(await upgradeStatus(ws, 'vite-hmr', { origin: 'http://evil.example', cookie })).toBe(403);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/elsewhere`, 'vite-hmr', { origin, cookie })).toBe(404);
      // With the session, Vite itself decides (its own token in the URL, given to its client in the page).
      expect(await upgradeStatus(ws, 'vite-ping', { origin, cookie })).toBe(101);
    });

    it('puts a Svelte edit on the open page without reloading it', async () => {
      await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
      const file = path.join(renderer, NOW_VIEW);
      const source = await fs.readFile(file, 'utf8');
      expect(source).toContain('Stored this session');
      await fs.writeFile(file, source.replace('Stored this session', 'Stored in this dev session'));
      await page.getByText('Stored in this dev session').waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
      await screenshot(page, 'dev-02-hot-update');
    });

    it('comes back by itself after a restart on the same port and session token', async () => {
      await app!.close();
      app = undefined;
      await start();
      // Vite's client sees its server back and reloads the page; the cookie is still good.
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { marker?: string }).marker), { timeout: 30_000 })
        .toBeUndefined();
      await page.getByText('Stored in this dev session').waitFor({ timeout: 60_000 });
      await page.getByText('Test Receiver').first().waitFor();
      expect(await page.evaluate(async () => (await fetch('/')).status)).toBe(200);
      await screenshot(page, 'dev-03-after-restart');
    });

    it('needs nothing the dev CSP does not allow, and throws nothing', () => {
      // zod probes once whether `new Function` is allowed and, as the CSP says no, validates without it;
      // the browser reports the caught probe (the built window does the same). Anything else is a finding.
      const zodProbe = /^script-src eval \S*\/zod\.js:/;
      expect(violations.filter((v) => !zodProbe.test(v))).toEqual([]);
      expect(errors).toEqual([]);
    });
  },
);
