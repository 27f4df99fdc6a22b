/**
 * Receiver events into app API events: upload activity into the live queue (`queue`, throttled), a
 * commit into thumbnails, device counts and `arrivals` (batched, throttled), files deleted by hand into
 * `arrivals.removed`, pairing and device changes into `pairing` and `devices`, a full disk into the
 * status banner. Holds the state those views are made of: the queue, the per-device counts, the
 * disk-full banner.
 */
import type { Banner, DeviceInfo, EventName, EventPayload } from '../../shared/app-api';
import type { Receiver, ReceiverEvents } from '../receiver/receiver';
import { EventThrottle } from './event-throttle';
import { DeviceCounts, deviceInfos, toArrival } from './library-view';
import { QueueModel } from './queue-model';
import type { ThumbnailService } from './thumbnails';

export interface TranslationOutputs {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** The disk-full banner changed: the status line should be sent again. */
  statusChanged(): void;
  /** The folder's figures changed (throttled by the caller). */
  folderChanged(): void;
  /** Pairing opened or closed: the pairing view should be sent again. */
  pairingChanged(): Promise<void>;
  log(message: string): void;
}

export class EventTranslator {
  readonly queue = new QueueModel();
  private receiver!: Receiver;
  private thumbs!: ThumbnailService;
  private counts!: DeviceCounts;
  private diskFullBanner: Banner | null = null;
  private pendingArrivals: string[] = [];
  private detachers: Array<() => void> = [];
  private readonly queueOut = new EventThrottle(250, () => this.out.emit('queue', this.queue.snapshot()));
  private readonly arrivalsOut = new EventThrottle(250, () => this.flushArrivals());

  constructor(private readonly out: TranslationOutputs) {}

  /** The disk-full banner, while the last upload failed for a full disk. */
  get diskFull(): Banner | null {
    return this.diskFullBanner;
  }

  /** A folder change succeeded: the old folder's full disk is no news. */
  forgetDiskFull(): void {
    this.diskFullBanner = null;
  }

  /** The Devices view's rows. */
  deviceList(): DeviceInfo[] {
    return deviceInfos(this.receiver.listDevices(), this.counts, (id) => this.queue.isUploading(id));
  }

  /** Once a second: speeds decay and time-left figures move even without new activity. */
  tick(): void {
    if (this.queue.snapshot().devices.some((d) => d.state !== 'idle')) this.queueOut.fire();
  }

  /** Follows a receiver (and its thumbnails) from now on. */
  attach(receiver: Receiver, thumbs: ThumbnailService): void {
    this.receiver = receiver;
    this.thumbs = thumbs;
    this.counts = DeviceCounts.fromIndex(receiver.library);
    for (const upload of receiver.activeUploads()) this.queue.apply(upload);
    const on = <E extends keyof ReceiverEvents>(event: E, fn: (...args: ReceiverEvents[E]) => void) => {
      receiver.events.on(event, fn as never);
      this.detachers.push(() => receiver.events.off(event, fn as never));
    };
    const { out } = this;
    on('activity', (activity) => {
      const wasUploading = this.queue.isUploading(activity.deviceId);
      this.queue.apply(activity);
      if (this.queue.isUploading(activity.deviceId) !== wasUploading) out.emit('devices', this.deviceList());
      if (activity.error?.code === 'DISK_FULL')
        this.setDiskFull({ kind: 'disk-full', message: activity.error.message });
      if (activity.state === 'stored' && this.diskFullBanner) this.setDiskFull(null);
      this.queueOut.fire();
    });
    on('committed', ({ result }) => {
      if (!result.duplicate) {
        this.thumbs.schedule(result.sha256);
        const record = receiver.library.getBySha(result.sha256);
        if (record?.deviceId) this.counts.add(record.deviceId, record.size);
        this.pendingArrivals.push(result.sha256);
        this.arrivalsOut.fire();
        out.folderChanged();
      }
      out.emit('devices', this.deviceList());
    });
    on('pruned', (removed) => {
      this.counts = DeviceCounts.fromIndex(receiver.library);
      out.emit('arrivals', {
        items: [],
        removed: removed.map((r) => r.sha256),
        total: receiver.library.totals().resources,
      });
      out.folderChanged();
      out.emit('devices', this.deviceList());
    });
    on(
      'pairing-opened',
      () =>
        void out.pairingChanged().catch((error: Error) => out.log(`Showing the pairing code failed: ${error.message}`)),
    );
    on(
      'pairing-closed',
      () =>
        void out
          .pairingChanged()
          .catch((error: Error) => out.log(`Updating the pairing view failed: ${error.message}`)),
    );
    on('paired', (device) => {
      this.queue.devicePaired(device.id);
      out.emit('devices', this.deviceList());
    });
    on('revoked', (device) => {
      this.queue.failDevice(device.id, {
        code: 'DEVICE_REVOKED',
        message: `"${device.name}" was removed from this computer: its uploads stopped.`,
        retryable: false,
      });
      this.queueOut.fire();
      out.emit('devices', this.deviceList());
    });
    on('log', (message) => out.log(message));
  }

  /** Stops following the receiver (before it closes). */
  detach(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  /** Drops what is waiting to be sent. */
  cancel(): void {
    this.queueOut.cancel();
    this.arrivalsOut.cancel();
  }

  private flushArrivals(): void {
    const receiver = this.receiver;
    const items = this.pendingArrivals
      .splice(0)
      .reverse()
      .flatMap((sha) => {
        const record = receiver.library.getBySha(sha);
        return record ? [toArrival(record, (id) => receiver.device(id)?.name ?? null)] : [];
      });
    if (items.length > 0) this.out.emit('arrivals', { items, removed: [], total: receiver.library.totals().resources });
  }

  private setDiskFull(banner: Banner | null): void {
    this.diskFullBanner = banner;
    this.out.statusChanged();
  }
}
