/** Picks the adapter: Electron's preload bridge when present, else the headless server's WebSocket. */
import type { AppClient, ShoeboxBridge } from '$shared/app-api';
import { IpcAppClient } from './ipc-client';
import { WsAppClient } from './ws-client';

export { ApiCallError } from './errors';

declare global {
  interface Window {
    shoebox?: ShoeboxBridge;
  }
}

export function createAppClient(): AppClient {
  return window.shoebox ? new IpcAppClient(window.shoebox) : new WsAppClient();
}
