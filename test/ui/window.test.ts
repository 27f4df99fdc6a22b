/**
 * The window in a real browser (Debian's chromium through playwright-core) against the headless app:
 * session token, pairing view, dropping the sample photos on the simulated phone (progress, then
 * thumbnails under Arrivals, HEIC included), the locked phone with terminations, keyboard use.
 * Screenshots of every view go to test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_PHOTOS, SKIP_PHOTOS_MESSAGE, allPhotos, photo } from '../helpers/photos';
import {
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_MESSAGE,
  dropFiles,
  ensureUiBuilt,
  launchBrowser,
  screenshot,
  startUiApp,
  type UiApp,
} from '../helpers/browser';

const READY = HAVE_CHROMIUM && HAVE_PHOTOS;
const WHY = !HAVE_CHROMIUM ? SKIP_CHROMIUM_MESSAGE : !HAVE_PHOTOS ? SKIP_PHOTOS_MESSAGE : 'chromium';

describe.skipIf(!READY)(`the window in chromium (${WHY})`, () => {
  let browser: Browser;
  let app: UiApp;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    await ensureUiBuilt();
    browser = await launchBrowser();
    app = await startUiApp({ config: { tls: true } });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const go = async (view: string) => {
    await page.goto(`${app.server.origin}/#${view}`);
    await page.locator(`#nav-${view}[aria-current=page]`).waitFor();
  };

  it('gives no UI to a wrong session token', async () => {
    const wrong = await page.goto(`${app.server.origin}/?token=not-the-token`);
    expect(wrong?.status()).toBe(401);
    expect(await page.locator('#app').count()).toBe(0);
    const none = await page.goto(`${app.server.origin}/#now`);
    expect(none?.status()).toBe(401);
    await expect(page.content()).resolves.toContain('needs the link Shoebox printed');
    await screenshot(page, '00-wrong-token');
  });

  it('opens with the printed URL and shows the Now view', async () => {
    await page.goto(app.server.url);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar
    await page.getByText('Stored this session').waitFor();
    await expect(page.getByText('Nothing has arrived yet').isVisible()).resolves.toBe(true);
    await screenshot(page, '01-now-empty');
  });

  it('shows a QR code and the six-digit code under Pair an iPhone', async () => {
    await go('devices');
    await page.getByRole('button', { name: 'Pair an iPhone' }).click();
    const qr = page.locator('[data-testid=pair-qr] svg');
    await qr.waitFor();
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThan(150);
    const code = (await page.locator('[data-testid=pair-code]').textContent())!.replace(/\s/g, '');
    expect(code).toMatch(/^\d{6}$/);
    expect(code).toBe(app.service.receiver.pairingCode?.code);
    await expect(page.locator('[data-testid=profile-link]').getAttribute('href')).resolves.toMatch(
      /^https:\/\/.+\/v1\/trust\/profile\.mobileconfig$/,
    );
    await screenshot(page, '02-devices-pairing');
    await page.getByRole('button', { name: 'New code' }).click();
    await expect
      .poll(async () => (await page.locator('[data-testid=pair-code]').textContent())!.replace(/\s/g, ''))
      .not.toBe(code);
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it(
    'takes the sample photos dropped on the phone: progress ' + 'bars, then thumbnails under Arrivals, HEIC included',
    async () => {
      await go('simulator');
      await page.locator('[data-testid=network]').selectOption('wifi'); // 4 MB/s: progress is visible
      const files = allPhotos().map(photo);
      await dropFiles(page, '[data-testid=drop-zone]', files);
      // Progress bars part-way on the phone: the PhotoKit system feeds each job's body at the network's pace.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('li[data-job-state=uploading] [role=progressbar]')].some(
            (bar) => Number(bar.getAttribute('aria-valuenow')) > 0 && Number(bar.getAttribute('aria-valuenow')) < 100,
          ),
        null,
        { timeout: 15_000 },
      );
      // And the receiver's queue fills beside it.
      await page
        .locator('li[data-state=receiving], li[data-state=verifying], li[data-state=stored]')
        .first()
        .waitFor({ timeout: 15_000 });
      await screenshot(page, '03-simulator-uploading');
      await go('now');
      await page.locator('li[data-state=receiving], li[data-state=retrying], li[data-state=stored]').first().waitFor();
      await screenshot(page, '04-now-receiving');

      await expect.poll(() => page.locator('li[data-state=stored]').count(), { timeout: 45_000 }).toBe(files.length);
      await screenshot(page, '05-now-done');
      await go('simulator');
      await expect
        .poll(() => page.locator('li[data-job-state=succeeded]').count(), { timeout: 10_000 })
        .toBe(files.length);
      await screenshot(page, '06-simulator-done');

      await go('arrivals');
      const tiles = page.locator('button[data-filename]');
      await expect.poll(() => tiles.count(), { timeout: 10_000 }).toBe(files.length);
      for (const name of [
        'heic-iphone.heic',
        'heic-single.heic',
        'heic-collection.heic',
        'IMG_5910.jpg',
        'Irvine_CA.avif',
      ]) {
        const img = page.locator(`button[data-filename="${name}"] img`);
        await expect
          .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), {
            timeout: 20_000,
            message: name,
          })
          .toBeGreaterThan(100);
      }
      await page.waitForTimeout(300);
      await screenshot(page, '07-arrivals');
      expect(errors).toEqual([]);
    },
    90_000,
  );

  it('moves through Arrivals with the arrow keys and opens the file manager with Enter', async () => {
    await go('arrivals');
    const first = page.locator('button[data-index="0"]');
    await first.waitFor();
    await first.focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-index'))).resolves.toBe('1');
    await page.keyboard.press('ArrowDown');
    const perRow = await page.evaluate(() => document.querySelectorAll('.tiles')[0]!.children.length);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-index'))).resolves.toBe(
      String(1 + perRow),
    );
    await page.keyboard.press('End');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-index'))).resolves.toBe(
      String(allPhotos().length - 1),
    );
    await page.keyboard.press('Enter');
    await screenshot(page, '08-arrivals-keyboard');
  });

  it('shows devices with counts, and the backup folder with its size and free space', async () => {
    await go('devices');
    const device = page.locator('li[data-device="Simulated iPhone"]');
    await expect.poll(() => device.textContent(), { timeout: 10_000 }).toContain(`${allPhotos().length} files`);
    await screenshot(page, '09-devices');
    await go('folder');
    await expect
      .poll(() => page.locator('[data-testid=folder-path]').textContent(), { timeout: 10_000 })
      .toBe(app.folder);
    await expect
      .poll(() => page.locator('[data-testid=folder-items]').textContent(), { timeout: 10_000 })
      .toContain(`${allPhotos().length} files`);
    await screenshot(page, '10-folder');
  });

  it('keeps uploading while the phone is locked, through random terminations (PhotoKit jobs)', async () => {
    await go('simulator');
    await expect(page.locator('[data-testid=model]').inputValue()).resolves.toBe('photokit');
    await page.getByRole('button', { name: 'Clear finished jobs' }).click();
    await page.locator('[data-testid=network]').selectOption('weak');
    await page.locator('[data-testid=switch-terminations]').check();
    await page.locator('[data-testid=switch-locked]').check();
    // Copies with one byte changed: the same bytes would be answered "already stored" at once.
    await dropFiles(page, '[data-testid=drop-zone]', [photo('canon-dslr.jpg'), photo('IMG_5910.jpg')], { mutate: 1 });
    await page.getByText(/Backing up \d item/).waitFor({ timeout: 10_000 });
    // The system ends the extension at random and relaunches it; the jobs are the system's and go on.
    await page.getByText(/Random terminations \(\d+ so far\)/).waitFor({ timeout: 20_000 });
    await screenshot(page, '11-simulator-locked');
    await page.locator('[data-testid=network]').selectOption('fast');
    await expect
      .poll(() => page.locator('[data-testid=phone]').getAttribute('data-extension'), { timeout: 60_000 })
      .toBe('idle');
    await page.locator('[data-testid=switch-locked]').uncheck();
    await expect.poll(() => page.locator('li[data-job-state=succeeded]').count(), { timeout: 20_000 }).toBe(2);
    await expect
      .poll(() => page.locator('li[data-state=stored][data-filename*="-copy1."]').count(), { timeout: 10_000 })
      .toBe(2);
    await screenshot(page, '12-simulator-after-locked');
  }, 90_000);

  it('resumes cut uploads where the receiver holds them (chunk-stream model)', async () => {
    await go('simulator');
    await page.getByRole('button', { name: 'Clear finished jobs' }).click();
    await page.locator('[data-testid=model]').selectOption('stream');
    await page.locator('[data-testid=network]').selectOption('weak');
    await page.locator('[data-testid=switch-terminations]').check();
    await dropFiles(page, '[data-testid=drop-zone]', [photo('canon-dslr.jpg'), photo('IMG_5910.jpg')], { mutate: 2 });
    await page.getByText(/Random terminations \(\d+ so far\)/).waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('li[data-state] [role=progressbar]')].some((bar) => {
          const v = Number(bar.getAttribute('aria-valuenow'));
          return v > 0 && v < 100;
        }),
      null,
      { timeout: 20_000 },
    );
    await screenshot(page, '13-simulator-stream-resuming');
    await page.locator('[data-testid=network]').selectOption('fast');
    await expect.poll(() => page.locator('li[data-job-state=succeeded]').count(), { timeout: 30_000 }).toBe(2);
    await expect
      .poll(() => page.locator('li[data-state=stored][data-filename*="-copy2."]').count(), { timeout: 10_000 })
      .toBe(2);
    await expect(page.locator('li[data-job-state=succeeded]').allTextContents()).resolves.toContainEqual(
      expect.stringMatching(/resumed \d+×/),
    );
    await page.locator('[data-testid=switch-terminations]').uncheck();
    await page.locator('[data-testid=model]').selectOption('photokit');
  }, 90_000);

  it('looks right in dark mode too', async () => {
    const dark = await browser.newPage({
      viewport: { width: 1280, height: 860 },
      colorScheme: 'dark',
      reducedMotion: 'reduce',
    });
    await dark.goto(app.server.url);
    for (const view of ['now', 'arrivals', 'devices', 'folder', 'simulator']) {
      await dark.goto(`${app.server.origin}/#${view}`);
      await dark.locator(`#nav-${view}[aria-current=page]`).waitFor();
      await dark.waitForTimeout(400);
      await screenshot(dark, `20-dark-${view}`);
    }
    await dark.close();
  });
});
