/** The Electron IPC adapter, with a fake ipcMain and webContents (no Electron). */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { COMMANDS, eventChannel, invokeChannel, type AppApiHandlers } from '../../../shared/app-api';
import { forwardAppEvents, registerAppApi } from '../../../electron/main/ipc-adapter';
import { FakeIpcMain } from '../../helpers/shell/fakes';
import type { AppEvents } from '../../../electron/app/app-service';

const APP_URL = 'app://shoebox/index.html';
const handlers = {
  'devices.revoke': async ({ deviceId }: { deviceId: string }) => ({ revoked: deviceId === 'd1' }),
} as unknown as AppApiHandlers;

describe('Electron IPC adapter', () => {
  it('registers one channel per command, checks the sender and the request, and unregisters', async () => {
    const ipc = new FakeIpcMain();
    const dispose = registerAppApi(ipc, handlers, { isTrustedSender: (url) => url.startsWith('app://shoebox/') });
    expect([...ipc.handlers.keys()].sort()).toEqual(
      Object.keys(COMMANDS)
        .map((c) => invokeChannel(c as keyof typeof COMMANDS))
        .sort(),
    );
    expect(await ipc.invoke(invokeChannel('devices.revoke'), APP_URL, { deviceId: 'd1' })).toEqual({
      ok: true,
      value: { revoked: true },
    });
    expect(
      await ipc.invoke(invokeChannel('devices.revoke'), 'https://evil.example/', { deviceId: 'd1' }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ipc.invoke(invokeChannel('devices.revoke'), APP_URL, { deviceId: 5 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('forwards service events to a live window only', () => {
    const events = new EventEmitter<AppEvents>();
    const sent: Array<[string, unknown]> = [];
    let destroyed = false;
    const stop = forwardAppEvents(events, {
      send: (channel, payload) => sent.push([channel, payload]),
      isDestroyed: () => destroyed,
    });
    const folder = {
      path: '/p',
      freeBytes: 1,
      totalBytes: 2,
      lowSpaceThresholdBytes: 0,
      lowSpace: false,
      items: 0,
      bytes: 0,
    };
    events.emit('folder', folder);
    destroyed = true;
    events.emit('folder', folder);
    stop();
    destroyed = false;
    events.emit('folder', folder);
    expect(sent).toEqual([[eventChannel('folder'), folder]]);
  });
});
