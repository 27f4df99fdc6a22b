/**
 * The live queue per device, built from the receiver's upload activity: speed (smoothed), time left,
 * retries, finished rows kept for a while, and session totals. Plain code; the clock is injectable.
 */
import type { UploadActivity } from '../receiver/activity/upload-activity';
import type { DeviceQueue, QueueItem, QueueSnapshot, QueueState, SessionTotals } from '../../shared/app-api';

/** No progress for this long: the speed shown drops to zero. */
const STALL_MS = 3_000;
/** Weight of the newest speed sample. */
const SMOOTHING = 0.3;
/** Finished rows kept per device. */
const KEEP_FINISHED = 100;
const FINAL: ReadonlySet<QueueState> = new Set(['stored', 'duplicate', 'failed']);

interface Tracked {
  item: QueueItem;
  lastBytes: number;
  lastAt: number;
  speed: number;
  interrupted: boolean;
}

function emptyTotals(): SessionTotals {
  return { stored: 0, storedBytes: 0, duplicates: 0, failed: 0, receivedBytes: 0 };
}

export class QueueModel {
  private readonly uploads = new Map<string, Tracked>();
  private readonly devices = new Map<string, { name: string; totals: SessionTotals }>();
  private readonly session = emptyTotals();
  /** Revoked devices: their connections were cut, so "interrupted" reports after that change nothing. */
  private readonly revoked = new Set<string>();
  private readonly startedAt: string;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = new Date(this.now()).toISOString();
  }

  /** Applies one activity report from the receiver. */
  apply(activity: UploadActivity): void {
    if (this.revoked.has(activity.deviceId) && activity.state === 'interrupted') return;
    const now = this.now();
    const device = this.device(activity.deviceId, activity.deviceName);
    const previous = this.uploads.get(activity.key);
    const wasFailed = previous?.item.state === 'failed';
    const tracked: Tracked = previous ?? {
      item: {
        key: activity.key,
        deviceId: activity.deviceId,
        filename: activity.filename,
        size: activity.size,
        received: 0,
        state: 'receiving',
        bytesPerSecond: 0,
        etaSeconds: null,
        retries: 0,
        updatedAt: activity.updatedAt,
      },
      lastBytes: activity.received,
      lastAt: now,
      speed: 0,
      interrupted: false,
    };
    const delta = Math.max(0, activity.received - tracked.lastBytes);
    if (delta > 0) {
      const seconds = Math.max(0.05, (now - tracked.lastAt) / 1000);
      const sample = delta / seconds;
      tracked.speed = tracked.speed === 0 ? sample : tracked.speed * (1 - SMOOTHING) + sample * SMOOTHING;
      tracked.lastAt = now;
      device.totals.receivedBytes += delta;
      this.session.receivedBytes += delta;
    }
    tracked.lastBytes = activity.received;
    if (activity.received < tracked.item.received) tracked.lastAt = now; // restarted from a lower offset

    const resumed =
      (tracked.interrupted || wasFailed) && (activity.state === 'receiving' || activity.state === 'verifying');
    if (resumed) {
      tracked.item.retries += 1;
      tracked.interrupted = false;
      if (wasFailed) this.count(device.totals, 'failed', -1);
    }
    tracked.item = {
      ...tracked.item,
      filename: activity.filename,
      size: activity.size,
      received: activity.received,
      state: this.displayState(activity, tracked),
      updatedAt: activity.updatedAt,
      ...(activity.path ? { path: activity.path } : {}),
    };
    if (activity.error) tracked.item.error = activity.error;
    else delete tracked.item.error;
    if (activity.state === 'interrupted') tracked.interrupted = true;
    if (activity.state === 'stored') this.count(device.totals, 'stored', 1, activity.size);
    if (activity.state === 'duplicate') this.count(device.totals, 'duplicates', 1);
    if (activity.state === 'failed' && !wasFailed) this.count(device.totals, 'failed', 1);
    this.uploads.set(activity.key, tracked);
    this.trimFinished(activity.deviceId);
  }

  private displayState(activity: UploadActivity, tracked: Tracked): QueueState {
    switch (activity.state) {
      case 'interrupted':
        return 'waiting';
      case 'receiving':
        return tracked.item.retries > 0 ? 'retrying' : 'receiving';
      default:
        return activity.state;
    }
  }

  private count(totals: SessionTotals, field: 'stored' | 'duplicates' | 'failed', by: number, bytes = 0): void {
    totals[field] += by;
    this.session[field] += by;
    if (field === 'stored') {
      totals.storedBytes += bytes;
      this.session.storedBytes += bytes;
    }
  }

  private device(id: string, name: string): { name: string; totals: SessionTotals } {
    let device = this.devices.get(id);
    if (!device) {
      device = { name, totals: emptyTotals() };
      this.devices.set(id, device);
    }
    device.name = name;
    return device;
  }

  private trimFinished(deviceId: string): void {
    const finished = [...this.uploads.values()].filter((t) => t.item.deviceId === deviceId && FINAL.has(t.item.state));
    if (finished.length <= KEEP_FINISHED) return;
    finished.sort((a, b) => a.item.updatedAt.localeCompare(b.item.updatedAt));
    for (const t of finished.slice(0, finished.length - KEEP_FINISHED)) this.uploads.delete(t.item.key);
  }

  /** Forgets finished rows; totals stay. */
  clearFinished(): void {
    for (const [key, t] of this.uploads) if (FINAL.has(t.item.state)) this.uploads.delete(key);
  }

  /** Marks every open upload of a device failed (it was revoked: its connections are closed). */
  failDevice(deviceId: string, error: NonNullable<QueueItem['error']>): void {
    this.revoked.add(deviceId);
    const device = this.devices.get(deviceId);
    for (const t of this.uploads.values()) {
      if (t.item.deviceId !== deviceId || FINAL.has(t.item.state)) continue;
      t.item = { ...t.item, state: 'failed', error, updatedAt: new Date(this.now()).toISOString() };
      if (device) this.count(device.totals, 'failed', 1);
    }
  }

  /** A device paired (again): its reports count normally. */
  devicePaired(deviceId: string): void {
    this.revoked.delete(deviceId);
  }

  /** Renames a device's rows (the registry is the source of names). */
  setDeviceName(id: string, name: string): void {
    const device = this.devices.get(id);
    if (device) device.name = name;
  }

  isUploading(deviceId: string): boolean {
    for (const t of this.uploads.values())
      if (t.item.deviceId === deviceId && !FINAL.has(t.item.state) && t.item.state !== 'waiting') return true;
    return false;
  }

  snapshot(): QueueSnapshot {
    const now = this.now();
    const byDevice = new Map<string, QueueItem[]>();
    for (const t of this.uploads.values()) {
      const moving = !FINAL.has(t.item.state) && t.item.state !== 'waiting' && now - t.lastAt < STALL_MS;
      const speed = moving ? t.speed : 0;
      const left = t.item.size - t.item.received;
      const item: QueueItem = {
        ...t.item,
        bytesPerSecond: speed,
        etaSeconds: speed > 0 ? left / speed : FINAL.has(t.item.state) ? 0 : null,
      };
      const list = byDevice.get(t.item.deviceId) ?? [];
      list.push(item);
      byDevice.set(t.item.deviceId, list);
    }
    const devices: DeviceQueue[] = [...this.devices.entries()].map(([deviceId, device]) => {
      const items = (byDevice.get(deviceId) ?? []).sort(compareItems);
      const open = items.filter((i) => !FINAL.has(i.state));
      const bytesPerSecond = open.reduce((sum, i) => sum + i.bytesPerSecond, 0);
      const left = open.reduce((sum, i) => sum + (i.size - i.received), 0);
      const state = open.length === 0 ? 'idle' : open.every((i) => i.state === 'waiting') ? 'paused' : 'active';
      return {
        deviceId,
        deviceName: device.name,
        state,
        items: items.slice(0, 500),
        totals: { ...device.totals },
        bytesPerSecond,
        etaSeconds: bytesPerSecond > 0 ? left / bytesPerSecond : null,
      };
    });
    devices.sort((a, b) => rank(a.state) - rank(b.state) || a.deviceName.localeCompare(b.deviceName));
    return { devices, session: { ...this.session, startedAt: this.startedAt } };
  }
}

const ORDER: Record<QueueState, number> = {
  receiving: 0,
  retrying: 0,
  verifying: 1,
  waiting: 2,
  failed: 3,
  stored: 4,
  duplicate: 4,
};

function compareItems(a: QueueItem, b: QueueItem): number {
  return (
    ORDER[a.state] - ORDER[b.state] || b.updatedAt.localeCompare(a.updatedAt) || a.filename.localeCompare(b.filename)
  );
}

function rank(state: DeviceQueue['state']): number {
  return state === 'active' ? 0 : state === 'paused' ? 1 : 2;
}
