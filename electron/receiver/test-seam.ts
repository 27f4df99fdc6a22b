/**
 * For tests only: the receiver's parts behind its facade (`Receiver`), for a test that must look at
 * staging or plant a record in the index. Nothing in electron/ but receiver.ts imports this module
 * (build/dependency-cruiser.cjs: receiver-test-seam); the app and the shell use the facade.
 */
import type { LibraryIndex } from './library/library-index';
import type { StagingArea } from './ingest/staging-area';
import type { DeviceRegistry } from './pairing/device-registry';
import type { PairingWindow } from './pairing/pairing-window';

export interface ReceiverInternals {
  devices: DeviceRegistry;
  pairing: PairingWindow;
  index: LibraryIndex;
  staging: StagingArea;
}

const internals = new WeakMap<object, ReceiverInternals>();

/** Called by the composition root for each receiver it makes. */
export function registerInternals(receiver: object, parts: ReceiverInternals): void {
  internals.set(receiver, parts);
}

/** The parts of a receiver made by startReceiver(). */
export function receiverInternals(receiver: object): ReceiverInternals {
  const parts = internals.get(receiver);
  if (!parts) throw new Error('Not a receiver made by startReceiver().');
  return parts;
}
