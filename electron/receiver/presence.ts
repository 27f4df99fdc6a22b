/**
 * How phones see a running receiver: its Bonjour advertisement (pairing open or not), the address and
 * pin they are given for pairing (`ReceiverTrust`), and renaming, which stores the name, re-issues the
 * certificate for it and re-advertises under it (goodbye for the old name).
 */
import { buildPairingUrl } from '../../shared/discovery/pairing-url';
import type { ReceiverConfig } from './config';
import type { AddressWatcher, ReceiverAdvertiser } from './discovery';
import { urlHost } from './http/router';
import { CA_CER_PATH, MOBILECONFIG_PATH } from './http/trust-routes';
import { chooseAdvertiseAddress, startAdvertising } from './discovery/receiver-advertising';
import type { TlsIdentity } from './trust/tls-identity';
import type { DeviceRegistry } from './pairing/device-registry';
import type { PairingWindow } from './pairing/pairing-window';

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

export interface PresenceOptions {
  config: ReceiverConfig;
  /** The port listened on. */
  port: number;
  devices: DeviceRegistry;
  pairing: PairingWindow;
  identity: TlsIdentity | undefined;
  watcher: AddressWatcher;
  log: (message: string) => void;
}

export interface Presence {
  /** The Bonjour advertiser; undefined when off or impossible (reason logged). */
  readonly advertiser: ReceiverAdvertiser | undefined;
  /** TLS details for pairing; undefined with --no-tls. */
  readonly trust: ReceiverTrust | undefined;
  /** Tells the advertisement whether pairing is open. */
  pairingChanged(open: boolean): void;
  /** Stores the name, re-issues the certificate and re-advertises; resolves with the name advertised. One at a time. */
  rename: (name: string) => Promise<string>;
  /** Bonjour goodbye. */
  stop(): Promise<void>;
}

/** Advertises (when Bonjour is on) and describes the receiver for pairing. */
export async function startPresence({
  config,
  port,
  devices,
  pairing,
  identity,
  watcher,
  log,
}: PresenceOptions): Promise<Presence> {
  const advertise = () =>
    startAdvertising({
      name: devices.name,
      port,
      receiverId: devices.receiverId,
      tls: identity !== undefined,
      pin: identity?.pin,
      pairingOpen: pairing.isOpen,
      host: config.host,
      advertiseOn: config.advertiseOn,
      watcher,
      log,
    });
  let advertiser = config.bonjour ? await advertise() : undefined;

  const advertised = chooseAdvertiseAddress(config.host, config.advertiseOn, watcher);
  const phoneHost = 'address' in advertised ? advertised.address : urlHost(config.host).replace(/^\[|\]$/g, '');
  const trust: ReceiverTrust | undefined = identity && {
    get pin() {
      return identity.pin;
    },
    host: phoneHost,
    pairingUrl: (code: string) =>
      buildPairingUrl({
        host: phoneHost,
        port,
        receiverId: devices.receiverId,
        fp: identity.pin,
        code,
        name: devices.name,
      }),
    caCerPath: CA_CER_PATH,
    profilePath: MOBILECONFIG_PATH,
  };

  let renaming: Promise<string> = Promise.resolve(devices.name);
  return {
    get advertiser() {
      return advertiser;
    },
    trust,
    pairingChanged: (open) => advertiser?.update({ pairingOpen: open }),
    rename: (name) => {
      renaming = renaming
        .catch(() => devices.name)
        .then(async () => {
          await devices.setName(name);
          await identity?.refresh();
          if (advertiser) {
            await advertiser.stop().catch((error: Error) => log(`Bonjour: ${error.message}`));
            advertiser = await advertise();
          }
          return advertiser?.name ?? devices.name;
        });
      return renaming;
    },
    stop: async () => {
      await advertiser?.stop().catch((error: Error) => log(`Bonjour: ${error.message}`));
    },
  };
}
