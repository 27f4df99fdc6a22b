/** `npm run dev` keeps the window's session across receiver restarts: one token, 0600, one port. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_TOKEN_FILE, DEV_UI_PORT, devSessionToken, devUiPort } from '../../../electron/launch/dev-session';
import { makeTempDir } from '../../helpers/receiver-fixture';

describe('the dev loop session', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps one token across restarts, readable by this user only', async () => {
    dir = await makeTempDir('shoebox-dev-session-');
    const dataDir = path.join(dir, 'data');
    const first = await devSessionToken(dataDir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await devSessionToken(dataDir)).toBe(first);
    const stat = await fs.stat(path.join(dataDir, DEV_TOKEN_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('replaces a token file that does not hold a token, and tightens its mode', async () => {
    dir = await makeTempDir('shoebox-dev-session-');
    const file = path.join(dir, DEV_TOKEN_FILE);
    await fs.writeFile(file, 'short\n', { mode: 0o644 });
    const token = await devSessionToken(dir);
    expect(token).not.toBe('short');
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(token);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('serves the window on SHOEBOX_UI_PORT when it is a port, else on the dev default', () => {
    expect(devUiPort({ SHOEBOX_UI_PORT: '6001' })).toBe(6001);
    expect(devUiPort({})).toBe(DEV_UI_PORT);
    expect(devUiPort({ SHOEBOX_UI_PORT: '0' })).toBe(DEV_UI_PORT); // a random port would change the cookie's name
    expect(devUiPort({ SHOEBOX_UI_PORT: 'x' })).toBe(DEV_UI_PORT);
  });
});
