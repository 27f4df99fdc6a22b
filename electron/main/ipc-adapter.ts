/**
 * The app API over Electron IPC, without importing Electron: the shell passes its ipcMain and the
 * window's webContents, typed here by the little we use, so this is tested with fakes. One invoke
 * channel per command (shared/app-api/bridge.ts); every call is checked by dispatch().
 */
import { COMMANDS, EVENTS, eventChannel, invokeChannel, type CommandName, type EventName } from '../../shared/app-api';
import type { AppService } from '../app/app-service';
import { dispatch, type DispatchResult } from '../app/api-dispatch';

/** What we use of an IpcMainInvokeEvent. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
}

/** What we use of Electron's ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** What we use of a BrowserWindow's webContents. */
export interface WebContentsLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcOptions {
  /** Only frames whose URL passes may call (the app's own pages). */
  isTrustedSender: (url: string) => boolean;
  log?: (message: string) => void;
}

/** Registers one handler per command; returns a function that removes them. Answers are DispatchResult. */
export function registerAppApi(
  ipcMain: IpcMainLike,
  handlers: AppService['handlers'],
  options: IpcOptions,
): () => void {
  const commands = Object.keys(COMMANDS) as CommandName[];
  for (const command of commands) {
    ipcMain.handle(invokeChannel(command), async (event, request): Promise<DispatchResult> => {
      const url = event.senderFrame?.url ?? '';
      if (!options.isTrustedSender(url)) {
        options.log?.(`Refused ${command} from an untrusted frame (${url.slice(0, 100)}).`);
        return { ok: false, error: { code: 'FORBIDDEN', message: 'This page may not use the Shoebox API.' } };
      }
      return dispatch(handlers, command, request, options.log);
    });
  }
  return () => commands.forEach((command) => ipcMain.removeHandler(invokeChannel(command)));
}

/** Forwards the service's events to a window; returns a function that stops forwarding. */
export function forwardAppEvents(events: AppService['events'], contents: WebContentsLike): () => void {
  const offs = (Object.keys(EVENTS) as EventName[]).map((event) => {
    const listener = (payload: unknown) => {
      if (!contents.isDestroyed()) contents.send(eventChannel(event), payload);
    };
    events.on(event, listener);
    return () => events.off(event, listener);
  });
  return () => offs.forEach((off) => off());
}
