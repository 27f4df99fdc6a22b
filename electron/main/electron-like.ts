/**
 * The little of Electron's main-process API that the shell uses, as plain interfaces. Every service in
 * electron/main receives these through its constructor; only index.ts imports 'electron' and hands the
 * real objects over, so everything else is plain code tested with fakes (test/helpers/shell/fakes.ts).
 */
import type { IpcMainLike } from './ipc-adapter';

export type { IpcMainLike };

export interface PreventableEvent {
  preventDefault(): void;
}

/** A webContents: what the security hooks and the event forwarder use. */
export interface ContentsLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The options the shell gives every window; the entry checks at compile time that Electron accepts them. */
export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    safeDialogs: true;
    spellcheck: false;
  };
}

export interface BrowserWindowLike {
  readonly webContents: ContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isFocused(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  quit(): void;
  exit(code?: number): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: ContentsLike) => void): unknown;
  /** macOS only. */
  readonly dock?: { hide(): void; show(): unknown } | undefined;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  on(event: 'will-download', listener: (event: PreventableEvent) => void): unknown;
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Electron's MenuItemConstructorOptions, the part we use. */
export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

/** Generic over Electron's NativeImage and Menu, which the shell only passes along. */
export interface TrayLike<Image = unknown, Menu = unknown> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotificationOptions {
  title: string;
  body: string;
  silent?: boolean;
}

export interface ShellLike {
  /** Resolves to an error message, '' on success. */
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
}

/** Dialogs, already bound to the main window by the entry (Electron wants its real BaseWindow). */
export interface DialogsLike {
  chooseFolder(options: { title: string; defaultPath: string; buttonLabel: string }): Promise<string | null>;
  /** Resolves to the index of the button chosen. */
  ask(options: {
    type: 'question' | 'warning' | 'info';
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
  }): Promise<number>;
  showError(title: string, content: string): void;
}
