/**
 * Finds Shoebox receivers on the LAN with DNS-SD (`_shoebox._tcp`), Node only. Everything read
 * from the network is validated: a malformed advertisement is reported as 'invalid', never used.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type Bonjour from 'bonjour-service';
import { SERVICE_PROTOCOL, SERVICE_TYPE } from './constants';
import { createInterfaceBonjour, type InterfaceBonjour, type MdnsRecord } from './interface-bonjour.nodejs';
import { decodeTxtStrings, parseReceiverTxt, type ReceiverPaths } from './txt-record';

export interface DiscoveredReceiver {
  /** The DNS-SD instance name, e.g. "Shoebox on Mary's Mac". */
  name: string;
  /** SRV target host name, e.g. `marys-mac.local`. */
  host: string;
  /** The host's addresses from the A/AAAA records (or the answer's source address). */
  addresses: string[];
  port: number;
  receiverId: string;
  /** SPKI pin of the receiver's TLS certificate (absent only when tls is false). */
  fp?: string;
  pairingOpen: boolean;
  tls: boolean;
  paths: ReceiverPaths;
  protocolVersion: number;
}

export interface BrowseOptions {
  /** IPv4 address of the local interface to browse on (never all interfaces). */
  interfaceAddress: string;
  bindAddress?: string;
  /** mDNS port, 5353 unless testing. */
  mdnsPort?: number;
}

export interface ReceiverWatchEvents {
  up: [receiver: DiscoveredReceiver];
  update: [receiver: DiscoveredReceiver];
  down: [receiver: DiscoveredReceiver];
  invalid: [problem: { name: string; reason: string }];
  error: [err: Error];
}

type BonjourService = Bonjour.Service & { rawTxt?: unknown };

const MAX_REQUERY_MS = 60_000;

function sameDnsName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

/** Turns one bonjour-service result into a validated receiver, or a reason it is unusable. */
export function toDiscoveredReceiver(service: BonjourService): DiscoveredReceiver | string {
  const { name, host, port } = service;
  if (typeof name !== 'string' || name.length === 0 || new TextEncoder().encode(name).length > 63)
    return 'bad instance name';
  if (typeof host !== 'string' || host.length === 0 || host.length > 255 || /[\s/]/.test(host))
    return 'bad SRV target host';
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'bad SRV port';
  const raw = Array.isArray(service.rawTxt) ? service.rawTxt.filter((b): b is Buffer => Buffer.isBuffer(b)) : [];
  if (raw.length === 0) return 'no TXT record';
  const parsed = parseReceiverTxt(decodeTxtStrings(raw));
  if (!parsed.ok) return `bad TXT record: ${parsed.error}`;
  const addresses = [...new Set((service.addresses ?? []).filter((a) => typeof a === 'string' && isIP(a) !== 0))];
  const referer = service.referer?.address;
  if (addresses.length === 0 && typeof referer === 'string' && isIP(referer) !== 0) addresses.push(referer);
  const { txt } = parsed;
  const receiver: DiscoveredReceiver = {
    name,
    host: host.replace(/\.$/, ''),
    addresses,
    port,
    receiverId: txt.receiverId,
    pairingOpen: txt.pairingOpen,
    tls: txt.tls,
    paths: txt.paths,
    protocolVersion: txt.protocolVersion,
  };
  if (txt.fp !== undefined) receiver.fp = txt.fp;
  return receiver;
}

/** A live browse: keeps the list of receivers current until stopped. */
export class ReceiverWatch extends EventEmitter<ReceiverWatchEvents> {
  private readonly mdnsHandle: InterfaceBonjour;
  private readonly browser: Bonjour.Browser;
  private readonly found = new Map<string, DiscoveredReceiver>();
  private requeryTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: BrowseOptions) {
    super();
    this.mdnsHandle = createInterfaceBonjour(
      { interfaceAddress: options.interfaceAddress, bindAddress: options.bindAddress, port: options.mdnsPort },
      { onError: (err) => this.emitError(err) },
    );
    this.mdnsHandle.mdns.on('response', (packet) => this.trackAddresses([...packet.answers, ...packet.additionals]));
    this.browser = this.mdnsHandle.bonjour.find({ type: SERVICE_TYPE, protocol: SERVICE_PROTOCOL });
    this.browser.on('up', (s) => this.consider(s as BonjourService));
    this.browser.on('txt-update', (s) => this.consider(s as BonjourService));
    this.browser.on('srv-update', (s) => this.consider(s as BonjourService));
    this.browser.on('down', (s) => this.forget(s.fqdn));
    this.scheduleRequery(1000);
  }

  receivers(): DiscoveredReceiver[] {
    return [...this.found.values()].map((r) => ({ ...r, addresses: [...r.addresses] }));
  }

  /** Sends a new PTR query now (answers arrive as events). */
  refresh(): void {
    if (!this.stopped) this.browser.update();
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      clearTimeout(this.requeryTimer);
      this.browser.stop();
      this.stopped = this.mdnsHandle.destroy();
    }
    return this.stopped;
  }

  private emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private scheduleRequery(delayMs: number): void {
    this.requeryTimer = setTimeout(() => {
      this.refresh();
      this.scheduleRequery(Math.min(delayMs * 2, MAX_REQUERY_MS));
    }, delayMs);
    this.requeryTimer.unref();
  }

  private consider(service: BonjourService): void {
    const key = String(service.fqdn).toLowerCase();
    const result = toDiscoveredReceiver(service);
    const previous = this.found.get(key);
    if (typeof result === 'string') {
      this.emit('invalid', { name: String(service.name), reason: result });
      if (previous) this.forget(key);
      return;
    }
    // Keep addresses learnt from later A/AAAA announcements.
    if (previous && sameDnsName(previous.host, result.host)) {
      result.addresses = [...new Set([...result.addresses, ...previous.addresses])];
    }
    this.found.set(key, result);
    this.emit(previous ? 'update' : 'up', result);
  }

  private forget(fqdn: string): void {
    const key = String(fqdn).toLowerCase();
    const previous = this.found.get(key);
    if (!previous) return;
    this.found.delete(key);
    this.emit('down', previous);
  }

  /** bonjour-service ignores A/AAAA changes for known services; follow them here. */
  private trackAddresses(records: MdnsRecord[]): void {
    for (const rr of records) {
      if ((rr.type !== 'A' && rr.type !== 'AAAA') || typeof rr.data !== 'string' || isIP(rr.data) === 0) continue;
      for (const receiver of this.found.values()) {
        if (!sameDnsName(receiver.host, rr.name)) continue;
        const has = receiver.addresses.includes(rr.data);
        if (rr.ttl === 0 && has) receiver.addresses = receiver.addresses.filter((a) => a !== rr.data);
        else if (rr.ttl !== 0 && !has) receiver.addresses = [...receiver.addresses, rr.data];
        else continue;
        this.emit('update', receiver);
      }
    }
  }
}

export function watchReceivers(options: BrowseOptions): ReceiverWatch {
  return new ReceiverWatch(options);
}

export interface BrowseForOptions extends BrowseOptions {
  /** How long to listen; default 3 s. */
  timeoutMs?: number;
  /** Stop as soon as a receiver with this instance name (case-insensitive) appears. */
  name?: string;
}

/** Browses for a time window (or until `name` appears) and returns the receivers found. */
export async function browseReceivers(options: BrowseForOptions): Promise<DiscoveredReceiver[]> {
  const watch = watchReceivers(options);
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 3000);
      if (options.name === undefined) return;
      const wanted = options.name.toLowerCase();
      watch.on('up', (receiver) => {
        if (receiver.name.toLowerCase() !== wanted) return;
        clearTimeout(timer);
        resolve();
      });
    });
    return watch.receivers();
  } finally {
    await watch.stop();
  }
}

/** Browses until the named receiver appears; undefined when it did not within the time. */
export async function findReceiver(
  name: string,
  options: Omit<BrowseForOptions, 'name'>,
): Promise<DiscoveredReceiver | undefined> {
  const found = await browseReceivers({ ...options, name });
  return found.find((r) => r.name.toLowerCase() === name.toLowerCase());
}
