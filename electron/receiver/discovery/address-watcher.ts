/**
 * Watches the computer's network addresses by polling os.networkInterfaces() (Node has no
 * change event). Injectable: tests pass their own `networkInterfaces` or their own watcher.
 */
import os from 'node:os';

export type InterfaceSnapshot = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

export interface AddressWatcher {
  snapshot(): InterfaceSnapshot;
  /** Calls the listener with the new snapshot whenever an address appears or goes. */
  subscribe(listener: (snapshot: InterfaceSnapshot) => void): () => void;
}

export interface AddressWatcherOptions {
  intervalMs?: number;
  networkInterfaces?: () => InterfaceSnapshot;
}

function signature(snapshot: InterfaceSnapshot): string {
  const entries: string[] = [];
  for (const [name, infos] of Object.entries(snapshot)) {
    for (const info of infos ?? []) entries.push(`${name}|${info.address}`);
  }
  return entries.sort().join(',');
}

/** Polls every `intervalMs` (default 5 s) while someone is subscribed; the timer never keeps Node alive. */
export function createAddressWatcher(options: AddressWatcherOptions = {}): AddressWatcher {
  const { intervalMs = 5000, networkInterfaces = os.networkInterfaces } = options;
  const listeners = new Set<(snapshot: InterfaceSnapshot) => void>();
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const poll = (): void => {
    const snapshot = networkInterfaces();
    const sig = signature(snapshot);
    if (sig === last) return;
    last = sig;
    for (const listener of [...listeners]) listener(snapshot);
  };
  return {
    snapshot: () => networkInterfaces(),
    subscribe(listener) {
      if (listeners.size === 0) {
        last = signature(networkInterfaces());
        timer = setInterval(poll, intervalMs);
        timer.unref();
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) clearInterval(timer);
      };
    },
  };
}

/** The name of the interface that holds this address. */
export function interfaceNameOf(snapshot: InterfaceSnapshot, address: string): string | undefined {
  for (const [name, infos] of Object.entries(snapshot)) {
    if ((infos ?? []).some((info) => info.address === address)) return name;
  }
  return undefined;
}

export interface LanAddressOptions {
  /** Only this interface's addresses (by name). */
  interfaceName?: string;
  /** Keep fe80:: addresses (fine for mDNS records, useless in certificates). */
  includeLinkLocal?: boolean;
}

/** Non-loopback addresses, IPv4 first, each once. */
export function lanAddresses(snapshot: InterfaceSnapshot, options: LanAddressOptions = {}): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const [name, infos] of Object.entries(snapshot)) {
    if (options.interfaceName !== undefined && name !== options.interfaceName) continue;
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') v4.push(info.address);
      else if (options.includeLinkLocal || !/^fe80:/i.test(info.address)) v6.push(info.address);
    }
  }
  return [...new Set([...v4, ...v6])];
}

/** A sensible default interface for the advertiser: the first non-internal IPv4 address. */
export function pickInterfaceAddress(snapshot: InterfaceSnapshot = os.networkInterfaces()): string | undefined {
  for (const infos of Object.values(snapshot)) {
    const found = (infos ?? []).find((info) => info.family === 'IPv4' && !info.internal);
    if (found) return found.address;
  }
  return undefined;
}
