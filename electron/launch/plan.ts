/**
 * What `npm start` runs: the Electron app where Electron's binary is installed and a display is there,
 * otherwise the headless receiver with its window served to a browser. Pure decisions over an injected
 * file system and environment (test/electron/launch/launcher.test.ts). Never requires the 'electron' package: its
 * index.js downloads the binary when it is missing.
 */
import path from 'node:path';

export interface FsProbe {
  existsSync(file: string): boolean;
  readFileSync(file: string, encoding: 'utf8'): string;
}

export type LaunchPlan =
  { mode: 'electron'; binary: string; args: string[] } | { mode: 'headless'; reason: string; args: string[] };

export const INSTALL_HINT =
  'To get the desktop app, fetch Electron once where the internet is reachable: node node_modules/electron/install.js';

/** The Electron executable that `node_modules/electron` would run, or null when it is not installed. */
export function findElectronBinary(root: string, fs: FsProbe, env: NodeJS.ProcessEnv = {}): string | null {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const relative = fs.readFileSync(pathFile, 'utf8').trim();
  if (!relative) return null;
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative)
    : path.join(pkg, 'dist', relative);
  return fs.existsSync(binary) ? binary : null;
}

export function planLaunch(options: {
  root: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  fs: FsProbe;
}): LaunchPlan {
  const { root, args, env, platform, fs } = options;
  const headless = (reason: string): LaunchPlan => ({ mode: 'headless', reason, args });
  if (args.includes('--help') || args.includes('-h')) return headless('help');
  if (env.SHOEBOX_HEADLESS === '1')
    return headless('SHOEBOX_HEADLESS=1 is set, so Shoebox runs without its desktop window.');
  const binary = findElectronBinary(root, fs, env);
  if (!binary)
    return headless(`Electron is not installed here (npm skips its download script, see .npmrc). ${INSTALL_HINT}`);
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return headless(
      'There is no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop window cannot open.',
    );
  return { mode: 'electron', binary, args };
}

/** Arguments for the Electron binary: the app folder, then ours after `--` (electron/main/shell-config.ts). */
export function electronArgs(root: string, args: string[]): string[] {
  return [root, '--', ...args];
}
