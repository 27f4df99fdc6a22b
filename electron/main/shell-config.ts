/**
 * The desktop app's receiver configuration: the same flags and environment variables as `shoebox serve`
 * (given after `--`, e.g. `electron . -- --port 47121`), plus `--hidden` (start in the tray only).
 */
import { folderGiven, parseServeArgs, type ReceiverConfig } from '../app';
import type { Opener } from '../app/opener';
import type { ShellLike } from './electron-like';

export interface ShellConfig {
  config: ReceiverConfig;
  /** Start with the tray only, no window (login items). */
  hidden: boolean;
  /** Use the folder chosen in the app unless one was given explicitly. */
  preferSavedFolder: boolean;
}

/** Throws ConfigError on bad flags. */
export function shellConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ShellConfig {
  const dashdash = argv.indexOf('--');
  const rest = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const hidden = argv.includes('--hidden');
  // Some Windows launches repeat the `--`; Electron leaves its own switches before it in argv.
  const serveArgs = rest.filter((arg) => arg !== '--' && arg !== '--hidden' && arg !== '--help' && arg !== '-h');
  const parsed = parseServeArgs(serveArgs, env);
  if (parsed === 'help') throw new Error('unreachable: --help was removed');
  return { config: parsed, hidden, preferSavedFolder: !folderGiven(serveArgs, env) };
}

/** Folders and files open with Electron's shell (the OS file manager). */
export function electronOpener(shell: Pick<ShellLike, 'openPath' | 'showItemInFolder'>): Opener {
  return {
    openFolder: async (absPath) => {
      const error = await shell.openPath(absPath);
      if (error) throw new Error(error);
    },
    revealFile: async (absPath) => shell.showItemInFolder(absPath),
  };
}

/** A sentence for the "could not start" dialog. */
export function describeStartError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE')
    return (
      "Another program already uses Shoebox's network port. " +
      'Is Shoebox already running in a terminal (npm start)? Quit it, then open Shoebox again.'
    );
  if (e?.code === 'EADDRNOTAVAIL')
    return 'The network address Shoebox was told to use is not an address of this computer.';
  if (e?.code === 'EACCES' || e?.code === 'EPERM')
    return `Shoebox is not allowed to use its backup folder or its network port: ${e.message}`;
  return `Shoebox could not start: ${e?.message ?? String(error)}`;
}
