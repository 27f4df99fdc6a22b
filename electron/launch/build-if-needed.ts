/**
 * Before Shoebox starts from the sources (`npm start`): build the window (vite) and, for the desktop
 * app, the shell bundle (esbuild) when a source file is newer than what was built. npm runs no
 * `prestart` hook here (`.npmrc` sets ignore-scripts), so the launcher does it itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SKIP = new Set(['node_modules', '.git', 'dist', 'out']);

/** Newest modification time (ms) of the files under `dir`, 0 when there are none. */
export function newestMtime(dir: string): number {
  let newest = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when an output is missing or older than the newest source. */
export function isStale(outputs: string[], sources: string[]): boolean {
  const built = outputs.map((file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldest = Math.min(...built);
  if (oldest === 0) return true;
  return sources.some((source) => newestMtime(source) > oldest);
}

export interface BuildStep {
  name: string;
  outputs: string[];
  sources: string[];
  command: [string, ...string[]];
}

/** The window (dist/renderer), which both the desktop app and the headless window server serve. */
export function windowBuildStep(root: string): BuildStep {
  const r = (p: string) => path.join(root, p);
  return {
    name: 'the Shoebox window (vite, dist/renderer)',
    outputs: [r('dist/renderer/index.html')],
    sources: [r('renderer/src'), r('renderer/index.html'), r('renderer/public'), r('shared')],
    command: [
      process.execPath,
      r('node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      r('renderer/vite.config.ts'),
      '--logLevel',
      'warn',
    ],
  };
}

/** The shell bundle. */
export function shellBuildStep(root: string): BuildStep {
  const r = (p: string) => path.join(root, p);
  return {
    name: 'the Electron shell (esbuild)',
    outputs: [r('dist/shell/main.js'), r('dist/shell/preload.cjs')],
    sources: [r('electron'), r('shared'), r('build/tray'), r('build/scripts')],
    command: [process.execPath, r('build/scripts/build-shell.mjs')],
  };
}

/** Runs a build step; false when it failed. */
export function runStep(root: string, step: BuildStep, log: (line: string) => void): boolean {
  log(`Building ${step.name}…`);
  const [command, ...args] = step.command;
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status === 0) return true;
  log(`Building ${step.name} failed${result.error ? `: ${result.error.message}` : ` (exit code ${result.status})`}.`);
  return false;
}
