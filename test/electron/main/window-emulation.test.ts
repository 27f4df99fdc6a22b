/**
 * The Electron window as closely as we can without Electron: Chromium loads the built renderer from a
 * loopback server that answers with the shell's own app:// handler (so our CSP and headers), the built
 * preload bundle provides window.shoebox, and its IPC goes to the shell's registerAppApi over a real
 * AppService. Checks that the window works under the CSP, talks over the bridge, and gets events.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../../../electron/app/app-service';
import { forwardAppEvents, registerAppApi } from '../../../electron/main/ipc-adapter';
import { appFileResponse } from '../../../electron/main/app-protocol';
import { withSystemDialogs } from '../../../electron/main/folder-dialog';
import { isAppUrl } from '../../../electron/main/security';
import { REPO_ROOT } from '../../helpers/photos';
import { makeTempDir, testConfig } from '../../helpers/receiver-fixture';
import {
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_MESSAGE,
  UI_DIR,
  ensureUiBuilt,
  launchBrowser,
  screenshot,
} from '../../helpers/browser';
import { FakeIpcMain } from '../../helpers/shell/fakes';

describe.skipIf(!HAVE_CHROMIUM)(
  `the Electron window, emulated in chromium (${HAVE_CHROMIUM ? 'chromium' : SKIP_CHROMIUM_MESSAGE})`,
  () => {
    let root: string;
    let service: AppService;
    let server: http.Server;
    let browser: Browser;
    let page: Page;
    let origin: string;
    const violations: string[] = [];
    const pageErrors: string[] = [];
    /** What the fake system folder picker answers. */
    let pickedFolder: string | null = null;

    beforeAll(async () => {
      await ensureUiBuilt();
      root = await makeTempDir('shoebox-window-');
      const build = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'build/scripts/build-shell.mjs'), '--outdir', path.join(root, 'shell')],
        { encoding: 'utf8' },
      );
      if (build.status !== 0) throw new Error(build.stderr);
      const preload = await fs.readFile(path.join(root, 'shell', 'preload.cjs'), 'utf8');
      service = await AppService.start({
        config: testConfig(root),
        opener: { openFolder: async () => undefined, revealFile: async () => undefined },
      });

      // app://shoebox/<path> answered by the shell's handler, at http://127.0.0.1:<port>/<path>.
      server = http.createServer((req, res) => {
        void appFileResponse(UI_DIR, `app://shoebox${req.url ?? '/'}`, req.method).then(async (answer) => {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      const ipcMain = new FakeIpcMain();
      // The page's frame is app://shoebox/ in Electron; here the loopback origin stands for it.
      registerAppApi(ipcMain, withSystemDialogs(service.handlers, { chooseFolder: async () => pickedFolder }), {
        isTrustedSender: (url) => isAppUrl(url.replace(origin, 'app://shoebox')),
      });

      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1200, height: 800 }, reducedMotion: 'reduce' });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.exposeFunction('__ipcInvoke', (channel: string, request: unknown) =>
        ipcMain.invoke(channel, page.url(), request),
      );
      await page.exposeFunction('__violation', (text: string) => void violations.push(text));
      // What Electron does before the page's scripts: run the sandboxed preload with require('electron').
      await page.addInitScript(`(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violation(e.violatedDirective + ' ' + e.blockedURI));
      const listeners = new Map();
      window.__ipcEmit = (channel, payload) => {
        for (const l of listeners.get(channel) ?? []) l({ sender: null }, payload);
      };
      const ipcRenderer = {
        invoke: (channel, request) => window.__ipcInvoke(channel, request),
        on: (channel, l) => {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel).add(l);
        },
        removeListener: (channel, l) => listeners.get(channel)?.delete(l),
      };
      const contextBridge = {
        exposeInMainWorld: (key, api) => {
          Object.defineProperty(window, key, { value: api });
        },
      };
      const require = (name) => {
        if (name !== 'electron') throw new Error('no ' + name);
        return { contextBridge, ipcRenderer };
      };
      const module = { exports: {} };
      (function (require, module, exports) { ${preload} })(require, module, module.exports);
    })();`);
      forwardAppEvents(service.events, {
        isDestroyed: () => page.isClosed(),
        send: (channel, payload) =>
          void page
            .evaluate(([c, p]) => (window as unknown as { __ipcEmit(c: string, p: unknown): void }).__ipcEmit(c, p), [
              channel,
              payload,
            ] as const)
            .catch(() => undefined),
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await service?.close();
      await new Promise((resolve) => server?.close(resolve));
      if (root) await fs.rm(root, { recursive: true, force: true });
    });

    it('loads under the CSP, uses the IPC bridge and shows the receiver', async () => {
      await page.goto(`${origin}/index.html`);
      expect(await page.evaluate(() => Object.keys((window as unknown as { shoebox: object }).shoebox).sort())).toEqual(
        ['invoke', 'on'],
      );
      await page.goto(`${origin}/index.html#folder`);
      await page.locator('[data-testid=folder-path]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid=folder-path]').textContent()).toBe(testConfig(root).folder);
      await screenshot(page, 'shell-emulated-folder');
      expect(pageErrors).toEqual([]);
    }, 30_000);

    it('enforces the CSP: a remote image is blocked before any request', async () => {
      const before = violations.length;
      await page.evaluate(() => {
        const img = new Image();
        img.src = 'https://example.invalid/tracker.png';
        document.body.append(img);
      });
      await expect.poll(() => violations.length, { timeout: 5_000 }).toBe(before + 1);
      expect(violations.pop()).toMatch(/^img-src https:\/\/example\.invalid/);
    }, 15_000);

    it('receives service events over the bridge', async () => {
      await page.goto(`${origin}/index.html#devices`);
      const received = page.evaluate(
        () =>
          new Promise((resolve) => {
            (window as unknown as { shoebox: { on(e: string, l: (p: unknown) => void): () => void } }).shoebox.on(
              'pairing',
              resolve,
            );
          }),
      );
      await service.handlers['pairing.open']({});
      expect(await received).toMatchObject({ open: true, code: expect.stringMatching(/^\d{6}$/) as unknown });
    }, 30_000);

    it('changes the backup folder with the system folder picker, then asks move or fresh', async () => {
      await page.goto(`${origin}/index.html#folder`);
      await page.locator('[data-testid=folder-path]').waitFor({ timeout: 15_000 });
      expect(await page.locator('#new-folder').count()).toBe(0); // no path field in the desktop window
      await page.getByRole('button', { name: 'Choose a folder…' }).click();
      expect(await page.getByRole('dialog').count()).toBe(0); // picker canceled: nothing asked
      pickedFolder = path.join(root, 'Picked');
      await page.getByRole('button', { name: 'Choose a folder…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(pickedFolder);
      await screenshot(page, 'shell-emulated-folder-picked');
      await dialog.getByRole('button', { name: 'Start fresh' }).click();
      await expect
        .poll(() => page.locator('[data-testid=folder-path]').textContent(), { timeout: 15_000 })
        .toBe(pickedFolder);
      expect(service.receiver.config.folder).toBe(pickedFolder);
    }, 30_000);

    it('reports no CSP violation at all', () => {
      expect(violations).toEqual([]);
    });
  },
);
