/**
 * `shoebox serve`: the headless receiver in a terminal, with its window served to a browser on this
 * computer. The same code as `npm start` where Electron is not installed (electron/launch/headless.ts):
 * where it listens, the pairing code, one line per stored file, and on a terminal the commands pair,
 * devices, revoke and quit. Ctrl-C closes cleanly and leaves unfinished uploads resumable.
 */
import { processIo, runHeadless } from '../headless';

export function serve(argv: string[]): Promise<number> {
  return runHeadless(argv, processIo);
}
