/** `npm start`: Electron where its binary and a display are, else the headless receiver with its window server. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronArgs, findElectronBinary, planLaunch, type FsProbe } from '../../../electron/launch/plan';
import { isStale, windowBuildStep } from '../../../electron/launch/build-if-needed';
import { startHeadless, type HeadlessRun } from '../../../electron/launch/headless';
import { shellConfig } from '../../../electron/main/shell-config';
import { REPO_ROOT } from '../../helpers/photos';
import { makeTempDir } from '../../helpers/receiver-fixture';

const ROOT = '/repo';
const PATH_TXT = path.join(ROOT, 'node_modules/electron/path.txt');
const BINARY = path.join(ROOT, 'node_modules/electron/dist/electron');

function fakeFs(files: Record<string, string>): FsProbe {
  return {
    existsSync: (file) => Object.hasOwn(files, file),
    readFileSync: (file) => {
      if (!Object.hasOwn(files, file)) throw new Error(`ENOENT ${file}`);
      return files[file]!;
    },
  };
}

const installed = fakeFs({ [PATH_TXT]: 'electron', [BINARY]: '' });
const plan = (over: Partial<Parameters<typeof planLaunch>[0]> = {}) =>
  planLaunch({
    root: ROOT,
    args: ['--port', '47121'],
    env: { DISPLAY: ':0' },
    platform: 'linux',
    fs: installed,
    ...over,
  });

describe('planLaunch', () => {
  it('runs Electron when its binary is installed and there is a display', () => {
    expect(plan()).toEqual({ mode: 'electron', binary: BINARY, args: ['--port', '47121'] });
    expect(plan({ platform: 'darwin', env: {} }).mode).toBe('electron');
    expect(plan({ platform: 'win32', env: {} }).mode).toBe('electron');
  });

  it('goes headless, saying how to get Electron, when the binary is missing', () => {
    for (const fs of [fakeFs({}), fakeFs({ [PATH_TXT]: 'electron' }), fakeFs({ [PATH_TXT]: '' })]) {
      const p = plan({ fs });
      expect(p.mode).toBe('headless');
      expect(p.args).toEqual(['--port', '47121']);
      if (p.mode === 'headless')
        expect(p.reason).toMatch(/Electron is not installed.*node node_modules\/electron\/install\.js/);
    }
  });

  it('goes headless without a display, when asked to, and for --help', () => {
    expect(plan({ env: {} })).toMatchObject({
      mode: 'headless',
      reason: expect.stringMatching(/no display/) as unknown,
    });
    expect(plan({ env: { WAYLAND_DISPLAY: 'wayland-0' } }).mode).toBe('electron');
    expect(plan({ env: { DISPLAY: ':0', SHOEBOX_HEADLESS: '1' } })).toMatchObject({
      mode: 'headless',
      reason: expect.stringMatching(/SHOEBOX_HEADLESS/) as unknown,
    });
    expect(plan({ args: ['--help'] })).toMatchObject({ mode: 'headless', reason: 'help' });
  });

  it('follows ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const fs = fakeFs({ [PATH_TXT]: 'electron\n', '/opt/electron/electron': '' });
    expect(findElectronBinary(ROOT, fs, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' })).toBe(
      '/opt/electron/electron',
    );
  });

  const hasBinary = findElectronBinary(REPO_ROOT, fs) !== null;
  it.skipIf(hasBinary)('on a machine without the Electron binary (this one, CI) picks headless', () => {
    const p = planLaunch({ root: REPO_ROOT, args: [], env: { DISPLAY: ':0' }, platform: 'linux', fs });
    expect(p).toMatchObject({
      mode: 'headless',
      reason: expect.stringContaining('node node_modules/electron/install.js') as unknown,
    });
  });

  it('passes our flags to Electron after --, where the shell reads them', () => {
    const args = electronArgs(ROOT, ['--folder', '/tmp/B', '--no-bonjour', '--hidden']);
    expect(args).toEqual([ROOT, '--', '--folder', '/tmp/B', '--no-bonjour', '--hidden']);
    const settings = shellConfig(['/path/to/electron', ...args], {});
    expect(settings.config.folder).toBe('/tmp/B');
    expect(settings.config.bonjour).toBe(false);
    expect(settings).toMatchObject({ hidden: true, preferSavedFolder: false });
    expect(shellConfig(['/Applications/Shoebox.app/Contents/MacOS/Shoebox'], {})).toMatchObject({
      hidden: false,
      preferSavedFolder: true,
    });
    expect(() => shellConfig(['electron', '.', '--', '--port', 'x'], {})).toThrow(/port/);
    expect(shellConfig(['Shoebox.exe', '--', '--', '--port', '47122'], {}).config.port).toBe(47122);
    expect(shellConfig(['electron', '--inspect=9229', '.', '--', '--port', '47123'], {}).config.port).toBe(47123);
  });
});

describe('isStale', () => {
  let dir: string | undefined;
  afterEach(() => (dir ? fsp.rm(dir, { recursive: true, force: true }) : undefined));

  it('is true when an output is missing or older than a source', async () => {
    dir = await makeTempDir('shoebox-stale-');
    const src = path.join(dir, 'src');
    await fsp.mkdir(path.join(src, 'deep'), { recursive: true });
    await fsp.writeFile(path.join(src, 'deep', 'a.ts'), '1');
    const out = path.join(dir, 'out.js');
    expect(isStale([out], [src])).toBe(true);
    await fsp.writeFile(out, 'x');
    const later = new Date(Date.now() + 60_000);
    await fsp.utimes(out, later, later);
    expect(isStale([out], [src])).toBe(false);
    const evenLater = new Date(Date.now() + 120_000);
    await fsp.utimes(path.join(src, 'deep', 'a.ts'), evenLater, evenLater);
    expect(isStale([out], [src])).toBe(true);
  });
});

describe('the window build step (npm start runs it itself: npm skips prestart with ignore-scripts)', () => {
  let dir: string | undefined;
  afterEach(() => (dir ? fsp.rm(dir, { recursive: true, force: true }) : undefined));

  it('builds dist/renderer with vite when it is missing or older than the renderer or shared sources', async () => {
    dir = await makeTempDir('shoebox-window-step-');
    const root = dir;
    for (const file of ['renderer/src/App.svelte', 'renderer/index.html', 'shared/format.ts']) {
      await fsp.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fsp.writeFile(path.join(root, file), 'x');
    }
    const step = windowBuildStep(root);
    expect(step.command.slice(1)).toEqual([
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      path.join(root, 'renderer/vite.config.ts'),
      '--logLevel',
      'warn',
    ]);
    expect(isStale(step.outputs, step.sources)).toBe(true); // never built
    await fsp.mkdir(path.join(root, 'dist/renderer'), { recursive: true });
    await fsp.writeFile(path.join(root, 'dist/renderer/index.html'), '<!doctype html>');
    const later = new Date(Date.now() + 60_000);
    await fsp.utimes(path.join(root, 'dist/renderer/index.html'), later, later);
    expect(isStale(step.outputs, step.sources)).toBe(false);
    const evenLater = new Date(Date.now() + 120_000);
    await fsp.utimes(path.join(root, 'shared/format.ts'), evenLater, evenLater);
    expect(isStale(step.outputs, step.sources)).toBe(true); // a shared change reaches the window too
  });
});

describe('npm start without Electron', () => {
  it.skipIf(findElectronBinary(REPO_ROOT, fs) !== null)(
    'says Electron is missing, runs the receiver with the usual flags, and stops cleanly',
    async () => {
      const dir = await makeTempDir('shoebox-start-');
      const child = spawn(
        path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
        [
          path.join(REPO_ROOT, 'electron/launch/start.ts'),
          '--folder',
          path.join(dir, 'Backup'),
          '--data-dir',
          path.join(dir, 'data'),
          '--port',
          '0',
          '--bind',
          '127.0.0.1',
          '--no-bonjour',
          '--no-tls',
        ],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, SHOEBOX_NO_BUILD: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        for (let i = 0; i < 300 && !/Pairing code: \d{6}/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
        expect(err).toMatch(/Electron is not installed here.*node node_modules\/electron\/install\.js/);
        expect(err).toMatch(/Running headless instead/);
        expect(out).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+/);
        expect(out).toMatch(/Window: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
        expect(out).toMatch(/Pairing code: \d{6}/);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(out).toMatch(/Closing: unfinished uploads stay resumable/);
      } finally {
        child.kill('SIGKILL');
        await fsp.rm(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});

describe('headless mode (what npm start runs here)', () => {
  let run: HeadlessRun | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  it("prints the receiver's lines, the window URL and a pairing code, and serves the window", async () => {
    dir = await makeTempDir('shoebox-headless-');
    const lines: string[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`) };
    const started = await startHeadless(
      [
        '--folder',
        path.join(dir, 'Backup'),
        '--data-dir',
        path.join(dir, 'data'),
        '--port',
        '0',
        '--bind',
        '127.0.0.1',
        '--no-bonjour',
        '--no-tls',
      ],
      io,
      { uiDir: path.join(dir, 'ui') },
    );
    if (typeof started === 'number') throw new Error(`exit ${started}: ${lines.join('\n')}`);
    run = started;
    const text = () => lines.join('\n');
    expect(text()).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(text()).toContain(`Backup folder: ${path.join(dir, 'Backup')}`);
    expect(text()).toMatch(/^Bonjour: off$/m);
    for (let i = 0; i < 50 && !/Pairing code: \d{6}/.test(text()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(text()).toMatch(/Pairing code: \d{6}/);
    const windowUrl = /Window: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(text())?.[1];
    expect(windowUrl).toBeTruthy();
    const entry = await fetch(windowUrl!, { redirect: 'manual' });
    expect(entry.status).toBe(303);
    expect(entry.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(await run.stop()).toBe(0);
  });

  it('answers --help and bad flags like shoebox serve', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) };
    expect(await startHeadless(['--help'], io)).toBe(0);
    expect(lines.join('\n')).toMatch(/Usage: shoebox serve[\s\S]*SHOEBOX_HEADLESS=1/);
    expect(await startHeadless(['--port', 'nope'], io)).toBe(2);
    expect(await startHeadless(['--bogus'], io)).toBe(2);
  });
});
