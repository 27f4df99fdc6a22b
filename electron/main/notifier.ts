/**
 * Desktop notifications from the app service's events: arrivals batched per device ("12 photos backed
 * up from Ana's iPhone", once things go quiet, not one per photo), a full or nearly full disk, and a
 * device paired or removed. Arrivals stay quiet while the window has the focus (the window shows them).
 */
import type { AppStatus, Arrival, DeviceInfo } from '../../shared/app-api/schemas';
import type { NotificationLike, NotificationOptions } from './electron-like';
import { arrivalsSentence, deviceLabel } from './wording';

export interface NotifierOptions {
  /** Shows a notification; null where the system has none. */
  notify(options: NotificationOptions): NotificationLike | null;
  /** A click on any notification (the shell opens the window). */
  onClick(): void;
  isWindowFocused(): boolean;
  /** Arrivals are shown after this much quiet… */
  quietMs?: number;
  /** …or at the latest this long after the first one. */
  maxWaitMs?: number;
}

interface Batch {
  deviceName: string | null;
  items: Array<Pick<Arrival, 'kind'>>;
}

export class Notifier {
  private readonly batches = new Map<string, Batch>();
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private lastBanner: string | null = null;
  private known: Map<string, string | null> | null = null;
  private disposed = false;
  private readonly live: NotificationLike[] = [];

  constructor(private readonly options: NotifierOptions) {}

  /** The service's 'arrivals' event. */
  arrivals(payload: { items: Arrival[] }): void {
    if (this.disposed || payload.items.length === 0) return;
    for (const item of payload.items) {
      const key = item.deviceName ?? '';
      const batch = this.batches.get(key) ?? { deviceName: item.deviceName, items: [] };
      batch.items.push({ kind: item.kind });
      this.batches.set(key, batch);
    }
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.options.quietMs ?? 5_000);
    this.maxTimer ??= setTimeout(() => this.flush(), this.options.maxWaitMs ?? 60_000);
  }

  /** Shows what is batched now. */
  flush(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    if (this.disposed || this.options.isWindowFocused()) return;
    for (const batch of batches) this.show('Shoebox', `${arrivalsSentence(batch.items, batch.deviceName)}.`);
  }

  /** The service's 'status' event: a new banner (disk full, low space, error) is told once. */
  status(status: AppStatus): void {
    const banner = status.banner;
    // Free-space figures in the messages change as the disk fills: a kind is told once until it clears.
    const key = banner ? (banner.kind === 'error' ? `error:${banner.message}` : banner.kind) : null;
    if (key === this.lastBanner) return;
    this.lastBanner = key;
    if (!banner || this.disposed) return;
    const title =
      banner.kind === 'disk-full'
        ? 'Backup disk is full'
        : banner.kind === 'low-space'
          ? 'Backup disk is almost full'
          : 'Shoebox needs attention';
    this.show(title, banner.message);
  }

  /** The service's 'devices' event (and the first list, which only sets what is known). */
  devices(list: DeviceInfo[]): void {
    const before = this.known;
    this.known = new Map(list.map((d) => [d.id, d.revokedAt]));
    if (!before || this.disposed) return;
    for (const device of list) {
      const name = deviceLabel(device.name).slice(0, 100);
      if (!before.has(device.id) && device.revokedAt === null) {
        this.show('iPhone paired', `“${name}” can now back up its photos to this computer.`);
      } else if (before.has(device.id) && before.get(device.id) === null && device.revokedAt !== null) {
        this.show('iPhone removed', `“${name}” can no longer back up to this computer.`);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.batches.clear();
    this.live.length = 0;
  }

  private show(title: string, body: string): void {
    const notification = this.options.notify({ title, body });
    if (!notification) return;
    notification.on('click', () => this.options.onClick());
    notification.show();
    // Electron drops a notification's click handler when the object is garbage-collected: keep the last few.
    this.live.push(notification);
    if (this.live.length > 10) this.live.shift();
  }
}
