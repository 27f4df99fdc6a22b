import { EventEmitter } from 'node:events';
import type os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createAddressWatcher,
  interfaceNameOf,
  lanAddresses,
  type InterfaceSnapshot,
} from '../../../../electron/receiver/discovery';
import {
  buildRecords,
  goodbyeRecords,
  safeInstanceName,
  srvRecord,
} from '../../../../electron/receiver/discovery/mdns-records';
import { probeName } from '../../../../electron/receiver/discovery/name-probe';
import type { MdnsPacket, MdnsSocket } from '../../../../shared/discovery/interface-bonjour.nodejs';

const info = (address: string, family: 'IPv4' | 'IPv6', internal = false): os.NetworkInterfaceInfo =>
  ({
    address,
    family,
    internal,
    netmask: '',
    mac: '02:00:00:00:00:01',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  }) as os.NetworkInterfaceInfo;

afterEach(() => {
  vi.useRealTimers();
});

describe('address watcher', () => {
  it('reports changes only, and stops polling when nobody listens', () => {
    vi.useFakeTimers();
    let snapshot: InterfaceSnapshot = { lo: [info('127.0.0.1', 'IPv4', true)], desk0: [info('10.213.0.1', 'IPv4')] };
    const networkInterfaces = vi.fn(() => snapshot);
    const watcher = createAddressWatcher({ intervalMs: 100, networkInterfaces });
    const seen: string[][] = [];
    const unsubscribe = watcher.subscribe((s) => seen.push(lanAddresses(s)));
    vi.advanceTimersByTime(350);
    expect(seen).toEqual([]);
    snapshot = { ...snapshot, desk0: [info('10.213.0.1', 'IPv4'), info('10.213.0.3', 'IPv4')] };
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([['10.213.0.1', '10.213.0.3']]);
    unsubscribe();
    const calls = networkInterfaces.mock.calls.length;
    vi.advanceTimersByTime(1000);
    expect(networkInterfaces.mock.calls.length).toBe(calls);
  });

  it('selects one interface, skips loopback and (unless asked) link-local', () => {
    const snapshot: InterfaceSnapshot = {
      lo: [info('127.0.0.1', 'IPv4', true)],
      desk0: [info('fe80::1', 'IPv6'), info('10.213.0.1', 'IPv4'), info('2001:db8::1', 'IPv6')],
      phone0: [info('10.213.0.2', 'IPv4')],
    };
    expect(interfaceNameOf(snapshot, '10.213.0.1')).toBe('desk0');
    expect(lanAddresses(snapshot)).toEqual(['10.213.0.1', '10.213.0.2', '2001:db8::1']);
    expect(lanAddresses(snapshot, { interfaceName: 'desk0', includeLinkLocal: true })).toEqual([
      '10.213.0.1',
      'fe80::1',
      '2001:db8::1',
    ]);
  });
});

describe('mDNS records', () => {
  const publication = {
    instanceName: 'Desk',
    host: 'desk.local',
    port: 8443,
    txt: { v: '1' },
    addresses: ['10.213.0.1', 'fe80::1'],
  };

  it('makes instance names safe and at most 63 bytes, keeping the suffix', () => {
    expect(safeInstanceName('Shoebox on desk.example')).toBe('Shoebox on desk-example');
    const long = safeInstanceName('é'.repeat(60), ' (2)');
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(63);
    expect(long.endsWith(' (2)')).toBe(true);
    expect(safeInstanceName('\u0007')).toBe('Shoebox');
  });

  it('sets cache-flush on unique records and says goodbye to the service only', () => {
    const records = buildRecords(publication);
    expect(records.map((r) => `${r.type}:${r.flush ? 'flush' : 'shared'}`)).toEqual([
      'PTR:shared',
      'PTR:shared',
      'SRV:flush',
      'TXT:flush',
      'A:flush',
      'AAAA:flush',
    ]);
    const bye = goodbyeRecords(publication);
    expect(bye.map((r) => r.type)).toEqual(['PTR', 'SRV', 'TXT']);
    expect(bye.every((r) => r.ttl === 0)).toBe(true);
  });
});

/** A stand-in for the mDNS socket: records queries, lets the test inject packets. */
class FakeMdns extends EventEmitter {
  queries: MdnsPacket[] = [];
  query(packet: MdnsPacket): void {
    this.queries.push(packet);
    this.emit(
      'query',
      { questions: [], answers: [], additionals: [], authorities: [], ...packet },
      { address: '10.0.0.1', port: 5353 },
    );
  }
  respond(): void {}
}

describe('name probe', () => {
  const srv = srvRecord({ instanceName: 'Desk', host: 'desk.local', port: 8443, txt: {}, addresses: [] }) as Parameters<
    typeof probeName
  >[0]['srv'];
  const mdns = (): FakeMdns & MdnsSocket => new FakeMdns() as FakeMdns & MdnsSocket;

  it('finds a silent network free after three probes carrying our SRV', async () => {
    const fake = mdns();
    await expect(probeName({ mdns: fake, srv })).resolves.toBe('free');
    expect(fake.queries).toHaveLength(3);
    expect(fake.queries[0]).toMatchObject({
      questions: [{ name: 'Desk._shoebox._tcp.local', type: 'ANY' }],
      authorities: [{ type: 'SRV' }],
    });
  });

  it('finds the name taken when someone answers for it', async () => {
    const fake = mdns();
    const result = probeName({ mdns: fake, srv });
    setTimeout(
      () =>
        fake.emit('response', {
          answers: [{ name: 'desk._SHOEBOX._tcp.local', type: 'SRV', ttl: 120 }],
          additionals: [],
        }),
      300,
    );
    await expect(result).resolves.toBe('taken');
  });

  it('breaks ties between simultaneous probes: the later SRV data wins', async () => {
    const other = (port: number) => ({
      questions: [{ name: srv.name, type: 'ANY' }],
      answers: [],
      additionals: [],
      authorities: [{ name: srv.name, type: 'SRV', data: { priority: 0, weight: 0, port, target: 'desk.local' } }],
    });
    const losing = mdns();
    const p1 = probeName({ mdns: losing, srv });
    setTimeout(() => losing.emit('query', other(9000)), 10);
    await expect(p1).resolves.toBe('taken');
    const winning = mdns();
    const p2 = probeName({ mdns: winning, srv });
    setTimeout(() => winning.emit('query', other(8000)), 10);
    await expect(p2).resolves.toBe('free');
  });
});
