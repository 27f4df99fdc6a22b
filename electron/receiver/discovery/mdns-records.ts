/**
 * The DNS-SD records of one advertisement, built here rather than by bonjour-service: its
 * Service.records() lists every interface's addresses, sets no cache-flush bits and its
 * re-announcements replay the records captured at publish time (stale after a TXT change).
 */
import { isIP } from 'node:net';
import { MAX_INSTANCE_NAME_BYTES, SERVICE_DOMAIN } from '../../../shared/discovery/constants';
import type { MdnsRecord } from '../../../shared/discovery/interface-bonjour.nodejs';

/** RFC 6762 section 10: 120 s for records tied to a host name, 75 minutes for the others. */
const HOST_TTL = 120;
const OTHER_TTL = 4500;

export interface Publication {
  instanceName: string;
  /** SRV target, e.g. `marys-mac.local`. */
  host: string;
  port: number;
  txt: Record<string, string>;
  addresses: string[];
}

/** Makes a name usable as one DNS-SD instance label: no dots, at most 63 bytes of UTF-8. */
export function safeInstanceName(name: string, suffix = ''): string {
  let base =
    name
      // eslint-disable-next-line no-control-regex -- strips control characters from the label, on purpose
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/\./g, '-')
      .trim() || 'Shoebox';
  const encoder = new TextEncoder();
  while (encoder.encode(base + suffix).length > MAX_INSTANCE_NAME_BYTES) base = [...base].slice(0, -1).join('');
  return base.trimEnd() + suffix;
}

export function serviceFqdn(instanceName: string): string {
  return `${instanceName}.${SERVICE_DOMAIN}`;
}

export function encodeTxtData(txt: Record<string, string>): Buffer[] {
  return Object.entries(txt).map(([key, value]) => Buffer.from(`${key}=${value}`, 'utf8'));
}

export function addressRecord(host: string, address: string, ttl = HOST_TTL): MdnsRecord {
  return { name: host, type: isIP(address) === 6 ? 'AAAA' : 'A', ttl, flush: true, data: address };
}

export function srvRecord(p: Publication, ttl = HOST_TTL): MdnsRecord {
  return {
    name: serviceFqdn(p.instanceName),
    type: 'SRV',
    ttl,
    flush: true,
    data: { priority: 0, weight: 0, port: p.port, target: p.host },
  };
}

/** Everything an announcement carries. Unique records get the cache-flush bit. */
export function buildRecords(p: Publication): MdnsRecord[] {
  const fqdn = serviceFqdn(p.instanceName);
  return [
    { name: SERVICE_DOMAIN, type: 'PTR', ttl: OTHER_TTL, data: fqdn },
    { name: '_services._dns-sd._udp.local', type: 'PTR', ttl: OTHER_TTL, data: SERVICE_DOMAIN },
    srvRecord(p),
    { name: fqdn, type: 'TXT', ttl: OTHER_TTL, flush: true, data: encodeTxtData(p.txt) },
    ...p.addresses.map((address) => addressRecord(p.host, address)),
  ];
}

/**
 * Goodbye (TTL 0) for the service records only. The host's A/AAAA records are left alone: the
 * host keeps its addresses, and other services (or the OS responder) may use the same host name.
 */
export function goodbyeRecords(p: Publication): MdnsRecord[] {
  return buildRecords({ ...p, addresses: [] })
    .filter((rr) => rr.name !== '_services._dns-sd._udp.local')
    .map((rr) => ({ ...rr, ttl: 0, flush: false }));
}
