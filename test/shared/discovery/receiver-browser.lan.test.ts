/**
 * Advertising and browsing over real mDNS, only inside the private network namespace of
 * /work/shared/tools/isolated-lan (desk 10.213.0.1 <-> phone 10.213.0.2). Never on real interfaces.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAddressWatcher, ReceiverAdvertiser, type AdvertiserOptions } from '../../../electron/receiver/discovery';
import {
  browseReceivers,
  findReceiver,
  watchReceivers,
  type DiscoveredReceiver,
  type ReceiverWatch,
} from '../../../shared/discovery/receiver-browser.nodejs';

const LAN = process.env.ISOLATED_LAN === '1';
const DESK = process.env.ISOLATED_LAN_DESK ?? '10.213.0.1';
const PHONE = process.env.ISOLATED_LAN_PHONE ?? '10.213.0.2';
const EXTRA = '10.213.0.3';
const FP = 'cGluLW9mLXRoZS1kZXNrLXNlcnZlci1jZXJ0aWZpY2F';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function advertiser(overrides: Partial<AdvertiserOptions> = {}): ReceiverAdvertiser {
  const adv = new ReceiverAdvertiser({
    name: 'Shoebox on Desk',
    port: 8443,
    receiverId: 'desk-receiver-1',
    fp: FP,
    interfaceAddress: DESK,
    hostname: 'desk',
    ...overrides,
  });
  cleanups.push(() => adv.stop());
  return adv;
}

function watch(): ReceiverWatch {
  const w = watchReceivers({ interfaceAddress: PHONE });
  cleanups.push(() => w.stop());
  return w;
}

function waitFor<T extends DiscoveredReceiver>(
  w: ReceiverWatch,
  event: 'up' | 'update' | 'down',
  test: (r: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (r: DiscoveredReceiver): void => {
      if (!test(r as T)) return;
      clearTimeout(timer);
      w.removeListener(event, listener);
      resolve(r as T);
    };
    w.on(event, listener);
  });
}

describe.skipIf(!LAN)('Bonjour on the isolated LAN (skipped: run inside /work/shared/tools/isolated-lan)', () => {
  beforeAll(() => {
    // Refuse to run anywhere but the namespace: both ends must be local addresses here.
    const local = Object.values(os.networkInterfaces()).flatMap((infos) => (infos ?? []).map((i) => i.address));
    expect(local).toContain(DESK);
    expect(local).toContain(PHONE);
  });

  it('advertises on the desk and the phone finds it with the right TXT', async () => {
    const adv = advertiser({ pairingOpen: true });
    const advertised = new Promise((resolve) => adv.once('advertised', resolve));
    expect(await adv.start()).toBe('Shoebox on Desk');
    expect(await advertised).toBe('Shoebox on Desk');
    const found = await findReceiver('shoebox on desk', { interfaceAddress: PHONE, timeoutMs: 4000 });
    expect(found).toEqual({
      name: 'Shoebox on Desk',
      host: 'desk.local',
      addresses: expect.arrayContaining([DESK]) as unknown,
      port: 8443,
      receiverId: 'desk-receiver-1',
      fp: FP,
      pairingOpen: true,
      tls: true,
      paths: { info: '/v1/info', stream: '/v1/stream', pair: '/v1/pair' },
      protocolVersion: 1,
    });
    expect(found!.addresses).not.toContain(PHONE); // only the chosen interface's addresses
  });

  it('announces TXT updates (pairing opened) to a live browse', async () => {
    const adv = advertiser();
    const w = watch();
    await adv.start();
    const up = await waitFor(w, 'up', (r) => r.receiverId === 'desk-receiver-1');
    expect(up.pairingOpen).toBe(false);
    adv.update({ pairingOpen: true });
    const updated = await waitFor(w, 'update', (r) => r.pairingOpen);
    expect(updated.name).toBe('Shoebox on Desk');
  });

  it('sends goodbyes on stop: the receiver disappears from a live browse at once', async () => {
    const adv = advertiser();
    const w = watch();
    await adv.start();
    await waitFor(w, 'up', (r) => r.name === 'Shoebox on Desk');
    const started = Date.now();
    const down = waitFor(w, 'down', (r) => r.name === 'Shoebox on Desk', 2000);
    await adv.stop();
    await down;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(w.receivers()).toEqual([]);
  });

  it('re-announces when a new address appears on the interface', async () => {
    const adv = advertiser({ addressWatcher: createAddressWatcher({ intervalMs: 100 }) });
    const w = watch();
    await adv.start();
    await waitFor(w, 'up', (r) => r.addresses.includes(DESK));
    const announced = new Promise<string[]>((resolve) => adv.once('addresses', resolve));
    execFileSync('ip', ['addr', 'add', `${EXTRA}/24`, 'dev', 'desk0']);
    cleanups.push(() => execFileSync('ip', ['addr', 'del', `${EXTRA}/24`, 'dev', 'desk0']));
    expect(await announced).toEqual(expect.arrayContaining([DESK, EXTRA]));
    await waitFor(w, 'update', (r) => r.addresses.includes(EXTRA));
    const fresh = await findReceiver('Shoebox on Desk', { interfaceAddress: PHONE, timeoutMs: 4000 });
    expect(fresh?.addresses).toEqual(expect.arrayContaining([DESK, EXTRA]));
  });

  it('resolves name conflicts by appending " (2)", " (3)"', async () => {
    const first = advertiser({ port: 8443, receiverId: 'one' });
    const second = advertiser({ port: 8444, receiverId: 'two' });
    const third = advertiser({ port: 8445, receiverId: 'three' });
    expect(await first.start()).toBe('Shoebox on Desk');
    expect(await second.start()).toBe('Shoebox on Desk (2)');
    expect(await third.start()).toBe('Shoebox on Desk (3)');
    const found = await browseReceivers({ interfaceAddress: PHONE, timeoutMs: 2500 });
    expect(found.map((r) => `${r.name}=${r.receiverId}`).sort()).toEqual([
      'Shoebox on Desk (2)=two',
      'Shoebox on Desk (3)=three',
      'Shoebox on Desk=one',
    ]);
  });

  it('gives two advertisers started at the same moment different names', async () => {
    const a = advertiser({ name: 'Twin', port: 9001, receiverId: 'a' });
    const b = advertiser({ name: 'Twin', port: 9002, receiverId: 'b' });
    const names = await Promise.all([a.start(), b.start()]);
    expect(names.sort()).toEqual(['Twin', 'Twin (2)']);
  });

  it('reports a malformed advertisement as invalid and does not list it', async () => {
    const w = watch();
    const invalid = new Promise<{ name: string; reason: string }>((resolve) => w.once('invalid', resolve));
    // A raw bonjour-service publication with a bad TXT record, as another program might send.
    const { createInterfaceBonjour } = await import('../../../shared/discovery/interface-bonjour.nodejs');
    const raw = createInterfaceBonjour({ interfaceAddress: DESK }, { onError: () => undefined });
    cleanups.push(() => raw.destroy());
    raw.bonjour.publish({
      name: 'Rogue',
      type: 'shoebox',
      port: 1,
      host: 'rogue.local',
      probe: false,
      txt: { v: '1', id: 'x y' },
    });
    expect(await invalid).toEqual({
      name: 'Rogue',
      reason: expect.stringMatching(/id must be a receiver id/) as unknown,
    });
    expect(w.receivers()).toEqual([]);
  });
});
