/**
 * The receiver's composition root: locks the folders, opens the stores, composes the ingest core with
 * its transports (the WebSocket stream, PhotoKit uploads), the HTTP router (http/router.ts), the
 * housekeeping (maintenance.ts) and how phones find and trust it (presence.ts), and returns the narrow
 * `Receiver` facade (receiver-api.ts). The shutdown order is in shutdown.ts. Plain Node: `shoebox
 * serve`, the app service and the tests all start it with startReceiver().
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import { MAX_CHUNK_BYTES, type Limits } from '../../shared/protocol';
import { UploadActivityTracker } from './activity/upload-activity';
import type { ReceiverConfig } from './config';
import { createAddressWatcher } from './discovery';
import { ensureBackupFolder, lockFolders, type FolderLocks } from './folder-locks';
import type { HttpRoute } from './http/route';
import { createReceiverServer, createRouter, listen, urlHost } from './http/router';
import { arrivalCaptureDate, readExifCaptureDate } from './ingest/capture-date';
import { Committer } from './ingest/committer';
import { IngestService } from './ingest/ingest-service';
import { StagingArea } from './ingest/staging-area';
import { LibraryIndex } from './library/library-index';
import { createMaintenance } from './maintenance';
import { TlsIdentity } from './trust/tls-identity';
import { DeviceRegistry } from './pairing/device-registry';
import { PairingWindow } from './pairing/pairing-window';
import { startPhotoKit } from './photokit/photokit-service';
import { startPresence } from './presence';
import type { Receiver, ReceiverEvents, ReceiverOptions } from './receiver-api';
import { abandonStart, shutDown, type ReceiverParts } from './shutdown';
import { StreamServer } from './stream/stream-server';
import { registerInternals } from './test-seam';

export type { HttpRoute } from './http/route';
export type {
  LibraryReader,
  PairingCode,
  Receiver,
  ReceiverEvents,
  ReceiverOptions,
  ReceiverTrust,
} from './receiver-api';

/** Describes a file for an index rebuild: EXIF date, else its mtime (which Shoebox set to the capture time). */
async function describeFile(absPath: string): Promise<{ captureDate: string }> {
  const exif = await readExifCaptureDate(absPath);
  if (exif) return { captureDate: exif.local };
  const stat = await fs.stat(absPath);
  return { captureDate: arrivalCaptureDate(stat.mtime).local };
}

export async function startReceiver(config: ReceiverConfig, options: ReceiverOptions = {}): Promise<Receiver> {
  await ensureBackupFolder(config.folder);
  const locks = await lockFolders(config);
  try {
    return await startOnLockedFolders(config, options, locks);
  } catch (error) {
    await locks.release();
    throw error;
  }
}

async function startOnLockedFolders(
  config: ReceiverConfig,
  options: ReceiverOptions,
  locks: FolderLocks,
): Promise<Receiver> {
  const events = new EventEmitter<ReceiverEvents>();
  const log = (message: string) => events.emit('log', message);
  for (const message of locks.takenOver) log(message);
  const devices = await DeviceRegistry.open(config.dataDir, { name: config.name, log });
  const staging = new StagingArea(config.folder);
  await staging.init();
  const index = await LibraryIndex.open({ folder: config.folder, describeFile, log });
  const pairing = new PairingWindow(options.pairing);
  const watcher = options.addressWatcher ?? createAddressWatcher();
  const identity = config.tls
    ? await TlsIdentity.create({
        dataDir: config.dataDir,
        advertisedName: () => devices.name,
        host: config.host,
        watcher,
        log,
      })
    : undefined;

  // ── The ingest core and its transports: activity and committed events are re-emitted here. ──
  const committer = new Committer(config.folder, index, staging);
  const ingest = new IngestService({
    staging,
    committer,
    maxUploadBytes: config.maxUploadBytes,
    minFreeBytes: config.minFreeBytes,
    ackEveryBytes: options.ackEveryBytes,
    ackDelayMs: options.ackDelayMs,
    freeBytes: options.freeBytes,
    spaceCheckEveryBytes: options.spaceCheckEveryBytes,
  });
  // The ingest core owns every upload's life: queue views follow it, and its committed event is the receiver's.
  const activity = new UploadActivityTracker().follow(ingest);
  activity.on('activity', (a) => events.emit('activity', a));
  ingest.on('committed', (event) => events.emit('committed', event));
  const limits: Limits = {
    maxChunkBytes: MAX_CHUNK_BYTES,
    maxUploadBytes: config.maxUploadBytes,
    maxConcurrentUploads: options.maxConcurrentUploads ?? 16,
  };
  const streams = new StreamServer(
    {
      devices,
      ingest,
      limits,
      receiverId: devices.receiverId,
      receiverName: () => devices.name,
      idleTimeoutMs: config.idleTimeoutMs,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      maxPendingBytes: options.maxPendingBytes ?? 32 * 1024 * 1024,
      log,
    },
    options.keepAliveMs,
  );
  const photokit = await startPhotoKit({
    folder: config.folder,
    devices,
    ingest,
    staging,
    maxUploadBytes: config.maxUploadBytes,
    idleTimeoutMs: config.idleTimeoutMs,
    staleUploadAgeMs: config.staleUploadAgeMs,
    log,
  });
  // ── end of the ingest block ──

  devices.on('paired', (device) => events.emit('paired', device));
  devices.on('revoked', (device) => {
    events.emit('revoked', device);
    streams.revoke(device.id);
  });

  const routes: HttpRoute[] = [photokit.route];
  const handleRequest = createRouter({ devices, pairing, identity, routes });
  const handleUpgrade = streams.handleUpgrade.bind(streams);
  const server = createReceiverServer(identity, handleRequest, handleUpgrade);

  const maintenance = createMaintenance({
    folder: config.folder,
    staging,
    index,
    ingest,
    staleUploadAgeMs: config.staleUploadAgeMs,
    pruneMissing: options.pruneMissing,
    everyMs: options.staleSweepEveryMs,
    log,
    onPruned: (removed) => events.emit('pruned', removed),
  });
  const parts: ReceiverParts = {
    maintenance,
    pairing,
    server,
    streams,
    photokit,
    ingest,
    identity,
    index,
    devices,
    locks,
  };
  let port: number;
  try {
    await maintenance.sweep();
    maintenance.start();
    port = await listen(server, config.port, config.host);
  } catch (error) {
    await abandonStart(parts);
    throw error;
  }
  const url = `${identity ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  events.emit('listening', url);
  const folderCheck = maintenance.checkFolderNow();

  const presence = await startPresence({ config, port, devices, pairing, identity, watcher, log });
  pairing.on('opened', (code, expiresAt) => {
    presence.pairingChanged(true);
    events.emit('pairing-opened', code, expiresAt);
  });
  pairing.on('closed', (reason) => {
    presence.pairingChanged(false);
    events.emit('pairing-closed', reason);
  });
  if (options.openPairing ?? true) pairing.open();

  let closing: Promise<void> | undefined;
  const library = {
    totals: () => index.totals(),
    getBySha: (sha: string) => index.getBySha(sha),
    getByPath: (rel: string) => index.getByPath(rel),
    getAssetResources: (id: string) => index.getAssetResources(id),
    listResources: (page: { offset: number; limit: number }) => index.listResources(page),
  };
  const receiver: Receiver = {
    url,
    port,
    host: config.host,
    receiverId: devices.receiverId,
    config,
    events,
    trust: presence.trust,
    library,
    get name() {
      return devices.name;
    },
    get advertiser() {
      return presence.advertiser;
    },
    listDevices: () => devices.list(),
    device: (id) => devices.get(id),
    revokeDevice: (id) => devices.revoke(id),
    get pairingCode() {
      return pairing.current;
    },
    openPairing: () => pairing.open(),
    closePairing: (reason = 'closed') => pairing.close(reason),
    handleRequest,
    handleUpgrade,
    activeUploads: () => activity.list(),
    rename: presence.rename,
    folderCheck,
    close: () => (closing ??= shutDown(parts, presence)),
  };
  registerInternals(receiver, { devices, pairing, index, staging });
  return receiver;
}
