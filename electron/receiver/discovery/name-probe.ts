/**
 * Probing for a unique instance name (RFC 6762 section 8). Done here because bonjour-service's
 * own probe, on a conflict, sends goodbye packets for the name it lost (evicting the rightful
 * owner from every cache) and then only logs to the console, with no event to rename on.
 */
import type { MdnsRecord, MdnsSocket } from '../../../shared/discovery/interface-bonjour.nodejs';

const PROBE_COUNT = 3;
const PROBE_INTERVAL_MS = 250;

export type ProbeResult = 'free' | 'taken';

export interface ProbeOptions {
  mdns: MdnsSocket;
  /** Our proposed SRV record for the name (sent in the authority section). */
  srv: MdnsRecord & { data: { port: number; target: string } };
  /** Stops the probe early (answers 'taken' so the caller can bail out). */
  isCancelled?: () => boolean;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** SRV RDATA as on the wire, uncompressed: priority, weight, port, target labels. */
function srvRdata(data: { priority?: number; weight?: number; port?: number; target?: string }): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE((data.priority ?? 0) & 0xffff, 0);
  head.writeUInt16BE((data.weight ?? 0) & 0xffff, 2);
  head.writeUInt16BE((data.port ?? 0) & 0xffff, 4);
  const labels = String(data.target ?? '')
    .split('.')
    .filter((l) => l.length > 0)
    .map((l) => {
      const bytes = Buffer.from(l, 'utf8');
      return Buffer.concat([Buffer.from([bytes.length & 0xff]), bytes]);
    });
  return Buffer.concat([head, ...labels, Buffer.from([0])]);
}

/**
 * Simultaneous probe tie-break (RFC 6762 section 8.2), on the SRV record only: the
 * lexicographically later record data wins. Returns true when we lose.
 */
function weLoseTieBreak(ours: ProbeOptions['srv'], authorities: MdnsRecord[]): boolean {
  const theirs = authorities.find((rr) => rr.type === 'SRV' && sameName(rr.name, ours.name));
  if (!theirs || typeof theirs.data !== 'object' || theirs.data === null) return false;
  return Buffer.compare(srvRdata(ours.data), srvRdata(theirs.data)) < 0;
}

/**
 * Sends three probe queries 250 ms apart for the SRV record's name. 'taken' when anyone
 * answers with a record of that name, or probes for it at the same time and wins the tie-break.
 */
export function probeName(options: ProbeOptions): Promise<ProbeResult> {
  const { mdns, srv } = options;
  return new Promise((resolve) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      mdns.removeListener('response', onResponse);
      mdns.removeListener('query', onQuery);
      resolve(result);
    };
    const onResponse = (packet: { answers: MdnsRecord[]; additionals: MdnsRecord[] }): void => {
      const records = [...packet.answers, ...packet.additionals];
      if (records.some((rr) => sameName(rr.name, srv.name) && rr.ttl !== 0)) finish('taken');
    };
    const onQuery = (packet: { questions: { name: string }[]; authorities: MdnsRecord[] }): void => {
      if (!packet.questions.some((q) => sameName(q.name, srv.name))) return;
      if (weLoseTieBreak(srv, packet.authorities)) finish('taken');
    };
    const send = (): void => {
      if (options.isCancelled?.()) return finish('taken');
      mdns.query({ questions: [{ name: srv.name, type: 'ANY' }], authorities: [{ ...srv, flush: false }] });
      sent += 1;
      timer = setTimeout(sent < PROBE_COUNT ? send : () => finish('free'), PROBE_INTERVAL_MS);
    };
    mdns.on('response', onResponse);
    mdns.on('query', onQuery);
    timer = setTimeout(send, Math.floor(Math.random() * PROBE_INTERVAL_MS));
  });
}
