/**
 * What a running receiver offers its callers (the app layer, `shoebox serve`, tests): a narrow facade.
 * The parts behind it (device registry, pairing window, library index, staging) stay inside; a test
 * that must see them uses test-seam.ts.
 */
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { UploadActivity } from './activity/upload-activity';
import type { ReceiverConfig } from './config';
import type { AddressWatcher, ReceiverAdvertiser } from './discovery';
import type { CommittedUpload } from './ingest/ingest-events';
import type { LibraryIndex } from './library/library-index';
import type { StoredResource } from './library/types';
import type { DeviceSummary } from './pairing/device-registry';
import type { PairingWindowOptions } from './pairing/pairing-window';
import type { ReceiverTrust } from './presence';

export type { ReceiverTrust } from './presence';

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

/** The library index, read only. */
export type LibraryReader = Pick<
  LibraryIndex,
  'totals' | 'getBySha' | 'getByPath' | 'getAssetResources' | 'listResources'
>;

/** A pairing code while pairing is open. */
export interface PairingCode {
  code: string;
  expiresAt: Date;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly receiverId: string;
  /** The receiver's name (what phones show). */
  readonly name: string;
  readonly config: ReceiverConfig;
  readonly events: EventEmitter<ReceiverEvents>;
  /** TLS details; undefined with --no-tls. */
  readonly trust: ReceiverTrust | undefined;
  /** The Bonjour advertiser; undefined when off or impossible (reason logged). */
  readonly advertiser: ReceiverAdvertiser | undefined;
  /** What is in the backup folder. */
  readonly library: LibraryReader;

  /** Paired devices, revoked ones included. */
  listDevices(): DeviceSummary[];
  device(deviceId: string): DeviceSummary | undefined;
  /** Revokes a device (its connections close at once, a `revoked` event); false when it was already revoked. */
  revokeDevice(deviceId: string): Promise<boolean>;

  /** The open pairing code, or null. */
  readonly pairingCode: PairingCode | null;
  /** Opens pairing with a new code (a `pairing-opened` event). */
  openPairing(): PairingCode;
  /** Closes pairing (a `pairing-closed` event with the reason). */
  closePairing(reason?: 'withdrawn' | 'closed'): void;

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
  /**
   * The start-up check of the folder against the index: the records of files deleted by hand (also a `pruned`
   * event).
   */
  folderCheck: Promise<StoredResource[]>;
  /** Closes cleanly: clients are told to come back, open uploads stay resumable; Bonjour says goodbye. */
  close(): Promise<void>;
}
