/**
 * Packaging without Electron: `build:shell` bundles main and preload (the preload runs in a sandbox-like
 * VM with only 'electron' to require), the electron-builder config passes electron-builder's own schema
 * check, and the icons are real, small PNGs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannel } from '../../shared/app-api';
import { REPO_ROOT } from '../helpers/photos';
import { makeTempDir } from '../helpers/receiver-fixture';

const require = createRequire(import.meta.url);
let out: string;

beforeAll(async () => {
  out = await makeTempDir('shoebox-shell-build-');
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'build/scripts/build-shell.mjs'), '--outdir', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build:shell failed:\n${result.stdout}\n${result.stderr}`);
}, 60_000);

afterAll(() => fs.rm(out, { recursive: true, force: true }));

describe('build:shell', () => {
  it('writes the main bundle, the preload, the HEIC worker and the tray pictures', async () => {
    const files = await fs.readdir(out);
    expect(files).toEqual(expect.arrayContaining(['main.js', 'preload.cjs', 'heic-worker.mjs', 'tray']));
    const tray = await fs.readdir(path.join(out, 'tray'));
    for (const state of ['idle', 'receiving', 'attention']) {
      expect(tray).toEqual(
        expect.arrayContaining([
          `tray-${state}.png`,
          `tray-${state}@2x.png`,
          `tray-${state}Template.png`,
          `tray-${state}Template@2x.png`,
        ]),
      );
    }
  });

  it('bundles our code into an ES module and leaves every package to node_modules', async () => {
    const main = await fs.readFile(path.join(out, 'main.js'), 'utf8');
    expect(main).toMatch(/from "electron"/);
    expect(main).toMatch(/from "sharp"/);
    expect(main).not.toMatch(/\/\/ node_modules\//);
    expect(main).toContain('registerSchemesAsPrivileged');
    const check = spawnSync(process.execPath, ['--check', path.join(out, 'main.js')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('makes a preload that needs nothing but electron and exposes exactly window.shoebox', async () => {
    const code = await fs.readFile(path.join(out, 'preload.cjs'), 'utf8');
    const exposed: Array<[string, Record<string, unknown>]> = [];
    const invoked: Array<[string, unknown]> = [];
    const required: string[] = [];
    const ipcRenderer = {
      invoke: async (channel: string, request: unknown) => (
        invoked.push([channel, request]),
        { ok: true, value: { revoked: true } }
      ),
      on: () => undefined,
      removeListener: () => undefined,
    };
    const fakeRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return {
        contextBridge: {
          exposeInMainWorld: (key: string, api: Record<string, unknown>) => void exposed.push([key, api]),
        },
        ipcRenderer,
      };
    };
    const module = { exports: {} };
    // Roughly what a sandboxed preload gets: require('electron'), module, exports, console, timers; no Node.
    vm.runInNewContext(
      code,
      { require: fakeRequire, module, exports: module.exports, console, setTimeout, clearTimeout },
      { filename: 'preload.cjs' },
    );
    expect(required).toEqual(['electron']);
    expect(exposed.map(([key]) => key)).toEqual(['shoebox']);
    const api = exposed[0]![1] as { invoke(command: string, request: unknown): Promise<unknown>; on: unknown };
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(await api.invoke('devices.revoke', { deviceId: 'd1' })).toEqual({ ok: true, value: { revoked: true } });
    expect(await api.invoke('devices.revoke', { deviceId: 7 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(invoked).toEqual([[invokeChannel('devices.revoke'), { deviceId: 'd1' }]]);
  });
});

/**
 * The parts of build/electron-builder.config.mjs this test reads (electron-builder's own type allows null everywhere).
 */
interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  icon: string;
  electronFuses: Record<string, boolean>;
  directories: { output: string };
  mac: {
    target: string[];
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    extendInfo: Record<string, unknown>;
  };
  win: { target: string[] };
  linux: { target: string[] };
}

describe('electron-builder configuration', () => {
  const configPath = path.join(REPO_ROOT, 'build/electron-builder.config.mjs');

  it("passes electron-builder's own schema check", async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      getConfig: (dir: string, file: string, extra: null) => Promise<Record<string, unknown>>;
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new () => unknown };
    const config = await getConfig(REPO_ROOT, configPath, null);
    await expect(validateConfiguration(config, new DebugLogger())).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, mac: { notAnOption: true } }, new DebugLogger())).rejects.toThrow(
      /configuration/,
    );
  });

  it('describes the app the brief asks for', async () => {
    const { default: config } = (await import(configPath)) as { default: BuilderConfig };
    expect(config).toMatchObject({
      appId: 'app.shoebox.desktop',
      productName: 'Shoebox',
      extraMetadata: { main: 'dist/shell/main.js' },
    });
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/shell/**/*', 'dist/renderer/**/*']));
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/sharp/**/*', '**/node_modules/@img/**/*']),
    );
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
    expect(config.mac.extendInfo.NSBonjourServices).toEqual(['_shoebox._tcp']);
    expect(config.mac.extendInfo.NSLocalNetworkUsageDescription).toMatch(/local network/);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.directories.output).toMatch(/^out\//);
    for (const file of [config.icon, config.mac.entitlements, config.mac.entitlementsInherit]) {
      await expect(fs.access(path.join(REPO_ROOT, file)), file).resolves.toBeUndefined();
    }
    const entitlements = await fs.readFile(path.join(REPO_ROOT, config.mac.entitlements), 'utf8');
    for (const key of [
      'com.apple.security.network.server',
      'com.apple.security.network.client',
      'com.apple.security.cs.allow-jit',
    ]) {
      expect(entitlements).toMatch(new RegExp(`<key>${key.replaceAll('.', '\\.')}</key>\\s*<true/>`));
    }
  });

  it('is what package.json builds and starts', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(pkg.main).toBe('dist/shell/main.js');
    expect(pkg.scripts['build:shell']).toBe('node build/scripts/build-shell.mjs');
    expect(pkg.scripts.dist).toContain('electron-builder --config build/electron-builder.config.mjs');
    expect(pkg.scripts.start).toBe('tsx electron/launch/start.ts');
  });
});

describe('icons', () => {
  it('are real PNGs of the right sizes, and small', async () => {
    const app = await sharp(path.join(REPO_ROOT, 'build/icon.png')).metadata();
    expect([app.format, app.width, app.height]).toEqual(['png', 1024, 1024]);
    expect((await fs.stat(path.join(REPO_ROOT, 'build/icon.png'))).size).toBeLessThan(64 * 1024);
    const trayDir = path.join(REPO_ROOT, 'build/tray');
    const names = (await fs.readdir(trayDir)).filter((n) => n.endsWith('.png'));
    expect(names).toHaveLength(12);
    for (const name of names) {
      const meta = await sharp(path.join(trayDir, name)).metadata();
      const size = name.includes('@2x') ? 32 : 16;
      expect([meta.format, meta.width, meta.height, meta.hasAlpha], name).toEqual(['png', size, size, true]);
      expect((await fs.stat(path.join(trayDir, name))).size, name).toBeLessThan(2048);
    }
  });

  it('macOS template pictures are black and transparent only', async () => {
    const { data, info } = await sharp(path.join(REPO_ROOT, 'build/tray/tray-receivingTemplate@2x.png'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let i = 0; i < info.width * info.height; i++) {
      const [r, g, b, a] = [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, data[i * 4 + 3]!];
      if (a > 0) expect(r + g + b, `pixel ${i}`).toBe(0);
    }
  });
});
