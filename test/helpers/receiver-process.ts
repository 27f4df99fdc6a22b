/** Runs the headless receiver as a separate process (`shoebox serve`), to kill it for real. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './photos';

export interface ReceiverProcess {
  child: ChildProcess;
  url: string;
  pairingCode: string;
  output: () => string;
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  kill: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * `shoebox serve` flags for a receiver that only tests see: loopback, any free port, plain HTTP, no
 * Bonjour, its private data in `<root>/data`. `extra` defaults to no free-space reserve.
 */
export function loopbackReceiverArgs(
  root: string,
  folder = path.join(root, 'Backup'),
  extra = ['--min-free', '0'],
): string[] {
  const flags = ['--bind', '127.0.0.1', '--port', '0', '--no-bonjour', '--no-tls'];
  return ['--folder', folder, '--data-dir', path.join(root, 'data'), ...flags, ...extra];
}

export function spawnReceiver(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ReceiverProcess> {
  return spawnReceiverWrapped([], args, env);
}

/** Like spawnReceiver, behind a wrapper command (e.g. unshare); the wrapper must exec its trailing arguments. */
export async function spawnReceiverWrapped(
  wrapper: string[],
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ReceiverProcess> {
  // node with tsx as a loader, not the tsx launcher: the child is the receiver itself, so a SIGKILL kills
  // the receiver (the launcher would die alone and leave its receiver running on the folder).
  const command = [
    ...wrapper,
    process.execPath,
    '--import',
    'tsx',
    path.join(REPO_ROOT, 'electron/launch/cli/main.ts'),
    'serve',
    ...args,
  ];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (data: Buffer) => {
    out += data.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${pattern} in output:\n${out}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const url = (await waitFor(/Listening on (http:\/\/\S+)/))[1]!;
  const pairingCode = (await waitFor(/Pairing code: (\d{6})/))[1]!;
  return {
    child,
    url,
    pairingCode,
    output: () => out,
    waitFor,
    kill: async (signal = 'SIGKILL') => {
      child.kill(signal);
      return exited;
    },
  };
}
