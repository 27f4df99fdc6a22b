/** Stand-ins for Electron's main-process objects (no Electron here): they record what the shell does. */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import type { AppApiHandlers } from '../../../shared/app-api';
import type { AppEvents } from '../../../electron/app/app-service';
import type {
  AppLike,
  BrowserWindowLike,
  ContentsLike,
  DialogsLike,
  IpcMainLike,
  MenuItemTemplate,
  NotificationLike,
  NotificationOptions,
  ProtocolLike,
  SessionLike,
  ShellLike,
  TrayLike,
  WindowOptions,
} from '../../../electron/main/electron-like';
import type { ServiceLike, ShellDeps } from '../../../electron/main/shell-app';
import type { InvokeEventLike } from '../../../electron/main/ipc-adapter';
import type { TrayState } from '../../../electron/main/wording';
import * as data from './fixtures';

export function preventable() {
  let prevented = false;
  return {
    preventDefault: () => void (prevented = true),
    get prevented() {
      return prevented;
    },
  };
}

export class FakeContents extends EventEmitter implements ContentsLike {
  sent: Array<[string, unknown]> = [];
  destroyed = false;
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Emits a navigation event; true when the shell prevented it. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const e = preventable();
    this.emit(event, e, url);
    return e.prevented;
  }
}

export class FakeWindow extends EventEmitter implements BrowserWindowLike {
  readonly webContents = new FakeContents();
  loaded: string[] = [];
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  constructor(readonly options: WindowOptions) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  /** The user clicks the close button: true when the window really closed. */
  userClose(): boolean {
    const e = preventable();
    this.emit('close', e);
    if (e.prevented) return false;
    this.destroy();
    return true;
  }
}

export class FakeApp extends EventEmitter implements AppLike {
  lock = true;
  quitRequests = 0;
  /** True once a quit went through (before-quit not prevented). */
  quitted = false;
  exitCode: number | null = null;
  readonly dock = {
    hidden: false,
    hide: vi.fn(() => void (this.dock.hidden = true)),
    show: vi.fn(() => void (this.dock.hidden = false)),
  };
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  async whenReady(): Promise<void> {}
  quit(): void {
    this.quitRequests += 1;
    const e = preventable();
    this.emit('before-quit', e);
    if (!e.prevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, url: string, request: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler({ senderFrame: { url } }, request);
  }
}

export class FakeProtocol implements ProtocolLike {
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
  fetch(url: string, method = 'GET'): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    return Promise.resolve(this.handlers.get(scheme)!({ url, method } as Request));
  }
}

type HeadersListener = Parameters<SessionLike['webRequest']['onHeadersReceived']>[0];
export class FakeSession extends EventEmitter implements SessionLike {
  requestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((contents: unknown, permission: string) => boolean) | null = null;
  headersListener: HeadersListener | null = null;
  setPermissionRequestHandler(handler: NonNullable<FakeSession['requestHandler']>): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: NonNullable<FakeSession['checkHandler']>): void {
    this.checkHandler = handler;
  }
  readonly webRequest = { onHeadersReceived: (listener: HeadersListener) => void (this.headersListener = listener) };
}

export class FakeTray implements TrayLike<string, MenuItemTemplate[]> {
  images: string[] = [];
  tooltips: string[] = [];
  menus: MenuItemTemplate[][] = [];
  destroyed = false;
  readonly clicks = new EventEmitter();
  constructor(image: string) {
    this.images.push(image);
  }
  get menu(): MenuItemTemplate[] {
    return this.menus[this.menus.length - 1] ?? [];
  }
  setImage(image: string): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltips.push(text);
  }
  setContextMenu(menu: MenuItemTemplate[] | null): void {
    if (menu) this.menus.push(menu);
  }
  on(event: 'click', listener: () => void): this {
    this.clicks.on(event, listener);
    return this;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Clicks the menu item with this label. */
  choose(label: string): void {
    const entry = this.menu.find((m) => m.label === label);
    if (!entry?.click) throw new Error(`no menu item "${label}"`);
    entry.click();
  }
}

export class FakeNotification extends EventEmitter implements NotificationLike {
  shown = false;
  constructor(readonly options: NotificationOptions) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

export function fakeShell(): ShellLike & { opened: string[]; external: string[] } {
  const opened: string[] = [];
  const external: string[] = [];
  return {
    opened,
    external,
    openPath: async (p) => (opened.push(p), ''),
    showItemInFolder: (p) => void opened.push(`reveal ${p}`),
    openExternal: async (url) => void external.push(url),
  };
}

export function fakeDialogs(
  answers: { folder?: string | null; button?: number } = {},
): DialogsLike & { errors: Array<[string, string]>; asked: string[] } {
  const errors: Array<[string, string]> = [];
  const asked: string[] = [];
  return {
    errors,
    asked,
    chooseFolder: async () => answers.folder ?? null,
    ask: async (options) => (asked.push(options.message), answers.button ?? 2),
    showError: (title, content) => void errors.push([title, content]),
  };
}

/** A service whose handlers answer valid data; `calls` records what was called. */
export function fakeService(
  over: Partial<AppApiHandlers> = {},
): ServiceLike & { calls: string[]; closed: number; events: EventEmitter<AppEvents> } {
  const calls: string[] = [];
  const base: Partial<AppApiHandlers> = {
    'app.snapshot': async () => ({
      status: data.status(),
      queue: data.queue(),
      devices: [data.device()],
      pairing: data.pairing(),
      folder: data.folder(),
    }),
    'folder.get': async () => data.folder(),
    'folder.open': async () => ({ ok: true as const }),
    'folder.change': async ({ path }) => data.folder({ path }),
    'pairing.open': async () => data.pairing({ open: true, code: '123456' }),
    'devices.list': async () => [data.device()],
  };
  const merged = { ...base, ...over };
  const handlers = new Proxy(merged, {
    get: (target, key: string) => {
      const handler = (target as Record<string, ((request: unknown) => Promise<unknown>) | undefined>)[key];
      return async (request: unknown) => {
        calls.push(`${key} ${JSON.stringify(request)}`);
        if (!handler) throw new Error(`${key} is not in this test`);
        return handler(request);
      };
    },
  }) as AppApiHandlers;
  const service = {
    calls,
    closed: 0,
    handlers,
    events: new EventEmitter<AppEvents>(),
    isSwitching: false,
    thumbnails: { get: async () => null },
    close: async () => void (service.closed += 1),
  };
  return service;
}

export interface Harness {
  deps: ShellDeps<string, MenuItemTemplate[]>;
  app: FakeApp;
  ipc: FakeIpcMain;
  protocol: FakeProtocol;
  session: FakeSession;
  shell: ReturnType<typeof fakeShell>;
  dialogs: ReturnType<typeof fakeDialogs>;
  windows: FakeWindow[];
  trays: FakeTray[];
  notifications: FakeNotification[];
  service: ReturnType<typeof fakeService>;
}

export function harness(
  over: Partial<ShellDeps<string, MenuItemTemplate[]>> & {
    service?: ReturnType<typeof fakeService>;
    dialogs?: ReturnType<typeof fakeDialogs>;
  } = {},
): Harness {
  const h = {
    app: new FakeApp(),
    ipc: new FakeIpcMain(),
    protocol: new FakeProtocol(),
    session: new FakeSession(),
    shell: fakeShell(),
    dialogs: over.dialogs ?? fakeDialogs(),
    windows: [] as FakeWindow[],
    trays: [] as FakeTray[],
    notifications: [] as FakeNotification[],
    service: over.service ?? fakeService(),
  };
  const deps: ShellDeps<string, MenuItemTemplate[]> = {
    app: h.app,
    ipcMain: h.ipc,
    protocol: h.protocol,
    session: h.session,
    shell: h.shell,
    dialogs: h.dialogs,
    createWindow: (options) => {
      const window = new FakeWindow(options);
      h.windows.push(window);
      return window;
    },
    createTray: (image) => {
      const tray = new FakeTray(image);
      h.trays.push(tray);
      return tray;
    },
    buildMenu: (template) => template,
    trayImage: (state: TrayState) => `image:${state}`,
    notify: (options) => {
      const n = new FakeNotification(options);
      h.notifications.push(n);
      return n;
    },
    startService: async () => h.service,
    rendererDir: '/nonexistent/renderer',
    preloadPath: '/app/dist/shell/preload.cjs',
    platform: 'linux',
    ...over,
  };
  return { ...h, deps };
}
