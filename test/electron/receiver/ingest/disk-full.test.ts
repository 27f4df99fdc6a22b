/**
 * A real full disk: the receiver runs in a private mount namespace with its backup folder on a small
 * tmpfs, so writes fail with ENOSPC for real. Needs root and unshare; skips with a message otherwise.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATHS, pairResponseSchema } from '../../../../shared/protocol';
import { RawClient } from '../../../helpers/raw-client';
import { makeTempDir } from '../../../helpers/receiver-fixture';
import { loopbackReceiverArgs, spawnReceiverWrapped } from '../../../helpers/receiver-process';

const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

describe.skipIf(!canMount)(
  `a real full disk (${canMount ? 'tmpfs in a mount namespace' : 'skipped: needs root and unshare -m'})`,
  () => {
    it('answers DISK_FULL, retryable, shows no partial file, and keeps serving', async () => {
      const root = await makeTempDir();
      const mount = path.join(root, 'disk');
      await fs.mkdir(mount);
      const folder = path.join(mount, 'Backup');
      const proc = await spawnReceiverWrapped(
        [
          'unshare',
          '-m',
          '--propagation',
          'private',
          'sh',
          '-c',
          `mount -t tmpfs -o size=3m tmpfs "${mount}" && exec "$@"`,
          'sh',
        ],
        loopbackReceiverArgs(root, folder),
      );
      try {
        const res = await fetch(`${proc.url}${PATHS.pair}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: proc.pairingCode, deviceName: 'Full', deviceId: 'full' }),
        });
        const { token } = pairResponseSchema.parse(await res.json());
        const c = await RawClient.authed(`${proc.url.replace('http', 'ws')}${PATHS.stream}`, token);
        const answers = await Promise.all([
          c.upload(1, randomBytes(1_800_000), { filename: 'one.jpg', captureDate: '2024-01-01T00:00:00' }),
          c.upload(2, randomBytes(1_800_000), { filename: 'two.jpg', captureDate: '2024-01-01T00:00:00' }),
        ]);
        const failures = answers.filter((a) => a.type === 'error');
        expect(failures.length).toBeGreaterThanOrEqual(1);
        for (const failure of failures) expect(failure).toMatchObject({ code: 'DISK_FULL', retryable: true });
        // Only whole, committed files are visible; the failed one is nowhere in the folder.
        const committed = answers.flatMap((a) => (a.type === 'committed' ? [a.path] : []));
        // The tmpfs exists only in the receiver's mount namespace: look from inside it.
        const listing = spawnSync(
          'nsenter',
          [
            '-t',
            String(proc.child.pid),
            '-m',
            '--',
            'find',
            folder,
            '-path',
            `${folder}/.shoebox`,
            '-prune',
            '-o',
            '-type',
            'f',
            '-print',
          ],
          { encoding: 'utf8' },
        );
        expect(listing.status).toBe(0);
        const visible = listing.stdout
          .split('\n')
          .filter(Boolean)
          .map((f) => path.relative(folder, f))
          .sort();
        expect(visible).toEqual([...committed].sort());
        // The receiver still answers, and says so again at announce time with the disk still full.
        expect((await fetch(`${proc.url}${PATHS.info}`)).status).toBe(200);
        const again = await c.upload(3, randomBytes(2_500_000), { filename: 'three.jpg' });
        expect(again).toMatchObject({ type: 'error', code: 'DISK_FULL', retryable: true });
        c.close();
      } finally {
        await proc.kill('SIGTERM');
        await fs.rm(root, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
