/**
 * Arrivals over a large library in chromium: 20,000 files in the index, the grid draws only what is
 * near the viewport, pages in from the index as it scrolls, and groups by day.
 */
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_MESSAGE,
  ensureUiBuilt,
  launchBrowser,
  openView,
  screenshot,
  startUiApp,
  type UiApp,
} from '../helpers/browser';
import { receiverInternals } from '../../electron/receiver/test-seam';

const FILES = 20_000;

describe.skipIf(!HAVE_CHROMIUM)(
  `Arrivals with ${FILES.toLocaleString('en')} files (${HAVE_CHROMIUM ? 'chromium' : SKIP_CHROMIUM_MESSAGE})`,
  () => {
    let browser: Browser;
    let app: UiApp;
    let page: Page;

    beforeAll(async () => {
      await ensureUiBuilt();
      browser = await launchBrowser();
      app = await startUiApp();
      const index = receiverInternals(app.service.receiver).index;
      const start = Date.UTC(2026, 0, 1);
      const adds: Array<Promise<void>> = [];
      for (let i = 0; i < FILES; i += 1) {
        const sha256 = createHash('sha256').update(`file ${i}`).digest('hex');
        const stored = new Date(start + i * 4 * 60_000); // 15 a hour: about 55 days
        adds.push(
          index.addResource({
            sha256,
            size: 1_000_000 + i,
            path: `2026/2026-01/IMG_${String(i).padStart(5, '0')}.HEIC`,
            assetId: `a${i}`,
            resourceType: 'photo',
            deviceId: null,
            originalFilename: `IMG_${i}.HEIC`,
            contentType: 'image/heic',
            captureDate: '2026-01-01T00:00:00',
            storedAt: stored.toISOString(),
          }),
        );
      }
      await Promise.all(adds);
      page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('draws a window of tiles, pages in as it scrolls, and keeps day headers', async () => {
      await openView(page, app, 'arrivals');
      await page.getByText(`${FILES.toLocaleString()} files in the backup folder`).waitFor();
      await page.locator('button[data-index="0"]').waitFor();
      await expect(page.locator('.day h2').first().textContent()).resolves.toMatch(/2026/);
      const drawn = await page.locator('button[data-filename]').count();
      expect(drawn).toBeGreaterThan(10);
      expect(drawn).toBeLessThan(400);
      await expect(page.locator('button[data-index="0"]').getAttribute('data-filename')).resolves.toBe(
        `IMG_${String(FILES - 1).padStart(5, '0')}.HEIC`,
      );

      // Jump far down: the grid loads the pages in between and draws only the rows in view.
      const started = Date.now();
      await page.locator('.scroller').evaluate((el) => (el.scrollTop = el.scrollHeight * 0.5));
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('button[data-index]')].some((b) => Number(b.getAttribute('data-index')) > 8000),
        null,
        { timeout: 30_000 },
      );
      const elapsed = Date.now() - started;
      expect(await page.locator('button[data-filename]').count()).toBeLessThan(400);
      // Far from any day header, the day in view stays pinned at the top.
      await expect(page.locator('[data-testid=current-day]').textContent()).resolves.toMatch(/2026/);
      await screenshot(page, '21-arrivals-20000');

      await page.locator('.scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForFunction((n) => document.querySelector(`button[data-index="${n - 1}"]`) !== null, FILES, {
        timeout: 30_000,
      });
      expect(await page.locator('button[data-filename]').count()).toBeLessThan(400);
      console.log(`Arrivals: jumped to the middle of ${FILES} files in ${elapsed} ms`);
    }, 90_000);
  },
);
