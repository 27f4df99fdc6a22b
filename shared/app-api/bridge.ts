/**
 * What the Electron preload exposes as `window.shoebox` (contextBridge): two functions, no raw
 * ipcRenderer. The main side checks every call against the contract (electron/main/ipc-adapter.ts).
 */
import type { CommandName, EventName } from './contract';

export const IPC_INVOKE_CHANNEL_PREFIX = 'shoebox:call:';
export const IPC_EVENT_CHANNEL_PREFIX = 'shoebox:event:';
/** Custom protocol the Electron shell registers for thumbnails: shoebox-thumb://<sha256>. */
export const THUMBNAIL_PROTOCOL = 'shoebox-thumb';

export function invokeChannel(command: CommandName): string {
  return `${IPC_INVOKE_CHANNEL_PREFIX}${command}`;
}

export function eventChannel(event: EventName): string {
  return `${IPC_EVENT_CHANNEL_PREFIX}${event}`;
}

export interface ShoeboxBridge {
  invoke(command: CommandName, request: unknown): Promise<unknown>;
  /** Returns an unsubscribe function. */
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}
