/**
 * The order a receiver closes in, so that uploads stay resumable: no new connections first, then the
 * transports tell their clients to come back (WebSocket `shutdown`, PhotoKit hang-ups), then the
 * ingest core lets go of every lease (partials stay in staging), and only when nothing writes any
 * more do the index, the device registry and the folder locks close.
 */
import type http from 'node:http';
import { ShoeboxError } from '../../shared/protocol';
import type { FolderLocks } from './folder-locks';
import type { IngestService } from './ingest/ingest-service';
import type { LibraryIndex } from './library/library-index';
import type { Maintenance } from './maintenance';
import type { TlsIdentity } from './trust/tls-identity';
import type { DeviceRegistry } from './pairing/device-registry';
import type { PairingWindow } from './pairing/pairing-window';
import type { PhotoKitEndpoints } from './photokit/photokit-service';
import type { Presence } from './presence';
import type { StreamServer } from './stream/stream-server';

export interface ReceiverParts {
  maintenance: Maintenance;
  pairing: PairingWindow;
  server: http.Server;
  streams: StreamServer;
  photokit: PhotoKitEndpoints;
  ingest: IngestService;
  identity: TlsIdentity | undefined;
  index: LibraryIndex;
  devices: DeviceRegistry;
  locks: FolderLocks;
}

/** Closes a running receiver, in order. */
export async function shutDown(parts: ReceiverParts, presence: Presence): Promise<void> {
  const { maintenance, pairing, server, streams, photokit, ingest, identity, index, devices, locks } = parts;
  maintenance.stop();
  pairing.close('closed');
  server.close();
  await streams.shutdown();
  await photokit.close();
  await ingest.detachAll(new ShoeboxError('SHUTTING_DOWN', 'The receiver is shutting down.'));
  server.closeAllConnections();
  await presence.stop();
  identity?.close();
  await maintenance.idle();
  await index.close();
  await devices.close();
  pairing.dispose();
  await locks.release();
}

/** Undoes a start that failed to listen (nothing was connected or advertised yet; the caller releases the locks). */
export async function abandonStart(
  parts: Pick<ReceiverParts, 'maintenance' | 'photokit' | 'identity' | 'index' | 'devices'>,
): Promise<void> {
  parts.maintenance.stop();
  await parts.photokit.close();
  parts.identity?.close();
  await parts.index.close();
  await parts.devices.close();
}
