/**
 * The window's live state: the first snapshot, then kept current by the service's events. One
 * instance, shared by every view (runes: reading a field in a template subscribes to it).
 */
import type { AppClient, AppStatus, ConnectionState, DeviceInfo, FolderInfo, PairingState, QueueSnapshot } from '$shared/app-api';

export class AppState {
  status = $state<AppStatus | null>(null);
  queue = $state<QueueSnapshot | null>(null);
  devices = $state<DeviceInfo[]>([]);
  pairing = $state<PairingState | null>(null);
  folder = $state<FolderInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  /** Bumped on every arrivals event, so the Arrivals view can merge new items. */
  arrivalsVersion = $state(0);
  /** Content hashes of files deleted from the folder by hand (the latest such event), for the Arrivals view to drop. */
  removedArrivals = $state.raw<string[]>([]);
  loadError = $state<string | null>(null);

  constructor(readonly client: AppClient) {}

  async start(): Promise<void> {
    const c = this.client;
    c.on('status', (s) => (this.status = s));
    c.on('queue', (q) => (this.queue = q));
    c.on('devices', (d) => (this.devices = d));
    c.on('pairing', (p) => (this.pairing = p));
    c.on('folder', (f) => (this.folder = f));
    c.on('arrivals', (a) => {
      if (a.removed?.length) this.removedArrivals = a.removed;
      this.arrivalsVersion += 1;
    });
    let first = true;
    c.onConnection((state) => {
      this.connection = state;
      // After a reconnect, events may have been missed: take a fresh snapshot.
      if (state === 'connected' && !first) void this.refresh();
      first = false;
    });
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const s = await this.client.call('app.snapshot', {});
      this.status = s.status;
      this.queue = s.queue;
      this.devices = s.devices;
      this.pairing = s.pairing;
      this.folder = s.folder;
      this.loadError = null;
    } catch (error) {
      this.loadError = (error as Error).message;
    }
  }
}
