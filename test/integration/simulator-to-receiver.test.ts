/**
 * The "done when": the headless receiver (a real `shoebox serve` process) and the simulator
 * CLI back the sample photos up byte-identical and sorted by date, resuming through dropped
 * connections; a second run reports every file as already stored.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulatorCli } from '../../shared/simulator/cli/main.nodejs';
import { captureIo, findFile } from '../helpers/simulator/cli';
import { HAVE_PHOTOS, PHOTOS_DIR, SKIP_PHOTOS_MESSAGE, allPhotos } from '../helpers/photos';
import { makeTempDir } from '../helpers/receiver-fixture';
import { loopbackReceiverArgs, spawnReceiver } from '../helpers/receiver-process';
import { sha256Hex } from '../helpers/raw-client';

describe.skipIf(!HAVE_PHOTOS)(
  `npm start + npm run simulate (${HAVE_PHOTOS ? 'sample photos' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    it('backs up the sample photos byte-identical, by date, then reports them all as duplicates', async () => {
      const root = await makeTempDir();
      const folder = path.join(root, 'Backup');
      const proc = await spawnReceiver(loopbackReceiverArgs(root, folder));
      try {
        const port = new URL(proc.url).port;
        const simEnv = { ...process.env, SHOEBOX_SIM_STATE: path.join(root, 'pairings.json') };
        const first = captureIo();
        const code = await runSimulatorCli(
          [
            '--host',
            '127.0.0.1',
            '--port',
            port,
            '--code',
            proc.pairingCode,
            '--drop-every',
            '5',
            '--chunk-size',
            '256k',
            PHOTOS_DIR,
          ],
          first,
          simEnv,
        );
        expect(code, first.text()).toBe(0);
        const token = /--token[= ](\S+)/.exec(first.text())?.[1];
        expect(token).toBeTruthy();
        expect(first.text()).toMatch(new RegExp(`committed\\s+${allPhotos().length}`));

        for (const name of allPhotos()) {
          const original = await fs.readFile(path.join(PHOTOS_DIR, name));
          const stored = await findFile(folder, name);
          expect(stored, `${name} stored`).not.toBeNull();
          expect(sha256Hex(await fs.readFile(stored!)), `${name} byte-identical`).toBe(sha256Hex(original));
        }
        expect(await findFile(folder, 'heic-iphone.heic')).toBe(
          path.join(folder, '2019', '2019-08', 'heic-iphone.heic'),
        );
        expect(await findFile(folder, 'img_1771.jpg')).toBe(path.join(folder, '2003', '2003-12', 'img_1771.jpg'));
        await proc.waitFor(/Stored 2019\/2019-08\/heic-iphone\.heic/);

        const second = captureIo();
        expect(
          await runSimulatorCli(['--host', '127.0.0.1', '--port', port, '--token', token!, PHOTOS_DIR], second, simEnv),
        ).toBe(0);
        expect(second.text()).toMatch(new RegExp(`duplicates\\s+${allPhotos().length}`));
        expect(second.text()).toMatch(/committed\s+0/);
      } finally {
        await proc.kill('SIGTERM');
        await fs.rm(root, { recursive: true, force: true });
      }
    }, 90_000);
  },
);
