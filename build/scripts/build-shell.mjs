#!/usr/bin/env node
// `npm run build:shell`: bundles the Electron main process and the preload with esbuild into
// dist/shell/ (or --outdir DIR).
//   main.js      ESM, our code bundled, every npm package left to node_modules ('electron' included)
//   preload.cjs  one CommonJS file (a sandboxed preload cannot require anything but 'electron')
//   heic-worker.mjs, tray/*.png   files the main process loads next to itself
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const flag = process.argv.indexOf('--outdir');
const outDir = path.resolve(
  flag >= 0 && process.argv[flag + 1] ? process.argv[flag + 1] : path.join(root, 'dist/shell'),
);

// Electron 45 runs Node 22 and Chromium 140.
const common = { absWorkingDir: root, bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

await build({
  ...common,
  entryPoints: ['electron/main/index.ts'],
  outfile: path.join(outDir, 'main.js'),
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
});

await build({
  ...common,
  entryPoints: ['electron/preload/index.ts'],
  outfile: path.join(outDir, 'preload.cjs'),
  platform: 'browser',
  format: 'cjs',
  target: 'chrome140',
  external: ['electron'],
  minify: true,
});

// A sandboxed preload that requires anything else fails at run time: refuse to ship one.
const preload = await readFile(path.join(outDir, 'preload.cjs'), 'utf8');
const required = [...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
const stray = required.filter((name) => name !== 'electron');
if (stray.length > 0) {
  console.error(
    `build:shell: the preload requires ${stray.join(', ')}; only 'electron' is available to a sandboxed preload.`,
  );
  process.exit(1);
}

// The HEIC decoder starts its worker from new URL('./heic-worker.mjs', import.meta.url): beside main.js.
await copyFile(path.join(root, 'electron/app/thumbnails/heic-worker.mjs'), path.join(outDir, 'heic-worker.mjs'));
await mkdir(path.join(outDir, 'tray'), { recursive: true });
const trayDir = path.join(root, 'build/tray');
for (const name of (await readdir(trayDir)).filter((n) => n.endsWith('.png')))
  await copyFile(path.join(trayDir, name), path.join(outDir, 'tray', name));

const shown = outDir.startsWith(root) ? path.relative(root, outDir) : outDir;
console.log(`build:shell: ${shown}/main.js, preload.cjs, heic-worker.mjs, tray/`);
