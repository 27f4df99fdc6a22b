/** `shoebox serve` (what `npm start` runs without Electron) prints the window's URL, and it works. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers/receiver-fixture';
import { loopbackReceiverArgs, spawnReceiver } from '../../helpers/receiver-process';

describe('shoebox serve', () => {
  it('prints the window URL with its session token; the token opens the window, nothing else does', async () => {
    const root = await makeTempDir('shoebox-serve-');
    const proc = await spawnReceiver(loopbackReceiverArgs(root, path.join(root, 'Backup'), []));
    try {
      const url = (await proc.waitFor(/Window: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})/))[1]!;
      const origin = new URL(url).origin;
      expect((await fetch(`${origin}/`)).status).toBe(401);
      const opened = await fetch(url, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
      const info = await fetch(`${origin}/v1/info`, { headers: { cookie } });
      expect(info.status).toBe(200);
      expect(await proc.kill('SIGTERM')).toBe(0);
    } finally {
      await proc.kill('SIGKILL').catch(() => undefined);
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('shoebox serve and the folder chosen in the window', () => {
  it('starts on the folder the window moved the library to, unless --folder says otherwise', async () => {
    const root = await makeTempDir('shoebox-serve-');
    const data = path.join(root, 'data');
    const common = ['--data-dir', data, '--bind', '127.0.0.1', '--port', '0', '--no-bonjour', '--no-tls'];
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(
      path.join(data, 'app-settings.json'),
      JSON.stringify({ version: 1, folder: path.join(root, 'Chosen') }),
    );
    try {
      const saved = await spawnReceiver(common, { SHOEBOX_FOLDER: '' });
      expect((await saved.waitFor(/Backup folder: (.+)/))[1]).toBe(path.join(root, 'Chosen'));
      await saved.kill('SIGTERM');
      const given = await spawnReceiver(['--folder', path.join(root, 'Given'), ...common]);
      expect((await given.waitFor(/Backup folder: (.+)/))[1]).toBe(path.join(root, 'Given'));
      await given.kill('SIGTERM');
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
