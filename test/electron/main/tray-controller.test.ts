/** The tray: picture, tooltip and menu follow the service's status and queue. */
import { describe, expect, it, vi } from 'vitest';
import { TrayController, trayIconFile, type TrayActions } from '../../../electron/main/tray-controller';
import type { MenuItemTemplate } from '../../../electron/main/electron-like';
import { trayView } from '../../../electron/main/wording';
import { FakeTray } from '../../helpers/shell/fakes';
import { deviceQueue, item, queue, status } from '../../helpers/shell/fixtures';

function actions() {
  const fn = () => vi.fn<() => void>();
  return { open: fn(), pair: fn(), openFolder: fn(), changeFolder: fn(), quit: fn() } satisfies TrayActions;
}

function controller(platform: NodeJS.Platform = 'linux') {
  let tray!: FakeTray;
  const acts = actions();
  const c = new TrayController<string, MenuItemTemplate[]>({
    createTray: (image) => (tray = new FakeTray(image)),
    buildMenu: (template) => template,
    image: (state) => `image:${state}`,
    actions: acts,
    platform,
  });
  return { c, tray, acts };
}

describe('trayView', () => {
  it('is idle and ready with nothing going on', () => {
    expect(trayView(status(), queue())).toEqual({
      state: 'idle',
      statusLine: 'Ready for photos',
      tooltip: 'Shoebox: Ready for photos',
    });
    expect(trayView(status(), queue([], 12)).statusLine).toBe('Up to date: 12 files backed up since Shoebox started');
  });

  it('says who is sending and how fast while receiving', () => {
    const view = trayView(
      status(),
      queue([
        deviceQueue({ items: [item(), item({ key: 'k2', state: 'verifying' }), item({ key: 'k3', state: 'stored' })] }),
      ]),
    );
    expect(view.state).toBe('receiving');
    expect(view.statusLine).toBe("Receiving 2 files from Ana's iPhone");
    expect(view.tooltip).toBe("Shoebox: Receiving 2 files from Ana's iPhone (2.0 MB/s)");
    const two = trayView(status(), queue([deviceQueue(), deviceQueue({ deviceId: 'd2', deviceName: 'iPad' })]));
    expect(two.statusLine).toBe('Receiving 2 files from 2 devices');
  });

  it('waits for a paused phone without alarm', () => {
    expect(trayView(status(), queue([deviceQueue({ state: 'paused' })]))).toMatchObject({
      state: 'idle',
      statusLine: "Waiting for Ana's iPhone to continue",
    });
  });

  it('asks for attention when the disk is full or low, with the message in the tooltip', () => {
    const full = trayView(
      status({ banner: { kind: 'disk-full', message: 'Only 100 MB free: new photos are refused.' } }),
      queue([deviceQueue()]),
    );
    expect(full).toEqual({
      state: 'attention',
      statusLine: 'Backup disk is full',
      tooltip: 'Shoebox: Only 100 MB free: new photos are refused.',
    });
    expect(trayView(status({ banner: { kind: 'low-space', message: 'x' } }), null).statusLine).toBe(
      'Backup disk is almost full',
    );
    const long = trayView(status({ banner: { kind: 'error', message: 'y'.repeat(500) } }), null);
    expect(long.tooltip.length).toBeLessThanOrEqual(127);
  });

  it('shows a folder move in progress as busy', () => {
    expect(trayView(status({ busy: 'Moving the library to /mnt/big…' }), queue())).toMatchObject({
      state: 'receiving',
      statusLine: 'Moving the library to /mnt/big…',
    });
  });
});

describe('TrayController', () => {
  it('starts idle with the menu of the brief', () => {
    const { tray } = controller();
    expect(tray.images[0]).toBe('image:idle');
    expect(tray.tooltips.at(-1)).toBe('Shoebox: Ready for photos');
    expect(tray.menu.map((m) => m.label ?? '—')).toEqual([
      'Ready for photos',
      '—',
      'Open Shoebox',
      'Pair an iPhone…',
      '—',
      'Open Backup Folder',
      'Change Backup Folder…',
      '—',
      'Quit Shoebox',
    ]);
    expect(tray.menu[0]!.enabled).toBe(false);
  });

  it('menu items run their actions', () => {
    const { tray, acts } = controller();
    tray.choose('Open Shoebox');
    tray.choose('Pair an iPhone…');
    tray.choose('Open Backup Folder');
    tray.choose('Change Backup Folder…');
    tray.choose('Quit Shoebox');
    for (const action of Object.values(acts)) expect(action).toHaveBeenCalledTimes(1);
  });

  it('follows the service: receiving, attention, back to idle; redraws only what changed', () => {
    const { c, tray } = controller();
    c.queue(queue([deviceQueue()]));
    expect(tray.images.at(-1)).toBe('image:receiving');
    expect(tray.menu[0]!.label).toBe("Receiving 1 file from Ana's iPhone");
    c.status(status({ banner: { kind: 'disk-full', message: 'Disk full.' } }));
    expect(tray.images.at(-1)).toBe('image:attention');
    const images = tray.images.length;
    c.status(status({ banner: { kind: 'disk-full', message: 'Disk full.' } }));
    expect(tray.images.length).toBe(images);
    c.status(status());
    c.queue(queue([], 3));
    expect(tray.images.at(-1)).toBe('image:idle');
    expect(c.view.statusLine).toBe('Up to date: 3 files backed up since Shoebox started');
  });

  it('opens the window on click except on macOS (where a click opens the menu)', () => {
    const linux = controller('linux');
    linux.tray.clicks.emit('click');
    expect(linux.acts.open).toHaveBeenCalledTimes(1);
    const mac = controller('darwin');
    mac.tray.clicks.emit('click');
    expect(mac.acts.open).not.toHaveBeenCalled();
  });

  it('is destroyed once and then ignores updates', () => {
    const { c, tray } = controller();
    c.destroy();
    c.destroy();
    c.queue(queue([deviceQueue()]));
    expect(tray.destroyed).toBe(true);
    expect(tray.images.at(-1)).toBe('image:idle');
  });

  it('uses Template pictures on macOS, coloured ones elsewhere', () => {
    expect(trayIconFile('receiving', 'darwin')).toBe('tray-receivingTemplate.png');
    expect(trayIconFile('attention', 'win32')).toBe('tray-attention.png');
  });
});
