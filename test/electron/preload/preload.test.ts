/** The preload bridge: exactly the contract's two functions, every request and answer checked, no raw IPC. */
import { describe, expect, it, vi } from 'vitest';
import { eventChannel, invokeChannel, type CommandName, type EventName } from '../../../shared/app-api';
import { BRIDGE_KEY, createBridge, exposeBridge, type IpcRendererLike } from '../../../electron/preload/bridge';
import { folder } from '../../helpers/shell/fixtures';

class FakeIpcRenderer implements IpcRendererLike {
  invoked: Array<[string, unknown[]]> = [];
  listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  answer: (channel: string, request: unknown) => Promise<unknown> = async () => ({ ok: true, value: folder() });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, args]);
    return this.answer(channel, args[0]);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  emit(channel: string, payload: unknown): void {
    const event = { sender: { secret: 'the ipcRenderer itself' }, senderId: 0 };
    for (const listener of this.listeners.get(channel) ?? []) listener(event, payload);
  }
}

describe('exposeBridge', () => {
  it('exposes window.shoebox with exactly invoke and on, frozen', () => {
    const exposed: Array<[string, unknown]> = [];
    exposeBridge({ exposeInMainWorld: (key, api) => void exposed.push([key, api]) }, new FakeIpcRenderer());
    expect(exposed).toHaveLength(1);
    const [key, api] = exposed[0]!;
    expect(key).toBe(BRIDGE_KEY);
    expect(key).toBe('shoebox');
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
  });
});

describe('invoke', () => {
  it("sends a valid request on the command's channel and hands back a checked answer", async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(await bridge.invoke('folder.get', {})).toEqual({ ok: true, value: folder() });
    expect(await bridge.invoke('folder.get', undefined)).toEqual({ ok: true, value: folder() });
    expect(ipc.invoked).toEqual([
      [invokeChannel('folder.get'), [{}]],
      [invokeChannel('folder.get'), [{}]],
    ]);
  });

  it('refuses unknown commands and bad requests without sending anything', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(await bridge.invoke('fs.readFile' as CommandName, {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await bridge.invoke('__proto__' as CommandName, {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await bridge.invoke('arrivals.page', { offset: -1, limit: 5 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await bridge.invoke('folder.change', { path: '/x', mode: 'move', extra: true })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await bridge.invoke('folder.change', { path: '/a\0b', mode: 'fresh' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(ipc.invoked).toEqual([]);
  });

  it('passes errors on, and refuses answers outside the contract', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc);
    ipc.answer = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'No paired device with that id.' } });
    expect(await bridge.invoke('devices.revoke', { deviceId: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No paired device with that id.' },
    });
    for (const bad of [
      { ok: true, value: { path: 42 } },
      { ok: true },
      null,
      'yes',
      { ok: false, error: { code: 1 } },
    ]) {
      ipc.answer = async () => bad;
      expect(await bridge.invoke('folder.get', {}), JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'BAD_RESPONSE' },
      });
    }
    ipc.answer = async () => {
      throw new Error("Error invoking remote method 'shoebox:call:folder.get': gone");
    };
    expect(await bridge.invoke('folder.get', {})).toMatchObject({ ok: false, error: { code: 'IPC_FAILED' } });
  });
});

describe('on', () => {
  it('delivers checked payloads only, never the IPC event', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc);
    const received: unknown[][] = [];
    bridge.on('folder', (...args: unknown[]) => void received.push(args));
    ipc.emit(eventChannel('folder'), folder());
    ipc.emit(eventChannel('folder'), { path: 42 });
    expect(received).toEqual([[folder()]]);
  });

  it('returns an unsubscribe that removes exactly its listener, once', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offA = bridge.on('folder', a);
    bridge.on('folder', b);
    offA();
    offA();
    ipc.emit(eventChannel('folder'), folder());
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    expect(ipc.listeners.get(eventChannel('folder'))!.size).toBe(1);
  });

  it('refuses unknown events and non-functions', () => {
    const bridge = createBridge(new FakeIpcRenderer());
    expect(() => bridge.on('ipc-internal' as EventName, () => undefined)).toThrow(/No such event/);
    expect(() => bridge.on('folder', 'alert(1)' as never)).toThrow(/function/);
  });
});
