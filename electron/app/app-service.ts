/**
 * The app service behind the window: owns a receiver and its thumbnails, aggregates the live queue,
 * and implements every command of the app API (shared/app-api). Plain Node, no Electron import: the
 * Electron shell and the headless server both drive it through its handlers and events.
 */
import { EventEmitter } from 'node:events';
import type { AppApiHandlers, AppStatus, Banner, DeviceInfo, EventName, EventPayload, FolderInfo } from '../../shared/app-api';
import { AppApiError } from '../../shared/app-api';
import type { ReceiverConfig } from '../receiver/config';
import { startReceiver, type Receiver, type ReceiverOptions } from '../receiver/receiver';
import { ThumbnailService, type ThumbnailServiceOptions } from './thumbnails';
import { InstanceLockedError } from '../receiver/util/instance-lock';
import { checkNewFolder, resolveInside, statfsSpace, type DiskSpaceProbe } from './folder-ops';
import { moveLibrary } from './library-move';
import { arrivalsPage, DeviceCounts, deviceInfos, toArrival } from './library-view';
import { bannerFor } from './status-view';
import { osOpener, type Opener } from './opener';
import { pairingState } from './pairing-view';
import { QueueModel } from './queue-model';
import { SettingsStore } from './settings-store';
import { EventThrottle } from './event-throttle';

export type AppEvents = { [E in EventName]: [payload: EventPayload<E>] };

export interface AppServiceOptions {
  config: ReceiverConfig;
  receiverOptions?: ReceiverOptions;
  opener?: Opener;
  diskSpace?: DiskSpaceProbe;
  /** Start on the folder saved by a previous "change folder" rather than config.folder (the desktop app does). */
  preferSavedFolder?: boolean;
  thumbnails?: Pick<ThumbnailServiceOptions, 'ffmpeg' | 'size' | 'pauseMs'>;
  /** Default low-space warning threshold (bytes); the user may change it. */
  lowSpaceThresholdBytes?: number;
  log?: (message: string) => void;
}

export const DEFAULT_LOW_SPACE_BYTES = 2_000_000_000;

export class AppService {
  readonly events = new EventEmitter<AppEvents>();
  readonly handlers: AppApiHandlers;
  /** The in-page simulator's base URL, set by the headless server. */
  simulatorBaseUrl: string | null = null;
  private config: ReceiverConfig;
  private receiverNow!: Receiver;
  private thumbs!: ThumbnailService;
  private counts!: DeviceCounts;
  private readonly queue = new QueueModel();
  private detachers: Array<() => void> = [];
  private switching: Promise<void> | null = null;
  private busy: string | null = null;
  private diskFull: Banner | null = null;
  private lastFolder: FolderInfo | null = null;
  private readonly log: (message: string) => void;
  private readonly opener: Opener;
  private readonly diskSpace: DiskSpaceProbe;
  private readonly queueOut = new EventThrottle(250, () => this.emit('queue', this.queue.snapshot()));
  private readonly folderOut = new EventThrottle(2_000, () => void this.refreshFolder());
  private readonly ticker: NodeJS.Timeout;
  private pendingArrivals: string[] = [];
  private readonly receiverListeners = new Set<(receiver: Receiver) => void>();
  private readonly arrivalsOut = new EventThrottle(250, () => this.flushArrivals());

  private constructor(private readonly options: AppServiceOptions, private readonly settings: SettingsStore) {
    this.config = { ...options.config };
    this.log = options.log ?? (() => undefined);
    this.opener = options.opener ?? osOpener();
    this.diskSpace = options.diskSpace ?? statfsSpace;
    this.handlers = this.makeHandlers();
    // Speeds decay and time-left figures move even without new activity; folder space changes too.
    this.ticker = setInterval(() => {
      if (this.queue.snapshot().devices.some((d) => d.state !== 'idle')) this.queueOut.fire();
      this.folderOut.fire();
    }, 1_000);
    this.ticker.unref();
  }

  static async start(options: AppServiceOptions): Promise<AppService> {
    const settings = await SettingsStore.open(options.config.dataDir, options.log);
    const service = new AppService(options, settings);
    const saved = settings.get().folder;
    if (options.preferSavedFolder && saved) service.config.folder = saved;
    await service.startOn(service.config);
    await service.refreshFolder();
    return service;
  }

  get receiver(): Receiver {
    return this.receiverNow;
  }

  get thumbnails(): ThumbnailService {
    return this.thumbs;
  }

  /** Calls `listener` with each receiver started from now on (after a folder change); returns an unsubscribe. */
  onReceiverStarted(listener: (receiver: Receiver) => void): () => void {
    this.receiverListeners.add(listener);
    return () => this.receiverListeners.delete(listener);
  }

  /** Resolves when no folder change is in progress. */
  async ready(): Promise<Receiver> {
    while (this.switching) await this.switching;
    return this.receiverNow;
  }

  get isSwitching(): boolean {
    return this.switching !== null;
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    (this.events.emit as (e: E, p: EventPayload<E>) => boolean)(event, payload);
  }

  private async startOn(config: ReceiverConfig): Promise<void> {
    const receiver = await startReceiver(config, this.options.receiverOptions);
    this.receiverNow = receiver;
    for (const listener of this.receiverListeners) listener(receiver);
    this.thumbs = new ThumbnailService({ folder: config.folder, index: receiver.library, log: this.log, ...this.options.thumbnails });
    this.counts = DeviceCounts.fromIndex(receiver.library);
    for (const upload of receiver.activeUploads()) this.queue.apply(upload);
    const on = <E extends keyof import('../receiver/receiver').ReceiverEvents>(event: E, fn: (...args: import('../receiver/receiver').ReceiverEvents[E]) => void) => {
      receiver.events.on(event, fn as never);
      this.detachers.push(() => receiver.events.off(event, fn as never));
    };
    on('activity', (activity) => {
      const wasUploading = this.queue.isUploading(activity.deviceId);
      this.queue.apply(activity);
      if (this.queue.isUploading(activity.deviceId) !== wasUploading) this.emit('devices', this.deviceList());
      if (activity.error?.code === 'DISK_FULL') this.setDiskFull({ kind: 'disk-full', message: activity.error.message });
      if (activity.state === 'stored' && this.diskFull) this.setDiskFull(null);
      this.queueOut.fire();
    });
    on('committed', ({ result }) => {
      if (!result.duplicate) {
        this.thumbs.schedule(result.sha256);
        const record = receiver.library.getBySha(result.sha256);
        if (record?.deviceId) this.counts.add(record.deviceId, record.size);
        this.pendingArrivals.push(result.sha256);
        this.arrivalsOut.fire();
        this.folderOut.fire();
      }
      this.emit('devices', this.deviceList());
    });
    on('pruned', (removed) => {
      this.counts = DeviceCounts.fromIndex(receiver.library);
      this.emit('arrivals', { items: [], total: receiver.library.totals().resources, removed: removed.map((r) => r.sha256) });
      this.folderOut.fire();
      this.emit('devices', this.deviceList());
    });
    on('pairing-opened', () => void this.emitPairing().catch((error: Error) => this.log(`Showing the pairing code failed: ${error.message}`)));
    on('pairing-closed', () => void this.emitPairing().catch((error: Error) => this.log(`Updating the pairing view failed: ${error.message}`)));
    on('paired', (device) => {
      this.queue.devicePaired(device.id);
      this.emit('devices', this.deviceList());
    });
    on('revoked', (device) => {
      this.queue.failDevice(device.id, { code: 'DEVICE_REVOKED', message: `"${device.name}" was removed from this computer: its uploads stopped.`, retryable: false });
      this.queueOut.fire();
      this.emit('devices', this.deviceList());
    });
    on('log', (message) => this.log(message));
  }

  private flushArrivals(): void {
    const receiver = this.receiverNow;
    const items = this.pendingArrivals.splice(0).reverse().flatMap((sha) => {
      const record = receiver.library.getBySha(sha);
      return record ? [toArrival(record, (id) => receiver.device(id)?.name ?? null)] : [];
    });
    if (items.length > 0) this.emit('arrivals', { items, total: receiver.library.totals().resources });
  }

  private setDiskFull(banner: Banner | null): void {
    this.diskFull = banner;
    this.emit('status', this.status());
  }

  private async emitPairing(): Promise<void> {
    this.emit('pairing', await pairingState(this.receiverNow));
  }

  private banner(): Banner | null {
    return bannerFor(this.diskFull, this.lastFolder, this.config.minFreeBytes);
  }

  status(): AppStatus {
    const r = this.receiverNow;
    return {
      receiverName: r.name, receiverId: r.receiverId, listeningUrl: r.url, tls: r.trust !== undefined,
      banner: this.banner(), simulatorBaseUrl: this.simulatorBaseUrl, busy: this.busy,
    };
  }

  private deviceList(): DeviceInfo[] {
    return deviceInfos(this.receiverNow.listDevices(), this.counts, (id) => this.queue.isUploading(id));
  }

  private threshold(): number {
    return this.settings.get().lowSpaceThresholdBytes ?? this.options.lowSpaceThresholdBytes ?? DEFAULT_LOW_SPACE_BYTES;
  }

  async folderInfo(): Promise<FolderInfo> {
    const receiver = this.receiverNow;
    const space = await this.diskSpace(this.config.folder).catch(() => null);
    const totals = receiver.library.totals();
    const threshold = this.threshold();
    return {
      path: this.config.folder, freeBytes: space?.free ?? null, totalBytes: space?.total ?? null,
      lowSpaceThresholdBytes: threshold, lowSpace: space !== null && space.free < threshold,
      items: totals.resources, bytes: totals.bytes,
    };
  }

  private async refreshFolder(): Promise<FolderInfo | null> {
    if (this.switching) return null;
    const info = await this.folderInfo().catch(() => null);
    if (!info) return null;
    const changed = JSON.stringify(info) !== JSON.stringify(this.lastFolder);
    const before = JSON.stringify(this.banner());
    this.lastFolder = info;
    const bannerChanged = JSON.stringify(this.banner()) !== before;
    if (changed) this.emit('folder', info);
    if (bannerChanged) this.emit('status', this.status());
    return info;
  }

  private async changeFolder(wanted: string, mode: 'move' | 'fresh'): Promise<FolderInfo> {
    // Claimed before the first await: a second change (tray and window at once) is refused, not interleaved.
    if (this.switching) throw new AppApiError('BUSY', 'Shoebox is already changing its backup folder; try again when that is done.');
    let finish!: () => void;
    this.switching = new Promise<void>((resolve) => (finish = resolve));
    const setBusy = (message: string | null) => {
      this.busy = message;
      this.emit('status', this.status());
    };
    const from = this.config.folder;
    try {
      const target = await checkNewFolder(from, wanted, mode);
      setBusy(mode === 'move' ? `Moving the library to ${target}…` : `Switching to ${target}…`);
      const port = this.receiverNow.port;
      for (const detach of this.detachers.splice(0)) detach();
      await this.thumbs.close();
      await this.receiverNow.close();
      const here = { ...this.config, port };
      const next = { ...here, folder: target };
      if (mode === 'move') {
        let moved;
        let complete = false;
        try {
          moved = await moveLibrary(from, target, {
            onProgress: (message) => setBusy(message),
            // The library is whole at the target: remember it before any original goes.
            onComplete: async () => {
              complete = true;
              this.config = next;
              await this.settings.update({ folder: target });
            },
          });
        } catch (error) {
          this.log(`Moving the library failed: ${(error as Error).message}`);
          if (complete) {
            // The copy is whole at the target (and the originals were not touched yet): go on there.
            await this.startOn(next);
            throw new AppApiError('MOVE_FAILED', `The library is in ${target} now, but Shoebox could not remember that (${(error as Error).message}); it may start on ${from} next time. Choose ${target} again then.`);
          }
          await this.startOn(here);
          throw new AppApiError('MOVE_FAILED', `Could not move the library to ${target}: ${(error as Error).message}. Nothing was lost: the library is still in ${from}. Free space or fix the problem, then try again.`);
        }
        if (moved.leftBehind.length > 0) this.log(`The library moved to ${target}; these originals could not be deleted and can go: ${moved.leftBehind.join(', ')}`);
        await this.startOn(next);
      } else {
        try {
          await this.startOn(next);
        } catch (error) {
          // Typically another Shoebox already uses that folder: go back to the one we had.
          this.log(`Starting on ${target} failed: ${(error as Error).message}`);
          await this.startOn(here);
          const code = error instanceof InstanceLockedError ? 'FOLDER_IN_USE' : 'BAD_FOLDER';
          throw new AppApiError(code, `${(error as Error).message} Shoebox keeps using ${from}.`);
        }
        this.config = next;
        await this.settings.update({ folder: target });
      }
      this.diskFull = null;
    } finally {
      this.switching = null;
      finish();
      setBusy(null);
    }
    const info = (await this.refreshFolder()) ?? (await this.folderInfo());
    this.emit('devices', this.deviceList());
    await this.emitPairing();
    return info;
  }

  private makeHandlers(): AppApiHandlers {
    return {
      'app.snapshot': async () => {
        const receiver = await this.ready();
        return { status: this.status(), queue: this.queue.snapshot(), devices: this.deviceList(), pairing: await pairingState(receiver), folder: this.lastFolder ?? (await this.folderInfo()) };
      },
      'queue.get': async () => this.queue.snapshot(),
      'queue.clearFinished': async () => {
        this.queue.clearFinished();
        return this.queue.snapshot();
      },
      'arrivals.page': async ({ offset, limit }) => {
        const receiver = await this.ready();
        return arrivalsPage(receiver.library, offset, limit, (id) => receiver.device(id)?.name ?? null);
      },
      'arrivals.showInFolder': async ({ path: rel }) => {
        const receiver = await this.ready();
        if (!receiver.library.getByPath(rel)) throw new AppApiError('NOT_FOUND', `${rel} is not in the backup folder any more.`);
        await this.opener.revealFile(resolveInside(this.config.folder, rel)).catch((error: Error) => {
          throw new AppApiError('OPEN_FAILED', error.message);
        });
        return { ok: true as const };
      },
      'devices.list': async () => {
        await this.ready();
        return this.deviceList();
      },
      'devices.revoke': async ({ deviceId }) => {
        const receiver = await this.ready();
        if (!receiver.device(deviceId)) throw new AppApiError('NOT_FOUND', 'No paired device with that id.');
        return { revoked: await receiver.revokeDevice(deviceId) };
      },
      'pairing.open': async () => {
        const receiver = await this.ready();
        receiver.openPairing();
        return pairingState(receiver);
      },
      'pairing.close': async () => {
        const receiver = await this.ready();
        receiver.closePairing('withdrawn');
        return pairingState(receiver);
      },
      'pairing.get': async () => pairingState(await this.ready()),
      'folder.get': async () => {
        await this.ready();
        return (await this.refreshFolder()) ?? this.folderInfo();
      },
      'folder.change': ({ path: wanted, mode }) => this.changeFolder(wanted, mode),
      'folder.choose': async () => {
        throw new AppApiError('UNAVAILABLE', 'This window has no system folder picker: type the folder’s path instead.');
      },
      'folder.open': async () => {
        await this.ready();
        await this.opener.openFolder(this.config.folder).catch((error: Error) => {
          throw new AppApiError('OPEN_FAILED', error.message);
        });
        return { ok: true as const };
      },
      'settings.setName': async ({ name }) => {
        await (await this.ready()).rename(name);
        this.emit('status', this.status());
        await this.emitPairing();
        return this.status();
      },
      'settings.setLowSpaceThreshold': async ({ bytes }) => {
        await this.settings.update({ lowSpaceThresholdBytes: bytes });
        return (await this.refreshFolder()) ?? this.folderInfo();
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    for (const t of [this.queueOut, this.folderOut, this.arrivalsOut]) t.cancel();
    await this.ready();
    for (const detach of this.detachers.splice(0)) detach();
    await this.thumbs.close();
    await this.receiverNow.close();
    this.events.removeAllListeners();
  }
}
