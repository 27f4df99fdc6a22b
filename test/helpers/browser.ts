/**
 * Browser-test helpers: Debian's chromium through playwright-core, the headless app on a temporary
 * folder, dropping real files on the simulator, screenshots into test-results/screenshots/.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHeadlessApp, type HeadlessApp } from '../../electron/app';
import type { AppServiceOptions } from '../../electron/app';
import { isStale, windowBuildStep } from '../../electron/launch/build-if-needed';
import type { ReceiverConfig } from '../../electron/receiver/config';
import { makeTempDir, testConfig } from './receiver-fixture';
import { REPO_ROOT } from './photos';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_CHROMIUM_MESSAGE = `skipped: ${CHROMIUM} is absent (apt install chromium)`;
export const ON_LAN = process.env.ISOLATED_LAN === '1';
export const UI_DIR = path.join(REPO_ROOT, 'dist/renderer');
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

/** Builds the window with vite when dist/renderer is missing or older than its sources (as `npm start` does). */
export async function ensureUiBuilt(): Promise<void> {
  const step = windowBuildStep(REPO_ROOT);
  if (!isStale(step.outputs, step.sources)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(REPO_ROOT, 'renderer/vite.config.ts'), logLevel: 'warn' });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface UiApp extends HeadlessApp {
  root: string;
  folder: string;
}

export async function startUiApp(
  options: Partial<Omit<AppServiceOptions, 'config'>> & { config?: Partial<ReceiverConfig> } = {},
): Promise<UiApp> {
  const root = await makeTempDir('shoebox-ui-');
  const host = ON_LAN ? (process.env.ISOLATED_LAN_DESK ?? '10.213.0.1') : '127.0.0.1';
  const config = testConfig(root, { host, ...options.config });
  const app = await startHeadlessApp({
    opener: { openFolder: async () => undefined, revealFile: async () => undefined },
    ...options,
    config,
    ui: { uiDir: UI_DIR },
  });
  return {
    ...app,
    root,
    folder: config.folder,
    close: async () => {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** Signs in with the printed URL (session cookie), then opens one view. */
export async function openView(page: Page, app: Pick<UiApp, 'server'>, view: string): Promise<void> {
  await page.goto(app.server.url);
  await page.goto(`${app.server.origin}/#${view}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * Drops real files on `selector` as a DataTransfer would carry them from the file manager. `mutate: n`
 * adds n to the last byte (and -copyN to the name) so the receiver sees new content, not a duplicate.
 */
export async function dropFiles(
  page: Page,
  selector: string,
  files: string[],
  options: { mutate?: number } = {},
): Promise<void> {
  const payload = await Promise.all(
    files.map(async (file) => {
      const bytes = await fs.readFile(file);
      if (options.mutate) bytes[bytes.length - 1] = (bytes[bytes.length - 1]! + options.mutate) % 256;
      const name = options.mutate
        ? path.basename(file).replace(/(\.\w+)$/, `-copy${options.mutate}$1`)
        : path.basename(file);
      return { name, data: bytes.toString('base64') };
    }),
  );
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const { name, data } of items) {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name));
    }
    return dt;
  }, payload);
  await page.locator(selector).dispatchEvent('dragenter', { dataTransfer: transfer });
  await page.locator(selector).dispatchEvent('drop', { dataTransfer: transfer });
}
