/**
 * Entry of the Electron main process, and the only file of the shell that imports 'electron' at run
 * time: it builds the real objects and hands them to ShellApp. Bundled to dist/shell/main.js by
 * build/scripts/build-shell.mjs (the preload next to it, the renderer in dist/renderer).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  protocol,
  session,
  shell,
  Tray,
} from 'electron';
import { AppService } from '../app/app-service';
import { PRIVILEGED_SCHEMES } from './app-protocol';
import type { DialogsLike, ShellLike } from './electron-like';
import { ShellApp, type ShellDeps } from './shell-app';
import { shellConfig, type ShellConfig } from './shell-config';
import { trayIconFile } from './tray-controller';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (message: string) => process.stderr.write(`[shoebox] ${message}\n`);

// Before 'ready': app://shoebox is a secure standard origin, shoebox-thumb:// serves thumbnails.
protocol.registerSchemesAsPrivileged(
  PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })),
);
if (process.platform === 'win32') app.setAppUserModelId('app.shoebox.desktop');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

let settings: ShellConfig;
try {
  settings = shellConfig(process.argv);
} catch (error) {
  dialog.showErrorBox('Shoebox could not start', (error as Error).message);
  app.exit(2);
  throw error;
}

let current: BrowserWindow | null = null;
const live = () => (current && !current.isDestroyed() ? current : null);

const dialogs: DialogsLike = {
  chooseFolder: async (options) => {
    const props: Electron.OpenDialogOptions = {
      ...options,
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    };
    const window = live();
    const result = window ? await dialog.showOpenDialog(window, props) : await dialog.showOpenDialog(props);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
  ask: async (options) => {
    const window = live();
    const result = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    return result.response;
  },
  showError: (title, content) => dialog.showErrorBox(title, content),
};

const electronShell: ShellLike = {
  openPath: (p) => shell.openPath(p),
  showItemInFolder: (p) => shell.showItemInFolder(p),
  openExternal: (url) => shell.openExternal(url),
};

const deps: ShellDeps<Electron.NativeImage, Electron.Menu> = {
  app,
  ipcMain,
  protocol,
  get session() {
    return session.defaultSession; // only after 'ready', which ShellApp awaits before using it
  },
  shell: electronShell,
  dialogs,
  createWindow: (options) => (current = new BrowserWindow(options)),
  createTray: (image) => new Tray(image),
  buildMenu: (template) => Menu.buildFromTemplate(template),
  trayImage: (state) => nativeImage.createFromPath(path.join(here, 'tray', trayIconFile(state, process.platform))),
  notify: (options) => (Notification.isSupported() ? new Notification(options) : null),
  startService: (opener) =>
    AppService.start({ config: settings.config, preferSavedFolder: settings.preferSavedFolder, opener, log }),
  rendererDir: path.join(here, '..', 'renderer'),
  preloadPath: path.join(here, 'preload.cjs'),
  platform: process.platform,
  startHidden: settings.hidden,
  darkMode: () => nativeTheme.shouldUseDarkColors,
  log,
};

ShellApp.start(deps).catch((error: Error) => {
  log(`Fatal: ${error.stack ?? error.message}`);
  dialog.showErrorBox('Shoebox stopped', error.message);
  app.exit(1);
});
