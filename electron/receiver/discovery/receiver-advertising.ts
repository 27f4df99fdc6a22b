/**
 * Bonjour advertising of a running receiver: picks the interface, keeps the TXT record's pairing
 * flag current, and says goodbye on close. Off with --no-bonjour.
 */
import { pickInterfaceAddress, type AddressWatcher } from './address-watcher';
import { ReceiverAdvertiser } from './mdns-advertiser';

export interface AdvertisingOptions {
  name: string;
  port: number;
  receiverId: string;
  tls: boolean;
  pin: string | undefined;
  pairingOpen: boolean;
  /** The address the receiver listens on. */
  host: string;
  /** Advertise on this interface address instead of choosing one. */
  advertiseOn: string | undefined;
  watcher: AddressWatcher;
  log: (message: string) => void;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;
const ANY = new Set(['0.0.0.0', '::', '']);

/** Which IPv4 address to advertise on, or a reason why none. */
export function chooseAdvertiseAddress(
  host: string,
  advertiseOn: string | undefined,
  watcher: AddressWatcher,
): { address: string } | { reason: string } {
  if (advertiseOn) return { address: advertiseOn };
  if (LOOPBACK.test(host))
    return { reason: `the receiver listens on ${host} only (this computer), so phones cannot reach it` };
  if (!ANY.has(host))
    return host.includes(':')
      ? { reason: 'advertising on an IPv6-only address is not supported; use --advertise-on' }
      : { address: host };
  const picked = pickInterfaceAddress(watcher.snapshot());
  return picked ? { address: picked } : { reason: 'this computer has no network address right now' };
}

/** Starts advertising; resolves with the advertiser, or undefined (with a logged reason) when it can't. */
export async function startAdvertising(options: AdvertisingOptions): Promise<ReceiverAdvertiser | undefined> {
  const choice = chooseAdvertiseAddress(options.host, options.advertiseOn, options.watcher);
  if ('reason' in choice) {
    options.log(`Bonjour: not advertising: ${choice.reason}.`);
    return undefined;
  }
  const advertiser = new ReceiverAdvertiser({
    name: options.name,
    port: options.port,
    receiverId: options.receiverId,
    tls: options.tls,
    ...(options.pin ? { fp: options.pin } : {}),
    pairingOpen: options.pairingOpen,
    interfaceAddress: choice.address,
    addressWatcher: options.watcher,
  });
  advertiser.on('error', (error) => options.log(`Bonjour: ${error.message}`));
  advertiser.on('warning', (error) => options.log(`Bonjour: ${error.message}`));
  try {
    const name = await advertiser.start();
    options.log(`Bonjour: advertising "${name}" (_shoebox._tcp) on ${choice.address}.`);
    return advertiser;
  } catch (error) {
    options.log(`Bonjour: could not advertise on ${choice.address}: ${(error as Error).message}`);
    return undefined;
  }
}
