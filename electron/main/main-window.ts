/**
 * The one window: created on first show, hidden (not closed) when the user closes it, so Shoebox keeps
 * running in the tray; destroyed only when the app quits. Forwards the service's events to it while it
 * lives. On macOS the Dock icon shows only while the window is open.
 */
import type { AppLike, BrowserWindowLike, WindowOptions } from './electron-like';
import { APP_START_URL, windowOptions } from './security';

export interface MainWindowOptions {
  createWindow(options: WindowOptions): BrowserWindowLike;
  preloadPath: string;
  /** Starts forwarding events to the window; returns the stop function. */
  forwardEvents(window: BrowserWindowLike): () => void;
  dock?: AppLike['dock'];
  /** True once the app is quitting: closing the window then really closes it. */
  isQuitting(): boolean;
  darkMode?: () => boolean;
  url?: string;
  log?: (message: string) => void;
}

export class MainWindow {
  private window: BrowserWindowLike | null = null;
  private stopForwarding: (() => void) | null = null;

  constructor(private readonly options: MainWindowOptions) {}

  get current(): BrowserWindowLike | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  isFocused(): boolean {
    const window = this.current;
    return window !== null && window.isVisible() && window.isFocused();
  }

  /** Shows the window (creating it if needed), brings it to the front and gives it the focus. */
  show(): BrowserWindowLike {
    const existing = this.current;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      void this.options.dock?.show();
      return existing;
    }
    const window = this.options.createWindow(
      windowOptions(this.options.preloadPath, this.options.darkMode?.() ?? false),
    );
    this.window = window;
    this.stopForwarding = this.options.forwardEvents(window);
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.on('close', (event) => {
      if (this.options.isQuitting()) return;
      event.preventDefault();
      window.hide();
      this.options.dock?.hide();
    });
    window.on('closed', () => {
      this.stopForwarding?.();
      this.stopForwarding = null;
      if (this.window === window) this.window = null;
    });
    void this.options.dock?.show();
    window
      .loadURL(this.options.url ?? APP_START_URL)
      .catch((error: Error) => this.options.log?.(`Could not load the window: ${error.message}`));
    return window;
  }

  /** Closes it for good (when quitting). */
  destroy(): void {
    this.stopForwarding?.();
    this.stopForwarding = null;
    const window = this.current;
    this.window = null;
    window?.destroy();
  }
}
