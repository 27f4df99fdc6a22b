/** Valid app-API data for the shell's tests (every builder passes the contract's schemas). */
import type {
  AppStatus,
  Arrival,
  DeviceInfo,
  DeviceQueue,
  FolderInfo,
  PairingState,
  QueueItem,
  QueueSnapshot,
} from '../../../shared/app-api';

const NOW = '2025-11-23T10:00:00.000Z';

export function status(over: Partial<AppStatus> = {}): AppStatus {
  return {
    receiverName: 'Desk',
    receiverId: 'r1',
    listeningUrl: 'http://127.0.0.1:47120',
    tls: false,
    banner: null,
    simulatorBaseUrl: null,
    busy: null,
    ...over,
  };
}

export function item(over: Partial<QueueItem> = {}): QueueItem {
  return {
    key: 'k1',
    deviceId: 'd1',
    filename: 'IMG_0001.HEIC',
    size: 1000,
    received: 500,
    state: 'receiving',
    bytesPerSecond: 2_000_000,
    etaSeconds: 1,
    retries: 0,
    updatedAt: NOW,
    ...over,
  };
}

export function deviceQueue(over: Partial<DeviceQueue> = {}): DeviceQueue {
  return {
    deviceId: 'd1',
    deviceName: "Ana's iPhone",
    state: 'active',
    items: [item()],
    totals: { stored: 0, storedBytes: 0, duplicates: 0, failed: 0, receivedBytes: 0 },
    bytesPerSecond: 2_000_000,
    etaSeconds: 1,
    ...over,
  };
}

export function queue(devices: DeviceQueue[] = [], stored = 0): QueueSnapshot {
  return { devices, session: { stored, storedBytes: 0, duplicates: 0, failed: 0, receivedBytes: 0, startedAt: NOW } };
}

export function folder(over: Partial<FolderInfo> = {}): FolderInfo {
  return {
    path: '/home/ana/Pictures/Shoebox',
    freeBytes: 100e9,
    totalBytes: 500e9,
    lowSpaceThresholdBytes: 2e9,
    lowSpace: false,
    items: 10,
    bytes: 1e7,
    ...over,
  };
}

export function pairing(over: Partial<PairingState> = {}): PairingState {
  return {
    open: false,
    code: null,
    expiresAt: null,
    pairingUrl: null,
    qrSvg: null,
    profileUrl: null,
    caCertUrl: null,
    receiverName: 'Desk',
    host: '127.0.0.1',
    port: 47120,
    ...over,
  };
}

export function device(over: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    id: 'd1',
    name: "Ana's iPhone",
    pairedAt: NOW,
    lastSeenAt: NOW,
    revokedAt: null,
    photos: 0,
    bytes: 0,
    uploading: false,
    ...over,
  };
}

let shaCounter = 0;
export function arrival(over: Partial<Arrival> = {}): Arrival {
  shaCounter += 1;
  return {
    sha256: shaCounter.toString(16).padStart(64, '0'),
    path: `2025/2025-11/IMG_${shaCounter}.HEIC`,
    filename: `IMG_${shaCounter}.HEIC`,
    size: 1000,
    kind: 'photo',
    captureDate: '2025-11-23T09:00:00',
    storedAt: NOW,
    deviceName: "Ana's iPhone",
    ...over,
  };
}
