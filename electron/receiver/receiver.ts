/**
 * The receiver: one HTTP server carrying GET /v1/info, POST /v1/pair and the WebSocket endpoint
 * /v1/stream, on top of staging, the committer, the library index and the device registry.
 * Plain Node: the headless CLI and the Electron shell both start it with startReceiver().
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  CHUNK_HEADER_BYTES, MAX_CHUNK_BYTES, PATHS, ShoeboxError, type Limits,
} from '../../shared/protocol';
import type { ReceiverConfig } from './config';
import { handleInfo, handlePair } from './http/routes';
import { sendError } from './http/http-utils';
import { arrivalCaptureDate, readExifCaptureDate } from './ingest/capture-date';
import { Committer, type CommitResult } from './ingest/committer';
import { IngestService } from './ingest/ingest-service';
import { StagingArea } from './ingest/staging-area';
import { LibraryIndex } from './library/library-index';
import { DeviceRegistry, type DeviceSummary } from './pairing/device-registry';
import { PairingWindow, type PairingWindowOptions } from './pairing/pairing-window';
import { StreamConnection } from './stream/stream-connection';

/** An HTTP endpoint group: answers the request and returns true, or returns false to pass it on. */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;

export interface ReceiverEvents {
  listening: [url: string];
  committed: [event: { device: DeviceSummary; filename: string; result: CommitResult }];
  'pairing-opened': [code: string, expiresAt: Date];
  'pairing-closed': [reason: string];
  paired: [device: DeviceSummary];
  revoked: [device: DeviceSummary];
  log: [message: string];
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
  keepAliveMs?: number;
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
  /** Closes cleanly: clients are told to come back, open uploads stay resumable. */
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

export async function startReceiver(config: ReceiverConfig, options: ReceiverOptions = {}): Promise<Receiver> {
  const events = new EventEmitter<ReceiverEvents>();
  const log = (message: string) => events.emit('log', message);
  await fs.mkdir(config.folder, { recursive: true });
  const devices = await DeviceRegistry.open(config.dataDir, { name: config.name, log });
  const staging = new StagingArea(config.folder);
  await staging.init();
  const index = await LibraryIndex.open({ folder: config.folder, describeFile, log });
  const committer = new Committer(config.folder, index, staging);
  const ingest = new IngestService({
    folder: config.folder, index, staging, committer, maxUploadBytes: config.maxUploadBytes, minFreeBytes: config.minFreeBytes,
    ackEveryBytes: options.ackEveryBytes, ackDelayMs: options.ackDelayMs, freeBytes: options.freeBytes,
  });
  const pairing = new PairingWindow(options.pairing);
  pairing.on('opened', (code, expiresAt) => events.emit('pairing-opened', code, expiresAt));
  pairing.on('closed', (reason) => events.emit('pairing-closed', reason));
  devices.on('paired', (device) => events.emit('paired', device));

  const limits: Limits = {
    maxChunkBytes: MAX_CHUNK_BYTES,
    maxUploadBytes: config.maxUploadBytes,
    maxConcurrentUploads: options.maxConcurrentUploads ?? 16,
  };
  const connections = new Set<StreamConnection>();
  devices.on('revoked', (device) => {
    events.emit('revoked', device);
    for (const connection of connections) if (connection.device?.id === device.id) connection.revoke();
  });

  /** Further HTTP endpoints (e.g. PhotoKit uploads): each answers and returns true, or returns false. */
  const extraRoutes: HttpRoute[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const route = `${req.method} ${url.pathname}`;
    const answer = async () => {
      if (route === `GET ${PATHS.info}`) return handleInfo(res, { receiverId: devices.receiverId, name: devices.name, pairingOpen: pairing.isOpen });
      if (route === `POST ${PATHS.pair}`) return handlePair(req, res, { devices, pairing });
      for (const handle of extraRoutes) if (await handle(req, res, url)) return;
      throw new ShoeboxError('NOT_FOUND', `No such endpoint: ${req.method} ${url.pathname}`);
    };
    answer().catch((error: unknown) => sendError(res, error));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: CHUNK_HEADER_BYTES + MAX_CHUNK_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    if (path !== PATHS.stream) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      const connection = new StreamConnection(ws, {
        devices, ingest, limits, receiverId: devices.receiverId, receiverName: () => devices.name,
        idleTimeoutMs: config.idleTimeoutMs, helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
        maxPendingBytes: options.maxPendingBytes ?? 32 * 1024 * 1024,
        onCommitted: (event) => events.emit('committed', event), log,
      }, remote);
      connections.add(connection);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const keepAlive = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, options.keepAliveMs ?? 30_000);
      keepAlive.unref();
      ws.on('close', () => {
        clearInterval(keepAlive);
        connections.delete(connection);
      });
    });
  });

  const sweep = async () => {
    const removed = await staging.removeStale(config.staleUploadAgeMs, (key) => ingest.isActive(key));
    const staged = new Set((await staging.list()).map((s) => s.key));
    for (const upload of index.listUploads()) if (!staged.has(upload.key) && !ingest.isActive(upload.key)) index.removeUpload(upload.key);
    if (removed > 0) log(`Removed ${removed} unfinished upload(s) untouched for ${Math.round(config.staleUploadAgeMs / 86_400_000)} days.`);
  };
  await sweep();
  const sweepTimer = setInterval(() => void sweep().catch((e: Error) => log(`Cleaning staging failed: ${e.message}`)), options.staleSweepEveryMs ?? 60 * 60_000);
  sweepTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(config.host)}:${port}`;
  events.emit('listening', url);
  if (options.openPairing ?? true) pairing.open();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      pairing.close('closed');
      server.close();
      for (const connection of connections) connection.shutdown();
      await Promise.all([...connections].map((c) => c.release()));
      await ingest.detachAll(new ShoeboxError('SHUTTING_DOWN', 'The receiver is shutting down.'));
      wss.close();
      server.closeAllConnections();
      await index.close();
      await devices.close();
      pairing.dispose();
    })();
    return closing;
  };

  return { url, port, host: config.host, receiverId: devices.receiverId, config, events, devices, pairing, index, staging, close };
}
