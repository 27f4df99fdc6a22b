/**
 * A file deleted from the backup folder by hand, while the window is open: the receiver's periodic
 * check forgets it and its tile leaves Arrivals, in chromium.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
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

describe.skipIf(!HAVE_CHROMIUM)(
  `Arrivals follows the folder (${HAVE_CHROMIUM ? 'chromium' : SKIP_CHROMIUM_MESSAGE})`,
  () => {
    let browser: Browser;
    let app: UiApp;
    let page: Page;

    beforeAll(async () => {
      await ensureUiBuilt();
      browser = await launchBrowser();
      app = await startUiApp({ receiverOptions: { openPairing: false, staleSweepEveryMs: 300 } });
      for (const [i, name] of ['KEEP_1.JPG', 'GONE.JPG', 'KEEP_2.JPG'].entries()) {
        const bytes = Buffer.from(`not really a photo: ${name}`);
        const rel = `2025/2025-05/${name}`;
        await fs.mkdir(path.join(app.folder, '2025', '2025-05'), { recursive: true });
        await fs.writeFile(path.join(app.folder, rel), bytes);
        await receiverInternals(app.service.receiver).index.addResource({
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.byteLength,
          path: rel,
          assetId: `a${i}`,
          resourceType: 'photo',
          deviceId: null,
          originalFilename: name,
          contentType: 'image/jpeg',
          captureDate: '2025-05-05T10:00:00',
          storedAt: new Date(Date.UTC(2025, 4, 5, 10, i)).toISOString(),
        });
      }
      page = await browser.newPage({ viewport: { width: 1100, height: 700 }, reducedMotion: 'reduce' });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('drops the tile of a file deleted from the folder, and the count follows', async () => {
      await openView(page, app, 'arrivals');
      await page.getByText('3 files in the backup folder').waitFor();
      await page.locator('button[data-filename="GONE.JPG"]').waitFor();
      await fs.rm(path.join(app.folder, '2025', '2025-05', 'GONE.JPG'));
      await page.locator('button[data-filename="GONE.JPG"]').waitFor({ state: 'detached', timeout: 15_000 });
      await page.getByText('2 files in the backup folder').waitFor();
      expect(
        await page
          .locator('button[data-filename]')
          .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-filename'))),
      ).toEqual(['KEEP_2.JPG', 'KEEP_1.JPG']);
      await screenshot(page, '22-arrivals-after-delete');
    }, 60_000);
  },
);
