/**
 * The desktop app put together: single instance, hardened window and session, the app API over IPC,
 * tray, notifications, dialogs; quitting closes the app service cleanly (uploads stay resumable).
 * Every Electron object comes in through ShellDeps, so this is plain code (test/electron/main/).
 */
import type { AppApiHandlers } from '../../shared/app-api/contract';
import { dispatch } from '../app/api-dispatch';
import type { AppService } from '../app/app-service';
import { forwardAppEvents, registerAppApi } from './ipc-adapter';
import type { Opener } from '../app/opener';
import { registerProtocols, type ThumbnailSourceLike } from './app-protocol';
import type {
  AppLike,
  BrowserWindowLike,
  DialogsLike,
  IpcMainLike,
  MenuItemTemplate,
  NotificationLike,
  NotificationOptions,
  PreventableEvent,
  ProtocolLike,
  SessionLike,
  ShellLike,
  TrayLike,
  WindowOptions,
} from './electron-like';
import { changeBackupFolder, withSystemDialogs } from './folder-dialog';
import { MainWindow } from './main-window';
import { Notifier } from './notifier';
import { hardenContents, hardenSession, isAppUrl } from './security';
import { describeStartError, electronOpener } from './shell-config';
import { TrayController } from './tray-controller';
import type { TrayState } from './wording';

/** What the shell needs of the app service (AppService has it). */
export interface ServiceLike extends ThumbnailSourceLike {
  readonly handlers: AppApiHandlers;
  readonly events: AppService['events'];
  close(): Promise<void>;
}

export interface ShellDeps<Image = unknown, Menu = unknown> {
  app: AppLike;
  ipcMain: IpcMainLike;
  protocol: ProtocolLike;
  session: SessionLike;
  shell: ShellLike;
  dialogs: DialogsLike;
  createWindow: (options: WindowOptions) => BrowserWindowLike;
  createTray: (image: Image) => TrayLike<Image, Menu>;
  buildMenu: (template: MenuItemTemplate[]) => Menu;
  trayImage: (state: TrayState) => Image;
  /** null where the system shows no notifications. */
  notify: (options: NotificationOptions) => NotificationLike | null;
  startService(opener: Opener): Promise<ServiceLike>;
  rendererDir: string;
  preloadPath: string;
  platform: NodeJS.Platform;
  startHidden?: boolean;
  darkMode?: () => boolean;
  log?: (message: string) => void;
  /** How long quitting waits for the service to close (default 10 s). */
  closeTimeoutMs?: number;
}

export class ShellApp<Image = unknown, Menu = unknown> {
  readonly window: MainWindow;
  tray: TrayController<Image, Menu> | null = null;
  notifier: Notifier | null = null;
  service: ServiceLike | null = null;
  private quitting = false;
  private closing: Promise<void> | null = null;
  private closed = false;
  private ready = false;
  private showWhenReady = false;
  private changingFolder = false;
  private readonly cleanups: Array<() => void> = [];
  private readonly log: (message: string) => void;

  private constructor(private readonly deps: ShellDeps<Image, Menu>) {
    this.log = deps.log ?? (() => undefined);
    this.window = new MainWindow({
      createWindow: deps.createWindow,
      preloadPath: deps.preloadPath,
      forwardEvents: (window) =>
        this.service ? forwardAppEvents(this.service.events, window.webContents) : () => undefined,
      dock: deps.platform === 'darwin' ? deps.app.dock : undefined,
      isQuitting: () => this.quitting,
      darkMode: deps.darkMode,
      log: this.log,
    });
  }

  /** Starts the desktop app; resolves to null when another instance runs or the service cannot start. */
  static async start<Image, Menu>(deps: ShellDeps<Image, Menu>): Promise<ShellApp<Image, Menu> | null> {
    const { app } = deps;
    if (!app.requestSingleInstanceLock()) {
      deps.log?.('Shoebox is already running: showing its window instead.');
      app.quit();
      return null;
    }
    const shell = new ShellApp(deps);
    app.on('second-instance', () => shell.showWindow());
    app.on('activate', () => shell.showWindow());
    app.on('web-contents-created', (_event, contents) =>
      hardenContents(contents, { shell: deps.shell, log: deps.log }),
    );
    // Closing the window hides it; Shoebox lives on in the tray until "Quit".
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', (event) => shell.beforeQuit(event));
    await app.whenReady();
    return (await shell.boot()) ? shell : null;
  }

  private async boot(): Promise<boolean> {
    const { deps } = this;
    hardenSession(deps.session, this.log);
    registerProtocols(deps.protocol, deps.rendererDir, () => this.service);
    try {
      this.service = await deps.startService(electronOpener(deps.shell));
    } catch (error) {
      this.log(`Could not start: ${(error as Error)?.stack ?? String(error)}`);
      deps.dialogs.showError('Shoebox could not start', describeStartError(error));
      this.closed = true;
      deps.app.exit(1);
      return false;
    }
    const service = this.service;
    this.cleanups.push(
      registerAppApi(deps.ipcMain, withSystemDialogs(service.handlers, deps.dialogs, this.log), {
        isTrustedSender: isAppUrl,
        log: this.log,
      }),
    );
    const tray = (this.tray = new TrayController<Image, Menu>({
      createTray: deps.createTray,
      buildMenu: deps.buildMenu,
      image: deps.trayImage,
      platform: deps.platform,
      actions: {
        open: () => this.showWindow(),
        pair: () => void this.pair(),
        openFolder: () => void this.call('folder.open', 'Could not open the backup folder'),
        changeFolder: () => void this.changeFolder(),
        quit: () => deps.app.quit(),
      },
    }));
    const notifier = (this.notifier = new Notifier({
      notify: deps.notify,
      onClick: () => this.showWindow(),
      isWindowFocused: () => this.window.isFocused(),
    }));
    this.listen('status', (status) => {
      tray.status(status);
      notifier.status(status);
    });
    this.listen('queue', (queue) => tray.queue(queue));
    this.listen('arrivals', (payload) => notifier.arrivals(payload));
    this.listen('devices', (devices) => notifier.devices(devices));
    const snapshot = await dispatch(service.handlers, 'app.snapshot', {}, this.log);
    if (snapshot.ok) {
      const value = snapshot.value as Awaited<ReturnType<AppApiHandlers['app.snapshot']>>;
      tray.status(value.status);
      tray.queue(value.queue);
      notifier.devices(value.devices);
      notifier.status(value.status);
    }
    this.ready = true;
    if (!deps.startHidden || this.showWhenReady) this.showWindow();
    else if (deps.platform === 'darwin') deps.app.dock?.hide();
    return true;
  }

  private listen<E extends keyof import('../app/app-service').AppEvents>(
    event: E,
    listener: (...args: import('../app/app-service').AppEvents[E]) => void,
  ): void {
    const events = this.service!.events;
    events.on(event, listener as never);
    this.cleanups.push(() => events.off(event, listener as never));
  }

  showWindow(): void {
    if (this.quitting) return;
    if (!this.ready) {
      this.showWhenReady = true;
      return;
    }
    this.window.show();
  }

  private async call(command: 'folder.open' | 'pairing.open', failure: string): Promise<boolean> {
    if (!this.service) return false;
    const result = await dispatch(this.service.handlers, command, {}, this.log);
    if (!result.ok) this.deps.dialogs.showError(failure, result.error.message);
    return result.ok;
  }

  private async pair(): Promise<void> {
    this.showWindow();
    await this.call('pairing.open', 'Could not start pairing');
  }

  private async changeFolder(): Promise<void> {
    if (!this.service || this.changingFolder) return;
    this.changingFolder = true;
    try {
      await changeBackupFolder(this.deps.dialogs, this.service.handlers, this.log);
    } finally {
      this.changingFolder = false;
    }
  }

  private beforeQuit(event: PreventableEvent): void {
    this.quitting = true;
    if (this.closed) return;
    event.preventDefault();
    this.closing ??= this.shutdown().finally(() => {
      this.closed = true;
      this.deps.app.quit();
    });
  }

  /** Stops everything; resolves when the service has closed (or the timeout passed). */
  private async shutdown(): Promise<void> {
    this.notifier?.dispose();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.window.destroy();
    this.tray?.destroy();
    const service = this.service;
    if (!service) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.deps.closeTimeoutMs ?? 10_000)),
    );
    try {
      const outcome = await Promise.race([service.close().then(() => 'closed' as const), timeout]);
      if (outcome === 'timeout')
        this.log('The receiver did not close in time; quitting anyway (unfinished uploads stay resumable).');
    } catch (error) {
      this.log(`Error while closing: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once quitting has finished closing the service (tests). */
  whenClosed(): Promise<void> {
    return this.closing ?? Promise.resolve();
  }
}
