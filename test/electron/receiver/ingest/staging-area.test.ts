/** The staging area's own promises: a partial is never also a stored file when it is written to. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StagingArea } from '../../../../electron/receiver/ingest/staging-area';
import type { UploadSpec } from '../../../../electron/receiver/ingest/upload-spec';
import { makeTempDir } from '../../../helpers/receiver-fixture';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

const spec: UploadSpec = {
  deviceId: 'd',
  assetId: 'A/L0/001',
  resourceType: 'photo',
  filename: 'IMG.JPG',
  size: 10,
  sha256: null,
  contentType: null,
  captureDate: null,
};

describe('staging', () => {
  it(
    'starts over instead of resuming into a partial that is also ' +
      'a stored file (a crash right after the commit linked it)',
    async () => {
      const folder = await makeTempDir('shoebox-staging-');
      roots.push(folder);
      const staging = new StagingArea(folder);
      await staging.init();
      const first = await staging.open('k', spec);
      await first.append(0, Buffer.from('0123456789'));
      await first.sync();
      await first.close();
      const stored = path.join(folder, 'IMG.JPG');
      await fs.link(first.path, stored); // the commit's link; then the process died before discarding staging

      const again = await staging.open('k', spec);
      expect(again.held).toBe(0);
      await again.append(0, Buffer.from('XXXXXXXXXX'));
      await again.close();
      expect(await fs.readFile(stored, 'utf8')).toBe('0123456789');
    },
  );

  it('starts over when the partial holds more than the upload can have', async () => {
    const folder = await makeTempDir('shoebox-staging-');
    roots.push(folder);
    const staging = new StagingArea(folder);
    await staging.init();
    const first = await staging.open('k', { ...spec, size: 20 });
    await first.append(0, Buffer.alloc(20));
    await first.close();
    expect((await staging.open('k', spec)).held).toBe(0);
  });
});
