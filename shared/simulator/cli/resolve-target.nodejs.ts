/**
 * Which receiver the simulator talks to, at which address, trusting which pin, with which code or
 * token: from --pair-url, from explicit --host/--port, from a receiver found by Bonjour (new
 * pairing, trust on first use), or from a saved pairing (its address refreshed by Bonjour, its pin
 * compared with the advertised one).
 */
import { pinsEqual } from '../../discovery/tls-pin.nodejs';
import type { PairingStore, SavedPairing } from '../pairing-store.nodejs';
import type { ConnectionConfig } from './connection-args.nodejs';
import { CliFailure, describeReceiver, pinMismatchMessage } from './cli-failure.nodejs';
import { connectAddress, pickReceiver, type Browse } from './discovery.nodejs';

export interface Target {
  host: string;
  port: number;
  /** Pin to check on every connection; undefined: plain HTTP/WS. */
  fp: string | undefined;
  /** Pair with this code first. */
  code: string | undefined;
  token: string | undefined;
  /** Receiver name, when known (for messages and the saved pairing). */
  name: string | undefined;
  receiverId: string | undefined;
  /** The saved pairing this target came from. */
  saved: SavedPairing | undefined;
}

export interface TargetDeps {
  store: PairingStore;
  /** Undefined without --interface: then nothing browses. */
  browse: Browse | undefined;
  warn: (line: string) => void;
}

type TargetConfig = Pick<
  ConnectionConfig,
  'host' | 'port' | 'code' | 'token' | 'fp' | 'pairUrl' | 'receiver' | 'interfaceAddress' | 'browseMs'
>;

export async function resolveTarget(config: TargetConfig, deps: TargetDeps): Promise<Target> {
  if (config.pairUrl) {
    const { host, port, fp, code, name, receiverId } = config.pairUrl;
    return { host, port, fp, code, token: undefined, name, receiverId, saved: undefined };
  }
  if (config.receiver === undefined && config.host !== undefined && config.port !== undefined) {
    return {
      host: config.host,
      port: config.port,
      fp: config.fp,
      code: config.code,
      token: config.token,
      name: undefined,
      receiverId: undefined,
      saved: undefined,
    };
  }
  if (config.code !== undefined) return discoveredForPairing(config, deps);
  return refreshSaved(await chooseSaved(config, deps.store), config, deps);
}

/** --receiver NAME --code: the advertised address, and the advertised pin unless --fp gives one (TOFU). */
async function discoveredForPairing(config: TargetConfig, deps: TargetDeps): Promise<Target> {
  const name = config.receiver!;
  if (config.host !== undefined && config.port !== undefined) {
    return {
      host: config.host,
      port: config.port,
      fp: config.fp,
      code: config.code,
      token: undefined,
      name,
      receiverId: undefined,
      saved: undefined,
    };
  }
  const where = config.interfaceAddress ?? 'no interface';
  const found = deps.browse ? pickReceiver(await deps.browse(name), name) : undefined;
  if (!found)
    throw new CliFailure(
      `no receiver named "${name}" answered on ${where} within ${config.browseMs / 1000} s (try --discover)`,
    );
  const host = connectAddress(found);
  const who = describeReceiver({ name: found.name, host, port: found.port });
  if (!found.pairingOpen)
    deps.warn(`${who} does not advertise an open pairing window: open one on the receiver if pairing fails`);
  let fp = config.fp;
  if (fp === undefined && found.tls) {
    fp = found.fp;
    deps.warn(
      `trusting the TLS pin ${fp} that ${who} advertises (trust on first use: Bonjour is not authenticated). ` +
        'Compare it with the pin the receiver shows, or pair with --pair-url from its QR code instead.',
    );
  } else if (fp === undefined) {
    deps.warn(`${who} advertises no TLS: pairing and uploads travel unencrypted`);
  }
  return {
    host,
    port: found.port,
    fp,
    code: config.code,
    token: undefined,
    name: found.name,
    receiverId: found.receiverId,
    saved: undefined,
  };
}

async function chooseSaved(config: TargetConfig, store: PairingStore): Promise<SavedPairing> {
  const list = (pairings: SavedPairing[]) =>
    pairings.map((p) => `"${p.name}" (id ${p.receiverId}, ${p.host}:${p.port})`).join(', ');
  if (config.receiver !== undefined) {
    const matches = await store.find(config.receiver);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new CliFailure(
        `several saved pairings match "${config.receiver}": give the receiver id with --receiver: ${list(matches)}`,
        2,
      );
    throw new CliFailure(
      `no saved pairing with "${config.receiver}" in ${store.file}: ` +
        'pair first (--pair-url URL, or --receiver NAME --code NNNNNN --interface ADDR)',
      2,
    );
  }
  const all = await store.list();
  if (all.length === 1) return all[0]!;
  if (all.length > 1)
    throw new CliFailure(`several saved pairings in ${store.file}: choose one with --receiver NAME: ${list(all)}`, 2);
  throw new CliFailure(
    `no saved pairing in ${store.file}: pair first with --pair-url URL (the receiver's QR code), ` +
      'or give --host/--port with --code or --token',
    2,
  );
}

/** A saved pairing; with --interface, its current address from Bonjour, refused if the advertised pin differs. */
async function refreshSaved(saved: SavedPairing, config: TargetConfig, deps: TargetDeps): Promise<Target> {
  const fp = config.fp ?? saved.fp;
  const target: Target = {
    host: config.host ?? saved.host,
    port: config.port ?? saved.port,
    fp,
    code: undefined,
    token: config.token ?? saved.token,
    name: saved.name,
    receiverId: saved.receiverId,
    saved,
  };
  if (config.host !== undefined || !deps.browse) return target;
  const found = await deps.browse(saved.name);
  const advertised = pickReceiver(found, saved.receiverId) ?? pickReceiver(found, saved.name);
  if (!advertised) {
    deps.warn(
      `"${saved.name}" did not answer on ${config.interfaceAddress}; ` +
        `trying its last address ${saved.host}:${saved.port}`,
    );
    return target;
  }
  const who = describeReceiver({ name: advertised.name, host: connectAddress(advertised), port: advertised.port });
  if (fp !== undefined && (advertised.fp === undefined || !pinsEqual(advertised.fp, fp))) {
    throw new CliFailure(
      pinMismatchMessage(who, `It advertises pin ${advertised.fp ?? '(none, no TLS)'}; the pairing has ${fp}.`),
    );
  }
  if (advertised.receiverId !== saved.receiverId) {
    throw new CliFailure(
      `${who} is not the computer you paired with ` +
        `(receiver id ${advertised.receiverId}, paired with ${saved.receiverId}): pair again`,
    );
  }
  return { ...target, host: connectAddress(advertised), port: advertised.port };
}
