/** What every PhotoKit handler shares: the ingest core, the resource store, in-flight requests, limits. */
import { ShoeboxError, type InteropVersion } from '../../../shared/protocol';
import { withProblem } from './http-io';
import { problemOf } from './resumable-protocol';
import type { DeviceRegistry } from '../pairing/device-registry';
import type { KeyedLock } from '../util/keyed-lock';
import { revokedError } from './credentials';
import type { InFlightRegistry } from './in-flight';
import type { TransferContext } from './upload-transfer';
import type { ResourceStore, UploadResource } from './upload-resources';

export interface PhotoKitContext extends TransferContext {
  devices: DeviceRegistry;
  resources: ResourceStore;
  inFlight: InFlightRegistry;
  /** Serialises takeovers of one upload resource (HEAD, PATCH, DELETE). */
  locks: KeyedLock;
  /** Unfinished upload resources one device may hold at once. */
  maxOpenPerDevice: number;
  log: (message: string) => void;
  /** Interop versions newer than this receiver speaks that a client asked for (each logged once). */
  unknownVersionsSeen: Set<number>;
}

export function unknownResource(): ShoeboxError {
  return new ShoeboxError(
    'UNKNOWN_UPLOAD',
    'No upload resource at this URL for this device: it finished long ago, ' +
      'expired or was cancelled. Start the upload again.',
  );
}

export function tooLarge(maxUploadBytes: number, size: number): ShoeboxError {
  return new ShoeboxError(
    'TOO_LARGE',
    `The upload is ${size} bytes; this receiver accepts at most ${maxUploadBytes} bytes per file.`,
  );
}

/** BAD_MESSAGE for lengths that disagree, with the inconsistent-upload-length problem where the version has it. */
export function inconsistentLength(detail: string, version?: InteropVersion): ShoeboxError {
  const error = new ShoeboxError('BAD_MESSAGE', `Inconsistent upload length: ${detail}.`);
  return version === undefined ? error : withProblem(error, problemOf(version, 'inconsistentLength'));
}

/**
 * The last check before a commit: the device is still paired (not revoked, not re-paired under another
 * id) and, for an upload resource, the resource is still open and still that device's (not cancelled).
 */
export function commitGuard(ctx: PhotoKitContext, deviceId: string, resource?: UploadResource): () => void {
  return () => {
    const refusal = revokedError(ctx.devices.get(deviceId));
    if (refusal) throw refusal;
    if (resource && (ctx.resources.get(resource.id) !== resource || resource.spec.deviceId !== deviceId))
      throw unknownResource();
  };
}
