/**
 * The window's live state: the first snapshot, then kept current by the service's events. One
 * instance, shared by every view (runes: reading a field in a template subscribes to it).
 */
import type {
  AppClient,
  AppStatus,
  ArrivalsChange,
  ConnectionState,
  DeviceInfo,
  FolderInfo,
  PairingState,
  QueueSnapshot,
} from '$shared/app-api';

export class AppState {
  status = $state<AppStatus | null>(null);
  queue = $state<QueueSnapshot | null>(null);
  devices = $state<DeviceInfo[]>([]);
  pairing = $state<PairingState | null>(null);
  folder = $state<FolderInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  loadError = $state<string | null>(null);
  /**
   * The Arrivals view while it is shown: each arrivals event, or null after a reconnect (events may have been
   * missed).
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a list of listeners, not state: nothing renders from it
  private readonly arrivalsListeners = new Set<(change: ArrivalsChange | null) => void>();

  constructor(readonly client: AppClient) {}

  async start(): Promise<void> {
    const c = this.client;
    c.on('status', (s) => (this.status = s));
    c.on('queue', (q) => (this.queue = q));
    c.on('devices', (d) => (this.devices = d));
    c.on('pairing', (p) => (this.pairing = p));
    c.on('folder', (f) => (this.folder = f));
    c.on('arrivals', (change) => {
      for (const listener of this.arrivalsListeners) listener(change);
    });
    let first = true;
    c.onConnection((state) => {
      this.connection = state;
      // After a reconnect, events may have been missed: take a fresh snapshot.
      if (state === 'connected' && !first) {
        void this.refresh();
        for (const listener of this.arrivalsListeners) listener(null);
      }
      first = false;
    });
    await this.refresh();
  }

  /** Follows the library's changes (see arrivalsListeners); returns the unsubscribe. */
  onArrivals(listener: (change: ArrivalsChange | null) => void): () => void {
    this.arrivalsListeners.add(listener);
    return () => this.arrivalsListeners.delete(listener);
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
