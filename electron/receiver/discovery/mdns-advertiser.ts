/**
 * Advertises the receiver as `_shoebox._tcp` on one interface with bonjour-service's mDNS socket
 * and query responder. Probing, announcing, updates and goodbyes are done here (see
 * mdns-records.ts and name-probe.ts for why). Not creating one is how `--no-bonjour` works.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_PATHS, DEFAULT_PROTOCOL_VERSION } from '../../../shared/discovery/constants';
import {
  createInterfaceBonjour,
  type InterfaceBonjour,
  type MdnsRecord,
} from '../../../shared/discovery/interface-bonjour.nodejs';
import { encodeReceiverTxt, type ReceiverPaths } from '../../../shared/discovery/txt-record';
import { localHostName } from '../trust/names';
import {
  type AddressWatcher,
  createAddressWatcher,
  interfaceNameOf,
  lanAddresses,
  type InterfaceSnapshot,
} from './address-watcher';
import {
  addressRecord,
  buildRecords,
  goodbyeRecords,
  safeInstanceName,
  srvRecord,
  type Publication,
} from './mdns-records';
import { probeName } from './name-probe';

export interface AdvertiserOptions {
  /** The name to advertise (the computer's name by default, editable in settings). */
  name: string;
  port: number;
  receiverId: string;
  /** SPKI pin of the TLS certificate; required when tls is on. */
  fp?: string;
  tls?: boolean;
  pairingOpen?: boolean;
  paths?: Partial<ReceiverPaths>;
  /** IPv4 address of the interface to advertise on; see pickInterfaceAddress(). */
  interfaceAddress: string;
  /** Defaults to os.hostname(); the SRV target becomes `<label>.local`. */
  hostname?: string;
  addressWatcher?: AddressWatcher;
  bindAddress?: string;
  mdnsPort?: number;
  /** How many names to try: "Name", "Name (2)", ... Default 20. */
  maxNameAttempts?: number;
}

export interface AdvertiserUpdate {
  pairingOpen?: boolean;
  fp?: string;
  tls?: boolean;
  port?: number;
}

export interface AdvertiserEvents {
  advertised: [name: string];
  /** The advertised addresses changed and were announced. */
  addresses: [addresses: string[]];
  error: [err: Error];
  warning: [err: Error];
}

type State = 'idle' | 'probing' | 'advertised' | 'stopped';
const REANNOUNCE_DELAY_MS = 1000;

export class ReceiverAdvertiser extends EventEmitter<AdvertiserEvents> {
  private readonly options: AdvertiserOptions;
  private readonly watcher: AddressWatcher;
  private readonly settings: Required<AdvertiserUpdate>;
  private mdnsHandle: InterfaceBonjour | undefined;
  private publication: Publication | undefined;
  private records: MdnsRecord[] = [];
  private startPromise: Promise<string> | undefined;
  private stopPromise: Promise<void> | undefined;
  private failStart: ((err: Error) => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private interfaceName: string | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private current: State = 'idle';

  constructor(options: AdvertiserOptions) {
    super();
    this.options = options;
    this.watcher = options.addressWatcher ?? createAddressWatcher();
    this.settings = {
      pairingOpen: options.pairingOpen ?? false,
      fp: options.fp ?? '',
      tls: options.tls ?? true,
      port: options.port,
    };
    this.txt(); // validate now rather than on the network
  }

  get state(): State {
    return this.current;
  }

  /** The name actually advertised, after conflicts were resolved. */
  get name(): string | undefined {
    return this.publication?.instanceName;
  }

  get addresses(): string[] {
    return [...(this.publication?.addresses ?? [])];
  }

  /** Probes for a free name, announces, and resolves with the name advertised. */
  start(): Promise<string> {
    this.startPromise ??= new Promise<string>((resolve, reject) => {
      this.failStart = reject;
      this.run().then(resolve, reject);
    }).catch(async (err: unknown) => {
      await this.stop(); // a failed start leaves no socket behind
      throw err;
    });
    return this.startPromise;
  }

  /** Changes TXT or port (pairing opened or closed, certificate re-keyed) and re-announces. */
  update(patch: AdvertiserUpdate): void {
    const previous = { ...this.settings };
    Object.assign(this.settings, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    try {
      this.txt(); // throws on an invalid combination (tls without fp, say)
    } catch (err) {
      Object.assign(this.settings, previous);
      throw err;
    }
    if (!this.publication) return; // still probing: run() publishes the current settings
    this.republish({ ...this.publication, port: this.settings.port, txt: this.txt() });
  }

  /** Sends goodbye packets (TTL 0) and closes the socket. */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  /** A method, so TypeScript does not narrow `current` across the awaits in run(). */
  private isStopped(): boolean {
    return this.current === 'stopped';
  }

  private txt(): Record<string, string> {
    const s = this.settings;
    return encodeReceiverTxt({
      protocolVersion: DEFAULT_PROTOCOL_VERSION,
      receiverId: this.options.receiverId,
      pairingOpen: s.pairingOpen,
      tls: s.tls,
      paths: { ...DEFAULT_PATHS, ...this.options.paths },
      ...(s.fp ? { fp: s.fp } : {}),
    });
  }

  private onError(err: Error): void {
    if (this.current === 'probing' && this.failStart) this.failStart(err);
    else if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private wantedAddresses(snapshot: InterfaceSnapshot): string[] {
    this.interfaceName = interfaceNameOf(snapshot, this.options.interfaceAddress) ?? this.interfaceName;
    if (!this.interfaceName) return [this.options.interfaceAddress];
    return lanAddresses(snapshot, { interfaceName: this.interfaceName, includeLinkLocal: true });
  }

  private async run(): Promise<string> {
    if (this.current === 'stopped') throw new Error('The advertiser was stopped');
    this.current = 'probing';
    const handle = createInterfaceBonjour(
      {
        interfaceAddress: this.options.interfaceAddress,
        bindAddress: this.options.bindAddress,
        port: this.options.mdnsPort,
      },
      { onError: (err) => this.onError(err), onWarning: (err) => this.emit('warning', err) },
    );
    this.mdnsHandle = handle;
    const base: Publication = {
      instanceName: '',
      host: localHostName(this.options.hostname),
      port: this.settings.port,
      txt: this.txt(),
      addresses: this.wantedAddresses(this.watcher.snapshot()),
    };
    const attempts = this.options.maxNameAttempts ?? 20;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const instanceName = safeInstanceName(this.options.name, attempt === 1 ? '' : ` (${attempt})`);
      const srv = srvRecord({ ...base, instanceName }) as MdnsRecord & { data: { port: number; target: string } };
      const result = await probeName({ mdns: handle.mdns, srv, isCancelled: () => this.isStopped() });
      if (this.isStopped()) throw new Error('The advertiser was stopped while probing');
      if (result === 'taken') continue;
      this.current = 'advertised';
      this.publish({ ...base, instanceName, port: this.settings.port, txt: this.txt() });
      this.unsubscribe = this.watcher.subscribe((snapshot) => this.onAddresses(snapshot));
      this.emit('advertised', instanceName);
      return instanceName;
    }
    throw new Error(`No free name for "${this.options.name}" after ${attempts} attempts`);
  }

  private publish(publication: Publication, extra: MdnsRecord[] = []): void {
    const responder = this.mdnsHandle!.responder;
    this.publication = publication;
    this.records = buildRecords(publication);
    responder.register(this.records);
    // RFC 6762 section 8.3: announce at least twice, one second apart.
    this.announce([...this.records, ...extra]);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.current === 'advertised' && this.publication === publication) this.announce(this.records);
    }, REANNOUNCE_DELAY_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private republish(next: Publication): void {
    if (this.current !== 'advertised' || !this.publication) return;
    const gone = this.publication.addresses.filter((a) => !next.addresses.includes(a));
    this.mdnsHandle!.responder.unregister(this.records);
    this.publish(
      next,
      gone.map((a) => addressRecord(next.host, a, 0)),
    );
  }

  private announce(records: MdnsRecord[]): void {
    this.mdnsHandle?.mdns.respond({ answers: records }, (err) => {
      if (err) this.onError(err);
    });
  }

  private onAddresses(snapshot: InterfaceSnapshot): void {
    if (!this.publication) return;
    const addresses = this.wantedAddresses(snapshot);
    const before = this.publication.addresses;
    if (addresses.length === before.length && addresses.every((a) => before.includes(a))) return;
    this.republish({ ...this.publication, addresses });
    this.emit('addresses', [...addresses]);
  }

  private async shutdown(): Promise<void> {
    const wasAdvertised = this.current === 'advertised';
    this.current = 'stopped';
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const handle = this.mdnsHandle;
    if (!handle) return;
    if (wasAdvertised && this.publication) {
      handle.responder.unregister(this.records);
      const goodbye = goodbyeRecords(this.publication);
      await new Promise<void>((resolve) => handle.mdns.respond({ answers: goodbye }, () => resolve()));
    }
    await handle.destroy();
  }
}
