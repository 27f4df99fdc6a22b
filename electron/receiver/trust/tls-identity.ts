/**
 * The receiver's TLS identity: the local CA and a server certificate whose names and addresses
 * follow the computer's network. When an address appears or goes, the certificate is re-issued
 * (same key, so pins stay valid) and live servers switch to it without a restart.
 */
import type tls from 'node:tls';
import os from 'node:os';
import { certificateNames, ensureServerCertificate, type ServerCertificate } from './';
import { lanAddresses, type AddressWatcher, type InterfaceSnapshot } from '../discovery';

export interface TlsIdentityOptions {
  dataDir: string;
  advertisedName: () => string;
  /** The address the receiver listens on: a specific one goes into the certificate as is. */
  host: string;
  watcher: AddressWatcher;
  log: (message: string) => void;
}

const ANY = new Set(['0.0.0.0', '::', '']);

export function certificateAddresses(host: string, snapshot: InterfaceSnapshot): string[] {
  if (ANY.has(host)) return lanAddresses(snapshot);
  return [host];
}

export class TlsIdentity {
  private servers = new Set<tls.Server>();
  private unsubscribe: (() => void) | undefined;
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(
    private certificate: ServerCertificate,
    private readonly options: TlsIdentityOptions,
  ) {}

  static async create(options: TlsIdentityOptions): Promise<TlsIdentity> {
    const certificate = await ensureServerCertificate(
      options.dataDir,
      TlsIdentity.subjects(options, options.watcher.snapshot()),
    );
    if (certificate.caCreated)
      options.log(
        'Created this computer\'s Shoebox certificate authority (install it on the iPhone: see README, "Trust").',
      );
    const identity = new TlsIdentity(certificate, options);
    identity.unsubscribe = options.watcher.subscribe((snapshot) => void identity.refresh(snapshot));
    return identity;
  }

  private static subjects(options: TlsIdentityOptions, snapshot: InterfaceSnapshot) {
    return {
      names: certificateNames({ advertisedName: options.advertisedName(), hostname: os.hostname() }),
      addresses: certificateAddresses(options.host, snapshot),
    };
  }

  get current(): ServerCertificate {
    return this.certificate;
  }

  /** The SPKI pin clients check (stable across re-issues). */
  get pin(): string {
    return this.certificate.pin;
  }

  secureContextOptions(): { key: string; cert: string } {
    return { key: this.certificate.keyPem, cert: `${this.certificate.certPem}\n${this.certificate.caCertPem}` };
  }

  /** Servers to switch to a re-issued certificate. */
  attach(server: tls.Server): void {
    this.servers.add(server);
  }

  /** Re-issues the certificate if the wanted names or addresses changed (or the name was edited). */
  refresh(snapshot: InterfaceSnapshot = this.options.watcher.snapshot()): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      try {
        const next = await ensureServerCertificate(this.options.dataDir, TlsIdentity.subjects(this.options, snapshot));
        if (!next.reissued) return;
        this.certificate = next;
        for (const server of this.servers) server.setSecureContext(this.secureContextOptions());
        this.options.log(`Network addresses changed: certificate re-issued for ${next.ipAddresses.join(', ')}.`);
      } catch (error) {
        this.options.log(`Could not re-issue the certificate: ${(error as Error).message}`);
      }
    });
    return this.refreshing;
  }

  close(): void {
    this.unsubscribe?.();
    this.servers.clear();
  }
}
