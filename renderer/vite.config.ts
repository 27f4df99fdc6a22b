/**
 * The window's build: `npm run build:ui` writes dist/renderer, which the headless server and Electron load.
 * `npm run dev` serves the same config from Vite in middleware mode, behind the headless window server
 * (electron/launch/dev-window-files.ts): `server` below applies to that too (fs.allow: the repo, for $shared).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  resolve: { alias: { $shared: path.resolve(here, '../shared') } },
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: { host: '127.0.0.1', fs: { allow: [path.resolve(here, '..')] } },
});
