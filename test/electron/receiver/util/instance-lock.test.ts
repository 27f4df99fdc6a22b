/** One receiver per backup folder and data folder: the lock file, stale locks, and the receiver using it. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureBackupFolder } from '../../../../electron/receiver/folder-locks';
import { startReceiver } from '../../../../electron/receiver/receiver';
import { InstanceLock, InstanceLockedError } from '../../../../electron/receiver/util/instance-lock';
import { makeTempDir, testConfig } from '../../../helpers/receiver-fixture';
import { REPO_ROOT } from '../../../helpers/photos';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});
async function tempRoot(): Promise<string> {
  const root = await makeTempDir('shoebox-lock-');
  roots.push(root);
  return root;
}
const options = { purpose: 'a test receiver', guards: 'the test folder' };
const writeLock = (file: string, holder: object) =>
  fs.writeFile(file, JSON.stringify({ startedAt: '2026-01-01T00:00:00Z', purpose: 'x', token: 't', ...holder }));
const ageBy = async (file: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  await fs.utimes(file, then, then);
};

describe('instance lock', () => {
  it('refuses a second holder with who holds it and what to do, and frees the file on release', async () => {
    const file = path.join(await tempRoot(), 'sub', 'receiver.lock');
    const first = await InstanceLock.acquire(file, options);
    const refused = await InstanceLock.acquire(file, options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InstanceLockedError);
    expect((refused as InstanceLockedError).holder).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      purpose: 'a test receiver',
    });
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^The test folder is in use by a test receiver \\(process ${process.pid} since .+\\)\\. Quit that one first`,
      ),
    );
    await first.release();
    await first.release();
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await (await InstanceLock.acquire(file, options)).release();
  });

  it('takes over a lock whose process on this computer is gone', async () => {
    const file = path.join(await tempRoot(), 'receiver.lock');
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    await writeLock(file, { pid: deadPid, host: os.hostname() });
    const log = vi.fn();
    const lock = await InstanceLock.acquire(file, { ...options, log });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`process ${deadPid} is not running any more`)));
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, token: lock.holder.token });
    await lock.release();
  });

  it(
    'keeps the lock of a live process on this computer ' + 'however old its heartbeat (a sleeping laptop, Ctrl+Z)',
    async () => {
      const file = path.join(await tempRoot(), 'receiver.lock');
      await writeLock(file, { pid: process.ppid, host: os.hostname() });
      await expect(InstanceLock.acquire(file, options)).rejects.toBeInstanceOf(InstanceLockedError);
      await ageBy(file, 3_600_000);
      await expect(InstanceLock.acquire(file, options)).rejects.toBeInstanceOf(InstanceLockedError);
    },
  );

  it('takes over a lock from before the computer restarted, whatever now runs under its process id', async () => {
    const file = path.join(await tempRoot(), 'receiver.lock');
    const bootedAt = Date.now() - 600_000;
    await writeLock(file, { pid: process.ppid, host: os.hostname(), bootedAt: bootedAt - 86_400_000 });
    const log = vi.fn();
    await (await InstanceLock.acquire(file, { ...options, bootedAt, log })).release();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('the computer restarted'));
    // same boot, clocks a little apart
    await writeLock(file, { pid: process.ppid, host: os.hostname(), bootedAt: bootedAt + 400 });
    await expect(InstanceLock.acquire(file, { ...options, bootedAt })).rejects.toBeInstanceOf(InstanceLockedError);
  });

  it('trusts another computer’s lock on a shared folder only while its heartbeat is fresh', async () => {
    const file = path.join(await tempRoot(), 'receiver.lock');
    await writeLock(file, { pid: 1, host: 'other-mac.local' });
    await expect(InstanceLock.acquire(file, options)).rejects.toThrow(/process 1 on other-mac\.local/);
    await ageBy(file, 60_000);
    await expect(InstanceLock.acquire(file, options)).rejects.toBeInstanceOf(InstanceLockedError);
    await ageBy(file, 121_000);
    await (await InstanceLock.acquire(file, options)).release();
  });

  it(
    'takes over a lock naming our own process id that ' + 'this process does not hold (a restarted container)',
    async () => {
      const file = path.join(await tempRoot(), 'receiver.lock');
      await writeLock(file, { pid: process.pid, host: os.hostname() });
      await (await InstanceLock.acquire(file, options)).release();
    },
  );

  it('waits out a lock file being written by another instance, and clears one left half-written', async () => {
    const file = path.join(await tempRoot(), 'receiver.lock');
    await fs.writeFile(file, '{"pid":');
    await expect(InstanceLock.acquire(file, options)).rejects.toThrow(/starting on the test folder right now/);
    await ageBy(file, 6_000);
    await (await InstanceLock.acquire(file, options)).release();
  });

  it(
    'touches the file while held, says so when the lock was ' +
      'taken, and never removes a lock that is no longer its own',
    async () => {
      const file = path.join(await tempRoot(), 'receiver.lock');
      const log = vi.fn();
      const lock = await InstanceLock.acquire(file, { ...options, heartbeatMs: 20, log });
      await ageBy(file, 100_000);
      await vi.waitFor(async () => expect(Date.now() - (await fs.stat(file)).mtimeMs).toBeLessThan(10_000));
      await writeLock(file, { pid: 1, host: 'someone-else' });
      await vi.waitFor(() => expect(lock.lost).toBe(true));
      expect(log).toHaveBeenCalledWith(
        expect.stringContaining('is no longer held by this Shoebox (now x, process 1 on someone-else)'),
      );
      await lock.release();
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ host: 'someone-else' });
    },
  );
});

describe('receiver and the folder lock', () => {
  it(
    'refuses a second receiver on the same backup folder ' + 'or data folder, and lets the next one start after close',
    async () => {
      const root = await tempRoot();
      const config = testConfig(root);
      const first = await startReceiver(config, { openPairing: false });
      try {
        await expect(
          startReceiver({ ...config, dataDir: path.join(root, 'other-data') }, { openPairing: false }),
        ).rejects.toThrow(
          new RegExp(
            `^The backup folder ${config.folder.replace(/[/\\.]/g, '\\$&')} is in use by another Shoebox receiver`,
          ),
        );
        await expect(
          startReceiver({ ...config, folder: path.join(root, 'Other') }, { openPairing: false }),
        ).rejects.toThrow(/^The data folder .* is in use by another Shoebox receiver/);
        // The refused starts left nothing behind: the other folder is free.
        await (
          await startReceiver(
            { ...config, folder: path.join(root, 'Other'), dataDir: path.join(root, 'other-data') },
            { openPairing: false },
          )
        ).close();
        expect((await fetch(`${first.url}/v1/info`)).status).toBe(200);
      } finally {
        await first.close();
      }
      await (await startReceiver(config, { openPairing: false })).close();
    },
  );

  it('shoebox serve on a folder in use exits 1 with the reason', async () => {
    const root = await tempRoot();
    const config = testConfig(root);
    const running = await startReceiver(config, { openPairing: false });
    try {
      const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
      const args = [
        path.join(REPO_ROOT, 'electron/launch/cli/main.ts'),
        'serve',
        '--folder',
        config.folder,
        '--data-dir',
        path.join(root, 'd2'),
        '--bind',
        '127.0.0.1',
        '--port',
        '0',
        '--no-bonjour',
        '--no-tls',
      ];
      const child = spawn(tsx, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(out).toMatch(
        /shoebox: The backup folder .*is in use by another Shoebox receiver \(process \d+ since [^)]+\)\. Quit that one first/,
      );
    } finally {
      await running.close();
    }
  }, 30_000);
});

describe('the backup folder at start', () => {
  it(
    'is created as needed under the home folder, elsewhere ' +
      'only its last part (a disconnected disk is not recreated)',
    async () => {
      const root = await tempRoot();
      await ensureBackupFolder(path.join(root, 'home', 'Pictures', 'Shoebox'), path.join(root, 'home'));
      expect((await fs.stat(path.join(root, 'home', 'Pictures', 'Shoebox'))).isDirectory()).toBe(true);
      await ensureBackupFolder(path.join(root, 'Shoebox'), path.join(root, 'home'));
      await ensureBackupFolder(path.join(root, 'Shoebox'), path.join(root, 'home')); // already there
      await expect(
        ensureBackupFolder(path.join(root, 'Volumes', 'Photos', 'Shoebox'), path.join(root, 'home')),
      ).rejects.toThrow(
        /^The backup folder .*Shoebox is not there, nor is .*Photos\. If it is on a disk that is not connected, connect it/,
      );
      await expect(fs.stat(path.join(root, 'Volumes'))).rejects.toMatchObject({ code: 'ENOENT' });
      await fs.writeFile(path.join(root, 'plain-file'), 'x');
      await expect(ensureBackupFolder(path.join(root, 'plain-file'), path.join(root, 'home'))).rejects.toThrow(
        /is a file, not a folder/,
      );
    },
  );
});
