/**
 * `npm run dev [-- flags]`, run under `tsx watch` by build/scripts/dev.mjs: the headless app (the same
 * flags as `npm start`) with its window served by Vite with hot reload (dev-window-files.ts). A change
 * under electron/ or shared/ restarts this process; a change under renderer/ reaches the page by HMR.
 * The window keeps its port and session token across restarts (dev-session.ts), so the open tab
 * reconnects by itself. Private data goes to a separate dev folder unless --data-dir or
 * SHOEBOX_DATA_DIR says otherwise, so the dev loop never shares the app's identity or pairings.
 */
import { defaultDataDir, parseServeArgs } from '../receiver/config';
import { devSessionToken, devUiPort } from './dev-session';
import { startDevWindowFiles } from './dev-window-files';
import { processIo, runHeadless } from './headless';

const argv = process.argv.slice(2);
const io = processIo;

async function main(): Promise<number> {
  if (!argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir=')) && !process.env.SHOEBOX_DATA_DIR) {
    process.env.SHOEBOX_DATA_DIR = `${defaultDataDir()}-dev`;
  }
  let config;
  try {
    config = parseServeArgs(argv);
  } catch {
    return runHeadless(argv, io); // prints what is wrong with the flags
  }
  if (config === 'help') return runHeadless(argv, io);
  const token = await devSessionToken(config.dataDir);
  const windowFiles = await startDevWindowFiles();
  io.err(`shoebox dev: window files from Vite (hot reload); private data in ${config.dataDir}`);
  const code = await runHeadless(argv, io, { windowFiles, port: devUiPort(), token });
  await windowFiles.close(); // the window server closed it already unless it never started
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    io.err(`shoebox dev: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
