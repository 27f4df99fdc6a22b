/**
 * The window when things go wrong, in chromium: revoking the phone mid-upload stops it with a visible
 * error on both sides; a full disk shows a clear banner; on the isolated LAN, the trust-profile link
 * the pairing view shows is really served to the phone's address.
 */
import https from 'node:https';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_PHOTOS, SKIP_PHOTOS_MESSAGE, photo } from '../helpers/photos';
import {
  HAVE_CHROMIUM,
  ON_LAN,
  SKIP_CHROMIUM_MESSAGE,
  dropFiles,
  ensureUiBuilt,
  launchBrowser,
  openView,
  screenshot,
  startUiApp,
  type UiApp,
} from '../helpers/browser';

const READY = HAVE_CHROMIUM && HAVE_PHOTOS;
const WHY = !HAVE_CHROMIUM ? SKIP_CHROMIUM_MESSAGE : !HAVE_PHOTOS ? SKIP_PHOTOS_MESSAGE : 'chromium';

describe.skipIf(!READY)(`the window when things go wrong (${WHY})`, () => {
  let browser: Browser;
  let app: UiApp | undefined;
  let page: Page;

  beforeAll(async () => {
    await ensureUiBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    await page?.close();
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(a: UiApp, view: string): Promise<Page> {
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    await openView(page, a, view);
    await page.locator(`#nav-${view}[aria-current=page]`).waitFor();
    return page;
  }

  it('revoking the phone stops its upload with a visible error (chunk stream: cut mid-upload)', async () => {
    app = await startUiApp();
    const p = await open(app, 'simulator');
    await p.locator('[data-testid=model]').selectOption('stream');
    await p.locator('[data-testid=network]').selectOption('weak'); // 250 kB/s: 4 MB takes a while
    await dropFiles(p, '[data-testid=drop-zone]', [photo('IMG_20180725_163423.jpg')]);
    await p.locator('li[data-state=receiving]').waitFor({ timeout: 15_000 });

    await p.locator('#nav-devices').click();
    await p.locator('li[data-device="Simulated iPhone"] .pill', { hasText: 'Uploading now' }).waitFor();
    await p.getByRole('button', { name: 'Revoke Simulated iPhone' }).click();
    await screenshot(p, '14-devices-revoke-confirm');
    await p.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await p.locator('ul[aria-label="Revoked devices"] li[data-device="Simulated iPhone"]').waitFor();
    await screenshot(p, '15-devices-revoked');

    await p.locator('#nav-simulator').click();
    const phoneError = p.locator('[data-testid=sim-error]');
    await phoneError.waitFor({ timeout: 10_000 });
    await expect(phoneError.textContent()).resolves.toMatch(/removed from (this|the) computer/i);
    await p.locator('li[data-job-state=failed]').waitFor();
    const reason = p.locator('li[data-state=failed] [data-testid=failure-reason]');
    await reason.waitFor({ timeout: 10_000 });
    await expect(reason.textContent()).resolves.toMatch(/removed from (this|the) computer/i);
    await screenshot(p, '16-simulator-revoked');
    // Nothing arrives from it any more (the receiver keeps the partial bytes: they belong to the folder's staging).
    expect(app.service.receiver.activeUploads().filter((u) => u.state === 'receiving')).toEqual([]);
  }, 60_000);

  it("revoking the phone fails its PhotoKit jobs with the receiver's reason", async () => {
    app = await startUiApp();
    const p = await open(app, 'simulator');
    await p.locator('[data-testid=network]').selectOption('weak');
    await dropFiles(p, '[data-testid=drop-zone]', [photo('IMG_20180725_163423.jpg'), photo('canon-dslr.jpg')]);
    await p.locator('li[data-job-state=uploading]').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => app!.service.receiver.listDevices().length, { timeout: 10_000 }).toBe(1);
    await p.locator('#nav-devices').click();
    await p.getByRole('button', { name: 'Revoke Simulated iPhone' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await p.locator('#nav-simulator').click();
    const phoneError = p.locator('[data-testid=sim-error]');
    await phoneError.waitFor({ timeout: 30_000 });
    await expect(phoneError.textContent()).resolves.toMatch(/removed from (this|the) computer/i);
    await expect.poll(() => p.locator('li[data-job-state=failed]').count()).toBe(2);
    await screenshot(p, '16b-simulator-photokit-revoked');
  }, 60_000);

  it('a full disk shows a clear banner, and the refused photo says why', async () => {
    app = await startUiApp({
      config: { minFreeBytes: 256e6 },
      receiverOptions: { freeBytes: async () => 100e6 },
      diskSpace: async () => ({ free: 100e6, total: 500e9 }),
    });
    const p = await open(app, 'now');
    const banner = p.locator('[data-banner=disk-full]');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toMatch(/The backup disk is full\..*refused/);
    await screenshot(p, '17-now-disk-full');
    await p.locator('#nav-simulator').click();
    await dropFiles(p, '[data-testid=drop-zone]', [photo('IMG_5910.jpg')]);
    const failed = p.locator('li[data-job-state=failed]');
    await failed.waitFor({ timeout: 30_000 });
    await expect(failed.textContent()).resolves.toMatch(/DISK_FULL|disk is full/i);
    await screenshot(p, '18-simulator-disk-full');
    await p.locator('#nav-folder').click();
    await p.locator('[data-testid=low-space]').waitFor();
    await screenshot(p, '19-folder-disk-full');
  }, 60_000);

  it.skipIf(!ON_LAN)(
    `serves the trust profile the pairing view links to, to the ` +
      `phone's address${ON_LAN ? '' : ' (skipped: needs ISOLATED_LAN=1)'}`,
    async () => {
      app = await startUiApp({ config: { tls: true } });
      const p = await open(app, 'devices');
      await p.getByRole('button', { name: 'Pair an iPhone' }).click();
      const href = (await p.locator('[data-testid=profile-link]').getAttribute('href'))!;
      expect(new URL(href).hostname).toBe(process.env.ISOLATED_LAN_DESK ?? '10.213.0.1');
      await screenshot(p, '19-devices-pairing-lan');
      // The phone has not trusted the CA yet (that is what the profile is for), so it skips the check here.
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        https
          .get(
            href,
            { localAddress: process.env.ISOLATED_LAN_PHONE ?? '10.213.0.2', rejectUnauthorized: false },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString('latin1')));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
              );
            },
          )
          .on('error', reject);
      });
      expect(answer.status).toBe(200);
      expect(answer.type).toContain('application/x-apple-aspen-config');
    },
    60_000,
  );
});
