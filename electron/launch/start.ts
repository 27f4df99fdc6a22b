/**
 * `npm start [-- flags]`: the desktop app where Electron's binary is installed, otherwise the headless
 * receiver with its window served to a browser. Either way the window (and, for the app, the shell) is
 * built first when stale. Flags after `--` are those of `shoebox serve` (--folder, --port, --bind,
 * --no-bonjour, …) in both modes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale, runStep, shellBuildStep, windowBuildStep } from './build-if-needed';
import { processIo, runHeadless } from './headless';
import { electronArgs, planLaunch } from './plan';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const io = processIo;
const note = (line: string) => io.err(`shoebox: ${line}`);
const mayBuild = process.env.SHOEBOX_NO_BUILD !== '1';

async function runElectron(binary: string): Promise<number> {
  const step = shellBuildStep(root);
  if (mayBuild && isStale(step.outputs, step.sources) && !runStep(root, step, note)) return 1;
  const child = spawn(binary, electronArgs(root, args), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    child.on('error', (error) => {
      note(`could not start Electron (${binary}): ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
  });
}

async function runWithoutElectron(reason: string): Promise<number> {
  if (reason !== 'help') {
    note(`not opening the desktop app. ${reason}`);
    note(
      'Running headless instead: the receiver works the same, ' +
        'and its window opens in your browser at the "Window:" address below.',
    );
  }
  return runHeadless(args, io);
}

/** The window first, in both modes (built when missing or older than its sources, with a progress line). */
function buildWindow(): boolean {
  const step = windowBuildStep(root);
  return !mayBuild || !isStale(step.outputs, step.sources) || runStep(root, step, note);
}

const plan = planLaunch({ root, args, env: process.env, platform: process.platform, fs });
const run = !buildWindow()
  ? Promise.resolve(1)
  : plan.mode === 'electron'
    ? runElectron(plan.binary)
    : runWithoutElectron(plan.reason);
run.then(
  (code) => process.exit(code),
  (error: unknown) => {
    note((error as Error)?.stack ?? String(error));
    process.exit(1);
  },
);
