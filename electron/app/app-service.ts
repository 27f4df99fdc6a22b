/**
 * The app service behind the window, composed of three parts: the library session (the receiver and
 * thumbnails of the folder in use, and changing folder: library-session.ts), the translation of
 * receiver events into app API events (event-translation.ts) and the API handlers (api-handlers.ts).
 * This root adds the status line and the folder view. Plain Node, no Electron import: the Electron
 * shell and the headless server both drive it through its handlers and events.
 */
import { EventEmitter } from 'node:events';
import type { AppApiHandlers, AppStatus, Banner, EventName, EventPayload, FolderInfo } from '../../shared/app-api';
import type { ReceiverConfig } from '../receiver/config';
import type { Receiver, ReceiverOptions } from '../receiver/receiver';
import { createApiHandlers } from './api-handlers';
import { EventThrottle } from './event-throttle';
import { EventTranslator } from './event-translation';
import { statfsSpace, type DiskSpaceProbe } from './folder-ops';
import { LibrarySession } from './library-session';
import { osOpener, type Opener } from './opener';
import { pairingState } from './pairing-view';
import { SettingsStore } from './settings-store';
import { bannerFor } from './status-view';
import type { ThumbnailService, ThumbnailServiceOptions } from './thumbnails';

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
  private readonly session: LibrarySession;
  private readonly translator: EventTranslator;
  private lastFolder: FolderInfo | null = null;
  private readonly log: (message: string) => void;
  private readonly diskSpace: DiskSpaceProbe;
  private readonly folderOut = new EventThrottle(2_000, () => void this.refreshFolder());
  private readonly ticker: NodeJS.Timeout;

  private constructor(
    private readonly options: AppServiceOptions,
    private readonly settings: SettingsStore,
  ) {
    this.log = options.log ?? (() => undefined);
    this.diskSpace = options.diskSpace ?? statfsSpace;
    const statusChanged = () => this.emit('status', this.status());
    const pairingChanged = () => this.emitPairing();
    this.translator = new EventTranslator({
      emit: (event, payload) => this.emit(event, payload),
      statusChanged,
      folderChanged: () => this.folderOut.fire(),
      pairingChanged,
      log: this.log,
    });
    this.session = new LibrarySession(
      {
        config: options.config,
        receiverOptions: options.receiverOptions,
        thumbnails: options.thumbnails,
        settings,
        log: this.log,
      },
      {
        started: (receiver, thumbs) => this.translator.attach(receiver, thumbs),
        stopping: () => this.translator.detach(),
        switched: () => this.translator.forgetDiskFull(),
        busy: statusChanged,
      },
    );
    this.handlers = createApiHandlers({
      ready: () => this.ready(),
      folder: () => this.session.folder,
      queue: this.translator.queue,
      opener: options.opener ?? osOpener(),
      status: () => this.status(),
      deviceList: () => this.translator.deviceList(),
      folderInfo: () => this.folderInfo(),
      refreshFolder: () => this.refreshFolder(),
      lastFolder: () => this.lastFolder,
      changeFolder: (path, mode) => this.changeFolder(path, mode),
      setLowSpaceThreshold: (bytes) => this.settings.update({ lowSpaceThresholdBytes: bytes }),
      statusChanged,
      pairingChanged,
    });
    // Speeds decay and time-left figures move even without new activity; folder space changes too.
    this.ticker = setInterval(() => {
      this.translator.tick();
      this.folderOut.fire();
    }, 1_000);
    this.ticker.unref();
  }

  static async start(options: AppServiceOptions): Promise<AppService> {
    const settings = await SettingsStore.open(options.config.dataDir, options.log);
    const service = new AppService(options, settings);
    const saved = settings.get().folder;
    await service.session.start(options.preferSavedFolder && saved ? saved : options.config.folder);
    await service.refreshFolder();
    return service;
  }

  get receiver(): Receiver {
    return this.session.receiver;
  }

  get thumbnails(): ThumbnailService {
    return this.session.thumbnails;
  }

  /** Calls `listener` with each receiver started from now on (after a folder change); returns an unsubscribe. */
  onReceiverStarted(listener: (receiver: Receiver) => void): () => void {
    return this.session.onReceiverStarted(listener);
  }

  /** Resolves when no folder change is in progress. */
  ready(): Promise<Receiver> {
    return this.session.ready();
  }

  get isSwitching(): boolean {
    return this.session.isSwitching;
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    (this.events.emit as (e: E, p: EventPayload<E>) => boolean)(event, payload);
  }

  private async emitPairing(): Promise<void> {
    this.emit('pairing', await pairingState(this.session.receiver));
  }

  private banner(): Banner | null {
    return bannerFor(this.translator.diskFull, this.lastFolder, this.session.minFreeBytes);
  }

  status(): AppStatus {
    const r = this.session.receiver;
    return {
      receiverName: r.name,
      receiverId: r.receiverId,
      listeningUrl: r.url,
      tls: r.trust !== undefined,
      banner: this.banner(),
      simulatorBaseUrl: this.simulatorBaseUrl,
      busy: this.session.busy,
    };
  }

  private threshold(): number {
    return this.settings.get().lowSpaceThresholdBytes ?? this.options.lowSpaceThresholdBytes ?? DEFAULT_LOW_SPACE_BYTES;
  }

  async folderInfo(): Promise<FolderInfo> {
    const receiver = this.session.receiver;
    const folder = this.session.folder;
    const space = await this.diskSpace(folder).catch(() => null);
    const totals = receiver.library.totals();
    const threshold = this.threshold();
    return {
      path: folder,
      freeBytes: space?.free ?? null,
      totalBytes: space?.total ?? null,
      lowSpaceThresholdBytes: threshold,
      lowSpace: space !== null && space.free < threshold,
      items: totals.resources,
      bytes: totals.bytes,
    };
  }

  private async refreshFolder(): Promise<FolderInfo | null> {
    if (this.session.isSwitching) return null;
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
    await this.session.changeFolder(wanted, mode);
    const info = (await this.refreshFolder()) ?? (await this.folderInfo());
    this.emit('devices', this.translator.deviceList());
    await this.emitPairing();
    return info;
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.translator.cancel();
    this.folderOut.cancel();
    await this.session.close();
    this.events.removeAllListeners();
  }
}
