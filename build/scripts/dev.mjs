#!/usr/bin/env node
// `npm run dev [-- flags]`: electron/launch/dev.ts under `tsx watch`, which restarts it when a file it
// imports changes (electron/, shared/); the window's files come from Vite with hot reload meanwhile.
// tsx watch reruns on any key pressed, so it gets no terminal input (the headless console is off in dev),
// and it runs in a process group of its own: Ctrl-C reaches this script only, which asks tsx once to stop,
// so the app closes cleanly (unfinished uploads stay resumable) instead of receiving the signal twice.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const args = ['watch', '--clear-screen=false', 'electron/launch/dev.ts', ...process.argv.slice(2)];
const child = spawn(tsx, args, {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: process.platform !== 'win32',
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('error', (error) => {
  console.error(`shoebox dev: could not start tsx: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
