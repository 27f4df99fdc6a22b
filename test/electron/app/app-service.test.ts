/**
 * The app service end to end in Node: a real receiver, uploads from the shared simulator client,
 * and what the window would see (events and commands): queue, arrivals, devices, thumbnails,
 * pairing, revoke, a full disk, and changing the backup folder.
 */
import { dispatch } from '../../../electron/app/api-dispatch';
import { parsePairingUrl } from '../../../shared/discovery/pairing-url';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppService, type AppServiceOptions } from '../../../electron/app';
import { ChunkStreamClient, memorySource, uploadAll, type UploadSummary } from '../../../shared/simulator';
import { NodeWebSocket } from '../../../shared/simulator/websocket.nodejs';
import { PATHS } from '../../../shared/protocol';
import type { EventName, EventPayload } from '../../../shared/app-api';
import { HAVE_PHOTOS, PHOTOS_DIR, allPhotos } from '../../helpers/photos';
import { makeTempDir, testConfig } from '../../helpers/receiver-fixture';
import { startReceiver } from '../../../electron/receiver/receiver';

const opened: string[] = [];
let services: AppService[] = [];
let roots: string[] = [];

async function start(
  over: Partial<AppServiceOptions> = {},
  config: Parameters<typeof testConfig>[1] = {},
): Promise<{ service: AppService; root: string }> {
  const root = await makeTempDir('shoebox-app-');
  roots.push(root);
  const service = await AppService.start({
    config: testConfig(root, config),
    opener: {
      openFolder: async (p) => void opened.push(`open ${p}`),
      revealFile: async (p) => void opened.push(`reveal ${p}`),
    },
    ...over,
  });
  services.push(service);
  return { service, root };
}

afterEach(async () => {
  await Promise.all(services.map((s) => s.close()));
  await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  services = [];
  roots = [];
  opened.length = 0;
});

async function pairDevice(service: AppService, name = 'Test iPhone', id = 'dev-1'): Promise<string> {
  const { code } = await service.handlers['pairing.open']({});
  const res = await fetch(`${service.receiver.url}${PATHS.pair}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceName: name, deviceId: id }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function upload(
  service: AppService,
  token: string,
  files: Array<{ name: string; bytes: Uint8Array }>,
  maxRetries = 5,
): Promise<UploadSummary> {
  const client = new ChunkStreamClient({
    url: `${service.receiver.url.replace(/^http/, 'ws')}${PATHS.stream}`,
    token,
    WebSocket: NodeWebSocket,
    chunkBytes: 64 * 1024,
    maxReconnects: 1,
    maxRetries,
  });
  const sources = await Promise.all(
    files.map((f, i) => memorySource({ assetId: `asset-${i}-${f.name}`, filename: f.name, bytes: f.bytes })),
  );
  try {
    return await uploadAll(client, sources, { concurrency: 3 });
  } finally {
    await client.close();
  }
}

async function samplePhotos(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  return Promise.all(
    allPhotos().map(async (name) => ({ name, bytes: new Uint8Array(await fs.readFile(path.join(PHOTOS_DIR, name))) })),
  );
}

function collect<E extends EventName>(service: AppService, event: E): Array<EventPayload<E>> {
  const out: Array<EventPayload<E>> = [];
  service.events.on(event, ((p: EventPayload<E>) => out.push(p)) as never);
  return out;
}

describe('AppService', () => {
  it.skipIf(!HAVE_PHOTOS)(
    'shows uploads in the queue, then as arrivals with thumbnails, counted per device',
    async () => {
      const { service } = await start();
      const arrivals = collect(service, 'arrivals');
      const queues = collect(service, 'queue');
      const token = await pairDevice(service, 'Ana’s iPhone');
      const photos = await samplePhotos();
      const summary = await upload(service, token, photos);
      expect(summary.committed).toBe(photos.length);

      await expect.poll(() => queues.at(-1)?.session.stored, { timeout: 5000 }).toBe(photos.length);
      const lane = queues.at(-1)!.devices[0]!;
      expect(lane.deviceName).toBe('Ana’s iPhone');
      expect(lane.items.every((i) => i.state === 'stored')).toBe(true);

      await expect.poll(() => arrivals.flatMap((a) => a.items).length, { timeout: 5000 }).toBe(photos.length);
      const page = await service.handlers['arrivals.page']({ offset: 0, limit: 5 });
      expect(page.total).toBe(photos.length);
      expect(page.items).toHaveLength(5);
      expect(page.items.map((i) => i.storedAt)).toEqual([...page.items.map((i) => i.storedAt)].sort().reverse());
      expect(page.items[0]!.deviceName).toBe('Ana’s iPhone');

      const [device] = await service.handlers['devices.list']({});
      expect(device).toMatchObject({
        name: 'Ana’s iPhone',
        photos: photos.length,
        bytes: photos.reduce((s, p) => s + p.bytes.byteLength, 0),
      });

      // Thumbnails were made in the background after each commit, HEIC included.
      await expect.poll(() => service.thumbnails.pending, { timeout: 20_000 }).toBe(0);
      const all = await service.handlers['arrivals.page']({ offset: 0, limit: 100 });
      for (const item of all.items)
        await expect(fs.access(service.thumbnails.webpPath(item.sha256)), item.path).resolves.toBeUndefined();

      const folder = await service.handlers['folder.get']({});
      expect(folder).toMatchObject({ items: photos.length, lowSpace: false });
      expect(folder.freeBytes).toBeGreaterThan(0);
    },
    60_000,
  );

  it(
    'sends each change of the library whole in the arrivals ' + 'event: what the window shows, no need to ask again',
    async () => {
      const { service } = await start();
      const arrivals = collect(service, 'arrivals');
      const token = await pairDevice(service, 'Ana’s iPhone');
      await upload(service, token, [{ name: 'a.jpg', bytes: new TextEncoder().encode('not a real jpeg') }]);
      await expect.poll(() => arrivals.length, { timeout: 5000 }).toBe(1);
      const page = await service.handlers['arrivals.page']({ offset: 0, limit: 10 });
      expect(arrivals[0]).toEqual({ items: page.items, removed: [], total: 1 });
      expect(arrivals[0]!.items[0]).toMatchObject({ filename: 'a.jpg', deviceName: 'Ana’s iPhone', kind: 'photo' });
    },
  );

  it('reveals stored files and opens the folder through the opener, never outside the folder', async () => {
    const { service } = await start();
    const token = await pairDevice(service);
    await upload(service, token, [{ name: 'a.jpg', bytes: new TextEncoder().encode('not a real jpeg') }]);
    const [item] = (await service.handlers['arrivals.page']({ offset: 0, limit: 1 })).items;
    await service.handlers['arrivals.showInFolder']({ path: item!.path });
    await service.handlers['folder.open']({});
    expect(opened).toEqual([
      `reveal ${path.join(service.receiver.config.folder, item!.path)}`,
      `open ${service.receiver.config.folder}`,
    ]);
    await expect(service.handlers['arrivals.showInFolder']({ path: '../../etc/passwd' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('pairs with a QR code, the six digits and the trust-profile link when TLS is on', async () => {
    const { service } = await start({}, { tls: true });
    const state = await service.handlers['pairing.open']({});
    expect(state.code).toMatch(/^\d{6}$/);
    expect(state.pairingUrl).toMatch(/^shoebox:\/\/pair\?/);
    expect(state.pairingUrl).toContain(`code=${state.code}`);
    expect(state.qrSvg).toMatch(/^<svg/);
    expect(state.profileUrl).toMatch(/^https:\/\/.+\/v1\/trust\/profile\.mobileconfig$/);
    expect((await service.handlers['pairing.close']({})).open).toBe(false);
  }, 30_000);

  it('renames this computer for phones: status, pairing URL and the stored name follow', async () => {
    const { service } = await start({}, { tls: true, name: undefined });
    const status = await service.handlers['settings.setName']({ name: '  Ana’s Desk  ' });
    expect(status.receiverName).toBe('Ana’s Desk');
    const state = await service.handlers['pairing.open']({});
    expect(state.receiverName).toBe('Ana’s Desk');
    expect(parsePairingUrl(state.pairingUrl ?? '').name).toBe('Ana’s Desk');
    expect(service.receiver.name).toBe('Ana’s Desk');
    // Across the trust boundary the request is checked: an empty (or over-long) name never reaches the service.
    expect(await dispatch(service.handlers, 'settings.setName', { name: '   ' })).toMatchObject({ ok: false });
    expect(await dispatch(service.handlers, 'settings.setName', { name: 'x'.repeat(64) })).toMatchObject({ ok: false });
  }, 30_000);

  it('marks a revoked device’s uploads failed with the reason', async () => {
    const { service } = await start();
    const token = await pairDevice(service, 'Old iPhone', 'old');
    const client = new ChunkStreamClient({
      url: `${service.receiver.url.replace(/^http/, 'ws')}${PATHS.stream}`,
      token,
      WebSocket: NodeWebSocket,
      chunkBytes: 16 * 1024,
      bytesPerSecond: 64 * 1024,
      maxReconnects: 0,
    });
    const pending = client.upload(
      await memorySource({ assetId: 'big', filename: 'big.mov', bytes: new Uint8Array(2_000_000) }),
    );
    await expect.poll(() => service.receiver.activeUploads().length, { timeout: 5000 }).toBe(1);
    expect((await service.handlers['devices.revoke']({ deviceId: 'old' })).revoked).toBe(true);
    const result = await pending;
    expect(result).toMatchObject({ status: 'failed', reason: { code: 'DEVICE_REVOKED' } });
    const lane = (await service.handlers['queue.get']({})).devices[0]!;
    expect(lane.items[0]).toMatchObject({ state: 'failed', error: { code: 'DEVICE_REVOKED' } });
    expect((await service.handlers['devices.list']({}))[0]!.revokedAt).not.toBeNull();
    await client.close();
  });

  it(
    'raises a disk-full banner when uploads are refused ' + 'for space, and a low-space one under the threshold',
    async () => {
      const { service } = await start(
        {
          receiverOptions: { freeBytes: async () => 1000 },
          diskSpace: async () => ({ free: 1000, total: 10_000_000 }),
        },
        { minFreeBytes: 10_000 },
      );
      const token = await pairDevice(service);
      const summary = await upload(service, token, [{ name: 'b.jpg', bytes: new Uint8Array(50_000) }], 0);
      expect(summary.failed).toBe(1);
      expect(summary.failures[0]!.reason.code).toBe('DISK_FULL');
      expect(service.status().banner).toMatchObject({
        kind: 'disk-full',
        message: expect.stringContaining('Free some space') as unknown,
      }); // the receiver's own refusal, now shown as upload activity
      expect((await service.handlers['folder.get']({})).lowSpace).toBe(true);
    },
  );

  it('warns about low space under the threshold the user set', async () => {
    let free = 5e9;
    const { service } = await start({ diskSpace: async () => ({ free, total: 100e9 }) });
    const statuses = collect(service, 'status');
    expect(service.status().banner).toBeNull();
    const info = await service.handlers['settings.setLowSpaceThreshold']({ bytes: 10e9 });
    expect(info).toMatchObject({ lowSpace: true, lowSpaceThresholdBytes: 10e9 });
    expect(statuses.at(-1)?.banner).toMatchObject({ kind: 'low-space' });
    free = 20e9;
    expect((await service.handlers['folder.get']({})).lowSpace).toBe(false);
    expect(statuses.at(-1)?.banner).toBeNull();
  });

  it('changes the backup folder: move what is there, or start fresh', async () => {
    const { service, root } = await start();
    const token = await pairDevice(service);
    await upload(service, token, [{ name: 'c.jpg', bytes: new TextEncoder().encode('photo c') }]);
    const port = service.receiver.port;
    const oldFolder = service.receiver.config.folder;
    const moved = path.join(root, 'Moved');
    await expect(
      service.handlers['folder.change']({ path: path.join(oldFolder, 'inside'), mode: 'move' }),
    ).rejects.toMatchObject({ code: 'NESTED_FOLDER' });
    await fs.mkdir(path.join(root, 'Busy'));
    await fs.writeFile(path.join(root, 'Busy', 'x.txt'), 'x');
    await expect(
      service.handlers['folder.change']({ path: path.join(root, 'Busy'), mode: 'move' }),
    ).rejects.toMatchObject({ code: 'FOLDER_NOT_EMPTY' });

    const info = await service.handlers['folder.change']({ path: moved, mode: 'move' });
    expect(info).toMatchObject({ path: moved, items: 1 });
    expect(service.receiver.port).toBe(port);
    expect(await fs.readdir(oldFolder)).toEqual([]);
    const [item] = (await service.handlers['arrivals.page']({ offset: 0, limit: 1 })).items;
    await expect(fs.readFile(path.join(moved, item!.path), 'utf8')).resolves.toBe('photo c');
    // The device token still works after the switch.
    expect(
      (await upload(service, token, [{ name: 'd.jpg', bytes: new TextEncoder().encode('photo d') }])).committed,
    ).toBe(1);

    const fresh = path.join(root, 'Fresh');
    expect(await service.handlers['folder.change']({ path: fresh, mode: 'fresh' })).toMatchObject({
      path: fresh,
      items: 0,
    });
    expect((await fs.readdir(moved)).filter((n) => !n.startsWith('.'))).not.toHaveLength(0);
    // Remembered for the next start.
    const saved = JSON.parse(
      await fs.readFile(path.join(service.receiver.config.dataDir, 'app-settings.json'), 'utf8'),
    ) as { folder?: string };
    expect(saved.folder).toBe(fresh);
  }, 30_000);

  it(
    'forgets files deleted from the folder by hand while ' + 'it was closed: arrivals drop them, counts follow',
    async () => {
      const { service, root } = await start();
      const token = await pairDevice(service);
      const files = ['f.jpg', 'g.jpg', 'h.jpg'].map((name) => ({
        name,
        bytes: new TextEncoder().encode(`photo ${name}`),
      }));
      expect((await upload(service, token, files)).committed).toBe(3);
      const { items } = await service.handlers['arrivals.page']({ offset: 0, limit: 10 });
      const gone = items.find((a) => a.filename === 'g.jpg')!;
      await service.close();
      await fs.rm(path.join(service.receiver.config.folder, gone.path));

      const again = await AppService.start({
        config: testConfig(root),
        opener: { openFolder: async () => undefined, revealFile: async () => undefined },
      });
      services.push(again);
      await again.receiver.folderCheck;
      expect(
        (await again.handlers['arrivals.page']({ offset: 0, limit: 10 })).items.map((a) => a.filename).sort(),
      ).toEqual(['f.jpg', 'h.jpg']);
      expect((await again.handlers['devices.list']({}))[0]).toMatchObject({ photos: 2 });
      // Its bytes count as new again.
      expect((await upload(again, token, [files[1]!])).committed).toBe(1);
    },
  );

  it('refuses a second folder change while one runs (tray and window at once), and the first completes', async () => {
    const { service, root } = await start();
    const token = await pairDevice(service);
    await upload(service, token, [{ name: 'x.jpg', bytes: new TextEncoder().encode('photo x') }]);
    const first = service.handlers['folder.change']({ path: path.join(root, 'One'), mode: 'move' });
    const second = service.handlers['folder.change']({ path: path.join(root, 'Two'), mode: 'move' });
    await expect(second).rejects.toMatchObject({ code: 'BUSY' });
    expect(await first).toMatchObject({ path: path.join(root, 'One'), items: 1 });
    expect(service.receiver.library.totals().resources).toBe(1);
  });

  it('has no system folder picker (the browser window types a path)', async () => {
    const { service } = await start();
    await expect(service.handlers['folder.choose']({})).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('type the folder') as unknown,
    });
  });

  it('refuses to start fresh in a folder another Shoebox is using, and keeps using its own', async () => {
    const { service, root } = await start();
    const token = await pairDevice(service);
    const own = service.receiver.config.folder;
    await fs.mkdir(path.join(root, 'other'));
    const other = await startReceiver(testConfig(path.join(root, 'other')), { openPairing: false });
    try {
      const failed = service.handlers['folder.change']({ path: other.config.folder, mode: 'fresh' });
      await expect(failed).rejects.toMatchObject({
        code: 'FOLDER_IN_USE',
        message: expect.stringMatching(/is in use by another Shoebox receiver .* Shoebox keeps using /) as unknown,
      });
      expect(service.receiver.config.folder).toBe(own);
      expect((await service.handlers['folder.get']({})).path).toBe(own);
      expect(
        (await upload(service, token, [{ name: 'e.jpg', bytes: new TextEncoder().encode('photo e') }])).committed,
      ).toBe(1);
    } finally {
      await other.close();
    }
  });
});

vi.setConfig({ testTimeout: 30_000 });
