/** Names that go into the server certificate and the SRV record, made safe for DNS. */
import os from 'node:os';

const MAX_LABEL = 63;

/**
 * Turns a display name into one DNS label: "Mary’s MacBook Pro" -> "marys-macbook-pro".
 * Accents are dropped, anything else outside [a-z0-9] becomes "-", at most 63 characters.
 */
export function dnsLabel(name: string, fallback = 'shoebox'): string {
  const label = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/['’‘`]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_LABEL)
    .replace(/^-+|-+$/g, '');
  return label.length > 0 ? label : fallback;
}

/**
 * The computer's multicast DNS host name: the first label of the host name, made safe,
 * plus ".local" (macOS often reports "Marys-Mac.local" already; Linux and Windows a bare name).
 */
export function localHostName(hostname: string = os.hostname()): string {
  const first = hostname.split('.')[0] ?? '';
  return `${dnsLabel(first, 'shoebox-host')}.local`;
}

/** DNS names for the server certificate: `<hostname>.local` and `<advertised-name>.local`. */
export function certificateNames(options: { advertisedName: string; hostname?: string }): string[] {
  const names = [localHostName(options.hostname), `${dnsLabel(options.advertisedName)}.local`];
  return [...new Set(names)];
}
