/**
 * The receiver: one HTTPS (or, when the user says so, plain HTTP) server carrying GET /v1/info,
 * POST /v1/pair, the trust downloads and the WebSocket endpoint /v1/stream, on top of staging, the
 * committer, the library index and the device registry; advertised by Bonjour. Plain Node: the
 * headless CLI and the Electron shell both start it with startReceiver().
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { MAX_CHUNK_BYTES, PATHS, ShoeboxError, type Limits } from '../../shared/protocol';
import { buildPairingUrl } from '../../shared/discovery/pairing-url';
import { UploadActivityTracker, type UploadActivity } from './activity/upload-activity';
import type { ReceiverConfig } from './config';
import { ensureBackupFolder, lockFolders, type FolderLocks } from './folder-locks';
import { createAddressWatcher, type AddressWatcher, type ReceiverAdvertiser } from './discovery';
import { handleInfo, handlePair } from './http/routes';
import { requestUrl, sendError } from './http/http-utils';
import { handleTrust } from './http/trust-routes';
import { arrivalCaptureDate, readExifCaptureDate } from './ingest/capture-date';
import { Committer } from './ingest/committer';
import type { CommittedUpload } from './ingest/ingest-events';
import { IngestService } from './ingest/ingest-service';
import { StagingArea } from './ingest/staging-area';
import { LibraryIndex } from './library/library-index';
import { pruneMissingFiles } from './library/prune-missing';
import type { StoredResource } from './library/types';
import { chooseAdvertiseAddress, startAdvertising } from './network/advertising';
import { TlsIdentity } from './network/tls-identity';
import { DeviceRegistry, type DeviceSummary } from './pairing/device-registry';
import { PairingWindow, type PairingWindowOptions } from './pairing/pairing-window';
import { startPhotoKit } from './photokit/photokit-service';
import { StreamServer } from './stream/stream-server';

/** An HTTP endpoint group: answers the request and returns true, or returns false to pass it on. */
export type { HttpRoute } from './http/route';
import type { HttpRoute } from './http/route';

export interface ReceiverEvents {
  listening: [url: string];
  committed: [event: CommittedUpload];
  activity: [activity: UploadActivity];
  'pairing-opened': [code: string, expiresAt: Date];
  'pairing-closed': [reason: string];
  paired: [device: DeviceSummary];
  revoked: [device: DeviceSummary];
  log: [message: string];
  /** Files found deleted from the backup folder by hand, now gone from the index. */
  pruned: [removed: StoredResource[]];
}

/** Knobs tests and the shell may turn beyond the user-facing configuration. */
export interface ReceiverOptions {
  freeBytes?: (dir: string) => Promise<number>;
  helloTimeoutMs?: number;
  ackEveryBytes?: number;
  ackDelayMs?: number;
  maxConcurrentUploads?: number;
  maxPendingBytes?: number;
  pairing?: PairingWindowOptions;
  /** Open a pairing code at start (default true). */
  openPairing?: boolean;
  staleSweepEveryMs?: number;
  spaceCheckEveryBytes?: number;
  /** Check at start that every indexed file is still in the folder, forgetting those deleted by hand (default on). */
  pruneMissing?: boolean;
  keepAliveMs?: number;
  /** Network address watching (tests inject a fake). */
  addressWatcher?: AddressWatcher;
}

export interface ReceiverTrust {
  /** SPKI pin of the server certificate (what the QR code and TXT carry). */
  pin: string;
  /** The address phones should use (advertised interface, or the listening address). */
  host: string;
  /** `shoebox://pair?...` for a pairing code, for QR codes. */
  pairingUrl(code: string): string;
  caCerPath: string;
  profilePath: string;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly receiverId: string;
  readonly config: ReceiverConfig;
  readonly events: EventEmitter<ReceiverEvents>;
  readonly devices: DeviceRegistry;
  readonly pairing: PairingWindow;
  readonly index: LibraryIndex;
  readonly staging: StagingArea;
  /** TLS details; undefined with --no-tls. */
  readonly trust: ReceiverTrust | undefined;
  /** The Bonjour advertiser; undefined when off or impossible (reason logged). */
  readonly advertiser: ReceiverAdvertiser | undefined;
  /** The receiver's HTTP handler, to mount on another server (e.g. the local UI server's loopback port). */
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** The receiver's WebSocket upgrade handler, likewise. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Uploads in progress right now (for a queue view). */
  activeUploads(): UploadActivity[];
  /**
   * Renames the receiver (what phones show): stored, the certificate re-issued for the new name, and
   * Bonjour re-advertised under it (goodbye for the old name). Resolves with the name advertised.
   */
  rename(name: string): Promise<string>;
  /** The start-up check of the folder against the index: the records of files deleted by hand (also a `pruned` event). */
  folderCheck: Promise<StoredResource[]>;
  /** Closes cleanly: clients are told to come back, open uploads stay resumable; Bonjour says goodbye. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Describes a file for an index rebuild: EXIF date, else its mtime (which Shoebox set to the capture time). */
async function describeFile(absPath: string): Promise<{ captureDate: string }> {
  const exif = await readExifCaptureDate(absPath);
  if (exif) return { captureDate: exif.local };
  const stat = await fs.stat(absPath);
  return { captureDate: arrivalCaptureDate(stat.mtime).local };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
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

async function startOnLockedFolders(config: ReceiverConfig, options: ReceiverOptions, locks: FolderLocks): Promise<Receiver> {
  const events = new EventEmitter<ReceiverEvents>();
  const log = (message: string) => events.emit('log', message);
  for (const message of locks.takenOver) log(message);
  const devices = await DeviceRegistry.open(config.dataDir, { name: config.name, log });
  const staging = new StagingArea(config.folder);
  await staging.init();
  const index = await LibraryIndex.open({ folder: config.folder, describeFile, log });
  const committer = new Committer(config.folder, index, staging);
  const ingest = new IngestService({
    staging, committer, maxUploadBytes: config.maxUploadBytes, minFreeBytes: config.minFreeBytes,
    ackEveryBytes: options.ackEveryBytes, ackDelayMs: options.ackDelayMs, freeBytes: options.freeBytes, spaceCheckEveryBytes: options.spaceCheckEveryBytes,
  });
  // The ingest core owns every upload's life: queue views follow it, and its committed event is the receiver's.
  const activity = new UploadActivityTracker().follow(ingest);
  activity.on('activity', (a) => events.emit('activity', a));
  ingest.on('committed', (event) => events.emit('committed', event));
  const pairing = new PairingWindow(options.pairing);
  const watcher = options.addressWatcher ?? createAddressWatcher();
  const identity = config.tls ? await TlsIdentity.create({ dataDir: config.dataDir, advertisedName: () => devices.name, host: config.host, watcher, log }) : undefined;

  const limits: Limits = { maxChunkBytes: MAX_CHUNK_BYTES, maxUploadBytes: config.maxUploadBytes, maxConcurrentUploads: options.maxConcurrentUploads ?? 16 };
  const streams = new StreamServer({
    devices, ingest, limits, receiverId: devices.receiverId, receiverName: () => devices.name,
    idleTimeoutMs: config.idleTimeoutMs, helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    maxPendingBytes: options.maxPendingBytes ?? 32 * 1024 * 1024, log,
  }, options.keepAliveMs);
  devices.on('paired', (device) => events.emit('paired', device));
  devices.on('revoked', (device) => {
    events.emit('revoked', device);
    streams.revoke(device.id);
  });

  /** Further HTTP endpoints (e.g. PhotoKit uploads): each answers and returns true, or returns false. */
  const extraRoutes: HttpRoute[] = [];
  const photokit = await startPhotoKit({
    folder: config.folder, devices, ingest, staging, maxUploadBytes: config.maxUploadBytes, idleTimeoutMs: config.idleTimeoutMs,
    staleUploadAgeMs: config.staleUploadAgeMs, log,
  });
  extraRoutes.push(photokit.route);
  const handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = requestUrl(req);
    if (!url) return sendError(res, new ShoeboxError('BAD_MESSAGE', 'The request target must be a path starting with /.'));
    const route = `${req.method} ${url.pathname}`;
    const answer = async () => {
      if (route === `GET ${PATHS.info}`) return handleInfo(res, { receiverId: devices.receiverId, name: devices.name, pairingOpen: pairing.isOpen, tls: identity !== undefined, ...(identity ? { fp: identity.pin } : {}) });
      if (route === `POST ${PATHS.pair}`) return handlePair(req, res, { devices, pairing });
      if (handleTrust(req.method, url.pathname, res, identity, devices.name)) return;
      for (const handle of extraRoutes) if (await handle(req, res, url)) return;
      throw new ShoeboxError('NOT_FOUND', `No such endpoint: ${req.method} ${url.pathname}`);
    };
    answer().catch((error: unknown) => sendError(res, error));
  };
  const handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => streams.handleUpgrade(req, socket, head);

  const server: http.Server = identity ? https.createServer({ ...identity.secureContextOptions(), minVersion: 'TLSv1.2' }, handleRequest) : http.createServer(handleRequest);
  if (identity) identity.attach(server as https.Server);
  server.maxConnections = 512; // a phone needs a handful; this bounds what a hostile LAN client can hold open
  server.requestTimeout = 0; // a photo or video body may take long; the PhotoKit pump and JSON reads have idle limits
  server.headersTimeout = 20_000;
  server.on('upgrade', handleUpgrade);
  server.on('tlsClientError', () => undefined); // a phone that does not trust us yet; nothing to do

  const sweep = async () => {
    const { removed } = await staging.removeStale(config.staleUploadAgeMs, (key) => ingest.isActive(key));
    if (removed > 0) log(`Removed ${removed} unfinished upload(s) untouched for ${Math.round(config.staleUploadAgeMs / 86_400_000)} days.`);
  };
  await sweep();
  // The folder against the index: at start, then with every sweep (files deleted by hand while running).
  const pruneAbort = new AbortController();
  const checkFolder = (): Promise<StoredResource[]> => (options.pruneMissing ?? true)
    ? pruneMissingFiles(index, config.folder, { log, signal: pruneAbort.signal }).then(
      ({ removed }) => {
        if (removed.length > 0) events.emit('pruned', removed);
        return removed;
      },
      (error: Error) => {
        log(`Checking the backup folder against the library failed: ${error.message}`);
        return [];
      },
    )
    : Promise.resolve([]);
  let lastCheck: Promise<unknown> = Promise.resolve();
  const sweepTimer = setInterval(() => {
    lastCheck = lastCheck
      .then(() => sweep().catch((e: Error) => log(`Cleaning staging failed: ${e.message}`)))
      .then(() => (pruneAbort.signal.aborted ? undefined : checkFolder()));
  }, options.staleSweepEveryMs ?? 60 * 60_000);
  sweepTimer.unref();

  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (error) {
    clearInterval(sweepTimer);
    await photokit.close();
    identity?.close();
    await index.close();
    await devices.close();
    throw error;
  }
  const url = `${identity ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  events.emit('listening', url);
  const folderCheck = checkFolder();
  lastCheck = lastCheck.then(() => folderCheck);

  const advertise = () =>
    startAdvertising({
      name: devices.name, port, receiverId: devices.receiverId, tls: identity !== undefined, pin: identity?.pin,
      pairingOpen: pairing.isOpen, host: config.host, advertiseOn: config.advertiseOn, watcher, log,
    });
  let advertiser = config.bonjour ? await advertise() : undefined;
  pairing.on('opened', (code, expiresAt) => {
    advertiser?.update({ pairingOpen: true });
    events.emit('pairing-opened', code, expiresAt);
  });
  pairing.on('closed', (reason) => {
    advertiser?.update({ pairingOpen: false });
    events.emit('pairing-closed', reason);
  });

  const advertised = chooseAdvertiseAddress(config.host, config.advertiseOn, watcher);
  const phoneHost = 'address' in advertised ? advertised.address : urlHost(config.host).replace(/^\[|\]$/g, '');
  const trust: ReceiverTrust | undefined = identity && {
    get pin() {
      return identity.pin;
    },
    host: phoneHost,
    pairingUrl: (code: string) => buildPairingUrl({ host: phoneHost, port, receiverId: devices.receiverId, fp: identity.pin, code, name: devices.name }),
    caCerPath: '/v1/trust/ca.cer',
    profilePath: '/v1/trust/profile.mobileconfig',
  };
  if (options.openPairing ?? true) pairing.open();

  let renaming: Promise<string> = Promise.resolve(devices.name);
  const rename = (name: string): Promise<string> => {
    renaming = renaming.catch(() => devices.name).then(async () => {
      await devices.setName(name);
      await identity?.refresh();
      if (advertiser) {
        await advertiser.stop().catch((error: Error) => log(`Bonjour: ${error.message}`));
        advertiser = await advertise();
      }
      return advertiser?.name ?? devices.name;
    });
    return renaming;
  };

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      pruneAbort.abort();
      pairing.close('closed');
      server.close();
      await streams.shutdown();
      await photokit.close();
      await ingest.detachAll(new ShoeboxError('SHUTTING_DOWN', 'The receiver is shutting down.'));
      server.closeAllConnections();
      await advertiser?.stop().catch((error: Error) => log(`Bonjour: ${error.message}`));
      identity?.close();
      await lastCheck;
      await index.close();
      await devices.close();
      pairing.dispose();
      await locks.release();
    })();
    return closing;
  };

  return {
    url, port, host: config.host, receiverId: devices.receiverId, config, events, devices, pairing, index, staging, trust,
    get advertiser() {
      return advertiser;
    },
    handleRequest, handleUpgrade, activeUploads: () => activity.list(), rename, folderCheck, close,
  };
}
