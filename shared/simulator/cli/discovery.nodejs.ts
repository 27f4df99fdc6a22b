/**
 * Bonjour for the simulator CLI: browse `_shoebox._tcp` on the one interface the user named (never
 * on every interface), list what answered, pick the address to connect to.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import { browseReceivers, type DiscoveredReceiver } from '../../discovery/receiver-browser.nodejs';
import type { SavedPairing } from '../pairing-store.nodejs';
import { CliFailure, describeReceiver } from './cli-failure.nodejs';

/** Browses for a while; with a name, stops as soon as a receiver of that name answers. */
export type Browse = (name?: string) => Promise<DiscoveredReceiver[]>;

export function browserOn(interfaceAddress: string, timeoutMs: number): Browse {
  return async (name) => {
    const local = Object.values(os.networkInterfaces()).flatMap((infos) => (infos ?? []).map((info) => info.address));
    if (!local.includes(interfaceAddress))
      throw new CliFailure(`--interface ${interfaceAddress} is not an address of this computer`, 2);
    return browseReceivers({ interfaceAddress, timeoutMs, ...(name !== undefined ? { name } : {}) });
  };
}

/** The receiver found by `nameOrId`: a receiver id match first, then the instance name (case-insensitive). */
export function pickReceiver(found: DiscoveredReceiver[], nameOrId: string): DiscoveredReceiver | undefined {
  return (
    found.find((r) => r.receiverId === nameOrId) ?? found.find((r) => r.name.toLowerCase() === nameOrId.toLowerCase())
  );
}

/** An address to connect to: IPv4 first (what the advertiser publishes), else the SRV host name. */
export function connectAddress(receiver: DiscoveredReceiver): string {
  return receiver.addresses.find((a) => isIP(a) === 4) ?? receiver.addresses[0] ?? receiver.host;
}

export function formatDiscovered(receiver: DiscoveredReceiver, saved: boolean): string {
  const fields = [
    describeReceiver({ name: receiver.name, host: connectAddress(receiver), port: receiver.port }),
    `id=${receiver.receiverId}`,
    `pairing=${receiver.pairingOpen ? 'open' : 'closed'}`,
    `tls=${receiver.tls ? 'yes' : 'no'}`,
    ...(receiver.fp ? [`fp=${receiver.fp}`] : []),
    ...(saved ? ['(paired)'] : []),
  ];
  return fields.join('  ');
}

export interface ListOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** --discover: one line per receiver on stdout; exit 0 when some answered, 1 when none did. */
export async function listReceivers(
  browse: Browse,
  io: ListOutput,
  where: string,
  saved: SavedPairing[],
): Promise<number> {
  io.stderr.write(`browsing _shoebox._tcp on ${where}...\n`);
  const found = await browse();
  if (found.length === 0) {
    io.stderr.write(`no Shoebox receiver answered on ${where}\n`);
    return 1;
  }
  for (const receiver of found.sort((a, b) => a.name.localeCompare(b.name))) {
    io.stdout.write(
      `${formatDiscovered(
        receiver,
        saved.some((p) => p.receiverId === receiver.receiverId),
      )}\n`,
    );
  }
  return 0;
}
