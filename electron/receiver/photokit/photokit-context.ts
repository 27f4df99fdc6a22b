/** What every PhotoKit handler shares: the ingest core, the resource store, in-flight requests, limits. */
import type { IncomingMessage } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import type { CommitResult } from '../ingest/committer';
import type { DeviceRegistry, DeviceSummary } from '../pairing/device-registry';
import type { KeyedLock } from '../util/keyed-lock';
import type { InFlightRegistry } from './in-flight';
import { bearerToken } from './request-headers';
import type { TransferContext } from './upload-transfer';
import type { ResourceStore } from './upload-resources';

export const PHOTOKIT_PREFIX = '/v1/photokit/';
export const UPLOADS_PREFIX = '/v1/uploads/';

export interface PhotoKitContext extends TransferContext {
  devices: DeviceRegistry;
  resources: ResourceStore;
  inFlight: InFlightRegistry;
  /** Serialises takeovers of one upload resource (HEAD, PATCH, DELETE). */
  locks: KeyedLock;
  /** Unfinished upload resources one device may hold at once. */
  maxOpenPerDevice: number;
  onCommitted: (event: { device: DeviceSummary; filename: string; result: CommitResult }) => void;
  log: (message: string) => void;
}

/** The paired device behind the request's bearer token (AUTH_FAILED / DEVICE_REVOKED otherwise). */
export function authenticate(ctx: PhotoKitContext, req: IncomingMessage): DeviceSummary {
  const device = ctx.devices.authenticate(bearerToken(req));
  ctx.devices.touch(device.id);
  return device;
}

export function unknownResource(): ShoeboxError {
  return new ShoeboxError('UNKNOWN_UPLOAD', 'No upload resource at this URL for this device: it finished long ago, expired or was cancelled. Start the upload again.');
}

export function tooLarge(maxUploadBytes: number, size: number): ShoeboxError {
  return new ShoeboxError('TOO_LARGE', `The upload is ${size} bytes; this receiver accepts at most ${maxUploadBytes} bytes per file.`);
}

export function inconsistentLength(detail: string): ShoeboxError {
  return new ShoeboxError('BAD_MESSAGE', `Inconsistent upload length: ${detail}.`);
}
