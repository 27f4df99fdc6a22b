/**
 * Opens folders and reveals files in the system file manager. The Electron shell passes its own
 * (shell.openPath / shell.showItemInFolder); headless uses the OS opener command. Plain Node.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface Opener {
  /** Opens a folder in the file manager. */
  openFolder(absPath: string): Promise<void>;
  /** Shows a file in its folder, selected where the platform can. */
  revealFile(absPath: string): Promise<void>;
}

export type SpawnLike = (
  command: string,
  args: string[],
) => {
  on(event: 'error', cb: (e: Error) => void): unknown;
  on(event: 'exit', cb: (code: number | null) => void): unknown;
  unref?(): void;
};

/** The command that opens `absPath` (reveal: the file selected) on `platform`. */
export function openerCommand(platform: NodeJS.Platform, absPath: string, reveal: boolean): [string, string[]] {
  if (platform === 'darwin') return ['open', reveal ? ['-R', absPath] : [absPath]];
  if (platform === 'win32') return ['explorer.exe', reveal ? [`/select,${absPath}`] : [absPath]];
  return ['xdg-open', [reveal ? path.dirname(absPath) : absPath]];
}

export function osOpener(
  platform: NodeJS.Platform = process.platform,
  run: SpawnLike = (c, a) => spawn(c, a, { stdio: 'ignore', detached: true }),
): Opener {
  const launch = (absPath: string, reveal: boolean) =>
    new Promise<void>((resolve, reject) => {
      const [command, args] = openerCommand(platform, absPath, reveal);
      const child = run(command, args);
      let settled = false;
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        reject(new Error(`Could not start ${command}: ${error.message}`));
      });
      // explorer.exe exits 1 even on success; xdg-open and open report failures with a non-zero code.
      child.on('exit', (code) => {
        if (settled) return;
        settled = true;
        if (code === 0 || platform === 'win32') resolve();
        else
          reject(
            new Error(`${command} failed (exit code ${code ?? 'none'}): is there a file manager on this computer?`),
          );
      });
      child.unref?.();
    });
  return { openFolder: (p) => launch(p, false), revealFile: (p) => launch(p, true) };
}
