/** The desktop app put together, with fake Electron objects: lifecycle, window, IPC, tray, dialogs, quitting. */
import { describe, expect, it } from 'vitest';
import { COMMANDS, eventChannel, invokeChannel, type CommandName } from '../../../shared/app-api';
import { ShellApp } from '../../../electron/main/shell-app';
import { APP_START_URL, windowOptions } from '../../../electron/main/security';
import { fakeDialogs, fakeService, harness } from '../../helpers/shell/fakes';
import { folder, queue, deviceQueue, status } from '../../helpers/shell/fixtures';

const flush = () => new Promise((resolve) => setImmediate(resolve));

async function started(over: Parameters<typeof harness>[0] = {}) {
  const h = harness(over);
  const shell = await ShellApp.start(h.deps);
  if (!shell) throw new Error('the shell did not start');
  return { ...h, shell };
}

describe('lifecycle', () => {
  it('a second instance quits at once, without a window or a receiver', async () => {
    const h = harness();
    h.app.lock = false;
    let startedService = false;
    h.deps.startService = async () => ((startedService = true), h.service);
    expect(await ShellApp.start(h.deps)).toBeNull();
    expect(h.app.quitted).toBe(true);
    expect(h.windows).toHaveLength(0);
    expect(startedService).toBe(false);
  });

  it('the first instance brings its window to the front when another one starts', async () => {
    const { app, windows } = await started();
    const window = windows[0]!;
    window.hide();
    window.minimized = true;
    app.emit('second-instance');
    expect(windows).toHaveLength(1);
    expect(window).toMatchObject({ visible: true, focused: true, minimized: false });
  });

  it('opens one hardened window on our page, shown when ready', async () => {
    const { windows } = await started();
    expect(windows).toHaveLength(1);
    const window = windows[0]!;
    expect(window.options).toEqual(windowOptions('/app/dist/shell/preload.cjs'));
    expect(window.loaded).toEqual([APP_START_URL]);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('hardens the session and every webContents, and registers both schemes', async () => {
    const { app, session, protocol } = await started();
    expect(session.requestHandler).not.toBeNull();
    expect(session.headersListener).not.toBeNull();
    expect([...protocol.handlers.keys()].sort()).toEqual(['app', 'shoebox-thumb']);
    const { FakeContents } = await import('../../helpers/shell/fakes');
    const contents = new FakeContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.navigate('https://example.com/')).toBe(true);
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('closing the window hides it (Shoebox stays in the tray); on macOS the Dock icon goes too', async () => {
    const { windows, app } = await started({ platform: 'darwin' });
    const window = windows[0]!;
    window.emit('ready-to-show');
    expect(window.userClose()).toBe(false);
    expect(window.visible).toBe(false);
    expect(window.destroyed).toBe(false);
    expect(app.dock.hidden).toBe(true);
    expect(app.listenerCount('window-all-closed')).toBe(1);
    app.emit('activate');
    expect(window.visible).toBe(true);
    expect(app.dock.hidden).toBe(false);
  });

  it('starts in the tray only with --hidden', async () => {
    const { windows, app } = await started({ startHidden: true, platform: 'darwin' });
    expect(windows).toHaveLength(0);
    expect(app.dock.hidden).toBe(true);
    app.emit('second-instance');
    expect(windows).toHaveLength(1);
  });

  it('says why when the receiver cannot start, and exits', async () => {
    const dialogs = fakeDialogs();
    const h = harness({ dialogs });
    h.deps.startService = async () => {
      throw Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:47120'), { code: 'EADDRINUSE' });
    };
    expect(await ShellApp.start(h.deps)).toBeNull();
    expect(dialogs.errors).toHaveLength(1);
    expect(dialogs.errors[0]![0]).toBe('Shoebox could not start');
    expect(dialogs.errors[0]![1]).toMatch(/already running in a terminal/);
    expect(h.app.exitCode).toBe(1);
    expect(h.windows).toHaveLength(0);
  });
});

describe('quitting', () => {
  it('closes the service once, then really quits: window, tray and IPC gone', async () => {
    const { app, shell, service, windows, trays, ipc } = await started();
    app.quit();
    expect(app.quitted).toBe(false);
    app.quit();
    await shell.whenClosed();
    await flush();
    expect(service.closed).toBe(1);
    expect(app.quitted).toBe(true);
    expect(windows[0]!.destroyed).toBe(true);
    expect(trays[0]!.destroyed).toBe(true);
    expect(ipc.handlers.size).toBe(0);
  });

  it('does not hang on a service that never closes', async () => {
    const service = fakeService();
    service.close = () => new Promise(() => undefined);
    const { app, shell } = await started({ service, closeTimeoutMs: 20 });
    app.quit();
    await shell.whenClosed();
    await flush();
    expect(app.quitted).toBe(true);
  });

  it("the tray's Quit quits", async () => {
    const { trays, app, shell, service } = await started();
    trays[0]!.choose('Quit Shoebox');
    await shell.whenClosed();
    await flush();
    expect(service.closed).toBe(1);
    expect(app.quitted).toBe(true);
  });
});

describe('IPC', () => {
  it('answers every command for our page, refuses other senders', async () => {
    const { ipc, service } = await started();
    expect([...ipc.handlers.keys()].sort()).toEqual((Object.keys(COMMANDS) as CommandName[]).map(invokeChannel).sort());
    expect(await ipc.invoke(invokeChannel('folder.get'), 'app://shoebox/index.html', {})).toEqual({
      ok: true,
      value: folder(),
    });
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://evil/index.html', '']) {
      expect(await ipc.invoke(invokeChannel('folder.open'), url, {}), url).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(service.calls.filter((c) => c.startsWith('folder.open'))).toEqual([]);
  });

  it('folder.choose opens the system folder picker for the window: the chosen folder, or null', async () => {
    const chosen = await started({ dialogs: fakeDialogs({ folder: '/mnt/big/Shoebox' }) });
    expect(await chosen.ipc.invoke(invokeChannel('folder.choose'), 'app://shoebox/index.html', {})).toEqual({
      ok: true,
      value: { path: '/mnt/big/Shoebox' },
    });
    const canceled = await started({ dialogs: fakeDialogs({ folder: null }) });
    expect(await canceled.ipc.invoke(invokeChannel('folder.choose'), 'app://shoebox/index.html', {})).toEqual({
      ok: true,
      value: { path: null },
    });
    const same = await started({ dialogs: fakeDialogs({ folder: folder().path }) });
    expect(await same.ipc.invoke(invokeChannel('folder.choose'), 'app://shoebox/index.html', {})).toEqual({
      ok: true,
      value: { path: null },
    });
    // Only the picker: changing the folder is still the window's folder.change, after its own question.
    expect(chosen.service.calls.some((c) => c.startsWith('folder.change'))).toBe(false);
  });

  it('forwards service events to the window while it lives', async () => {
    const { service, windows } = await started();
    const window = windows[0]!;
    service.events.emit('folder', folder());
    expect(window.webContents.sent).toEqual([[eventChannel('folder'), folder()]]);
    window.destroy();
    service.events.emit('folder', folder());
    expect(window.webContents.sent).toHaveLength(1);
  });
});

describe('tray and dialogs', () => {
  it('the tray follows the service', async () => {
    const { service, trays } = await started();
    const tray = trays[0]!;
    expect(tray.images.at(-1)).toBe('image:idle');
    service.events.emit('queue', queue([deviceQueue()]));
    expect(tray.images.at(-1)).toBe('image:receiving');
    service.events.emit('status', status({ banner: { kind: 'disk-full', message: 'Full.' } }));
    expect(tray.images.at(-1)).toBe('image:attention');
  });

  it('"Pair an iPhone…" opens the window and a pairing code', async () => {
    const { trays, windows, service } = await started({ startHidden: true });
    trays[0]!.choose('Pair an iPhone…');
    await flush();
    expect(windows).toHaveLength(1);
    expect(service.calls).toContain('pairing.open {}');
  });

  it('"Open Backup Folder" says so when it fails', async () => {
    const dialogs = fakeDialogs();
    const service = fakeService({
      'folder.open': async () => {
        throw new Error('no file manager');
      },
    });
    const { trays } = await started({ service, dialogs });
    trays[0]!.choose('Open Backup Folder');
    await flush();
    await flush();
    expect(dialogs.errors).toEqual([['Could not open the backup folder', expect.stringContaining('no file manager')]]);
  });

  it('"Change Backup Folder…" picks a folder, asks move or fresh, and changes through the API', async () => {
    const move = await started({ dialogs: fakeDialogs({ folder: '/mnt/big/Shoebox', button: 0 }) });
    move.trays[0]!.choose('Change Backup Folder…');
    await flush();
    await flush();
    expect(move.dialogs.asked).toEqual(['Back up to /mnt/big/Shoebox?']);
    expect(move.service.calls).toContain('folder.change {"path":"/mnt/big/Shoebox","mode":"move"}');

    const fresh = await started({ dialogs: fakeDialogs({ folder: '/mnt/big/Shoebox', button: 1 }) });
    fresh.trays[0]!.choose('Change Backup Folder…');
    await flush();
    await flush();
    expect(fresh.service.calls).toContain('folder.change {"path":"/mnt/big/Shoebox","mode":"fresh"}');

    const cancel = await started({ dialogs: fakeDialogs({ folder: '/mnt/big/Shoebox', button: 2 }) });
    cancel.trays[0]!.choose('Change Backup Folder…');
    const none = await started({ dialogs: fakeDialogs({ folder: null }) });
    none.trays[0]!.choose('Change Backup Folder…');
    await flush();
    await flush();
    expect(cancel.service.calls.some((c) => c.startsWith('folder.change'))).toBe(false);
    expect(none.dialogs.asked).toEqual([]);
  });

  it('a failed folder change is explained', async () => {
    const { AppApiError } = await import('../../../shared/app-api');
    const dialogs = fakeDialogs({ folder: '/readonly', button: 0 });
    const service = fakeService({
      'folder.change': async () => {
        throw new AppApiError('NOT_WRITABLE', 'Shoebox cannot write to /readonly.');
      },
    });
    const { trays } = await started({ service, dialogs });
    trays[0]!.choose('Change Backup Folder…');
    for (let i = 0; i < 4; i++) await flush();
    expect(dialogs.errors).toEqual([['Could not change the backup folder', 'Shoebox cannot write to /readonly.']]);
  });

  it('notifications open the window', async () => {
    const { service, notifications, windows, app } = await started({ startHidden: true });
    service.events.emit('status', status({ banner: { kind: 'disk-full', message: 'Full.' } }));
    expect(notifications.map((n) => n.options.title)).toEqual(['Backup disk is full']);
    notifications[0]!.emit('click');
    expect(windows).toHaveLength(1);
    expect(app.quitted).toBe(false);
  });
});
