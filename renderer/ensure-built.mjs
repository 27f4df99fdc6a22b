#!/usr/bin/env node
// Builds the window (dist/renderer) when it is missing or older than its sources, so `npm start`
// always serves a current UI. Quiet when there is nothing to do.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const index = path.join(root, 'dist/renderer/index.html');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

const sources = Math.max(
  newest(path.join(root, 'renderer/src')),
  newest(path.join(root, 'shared')),
  statSync(path.join(root, 'renderer/index.html')).mtimeMs,
);
if (!existsSync(index) || statSync(index).mtimeMs < sources) {
  process.stderr.write('Building the Shoebox window (dist/renderer)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}
