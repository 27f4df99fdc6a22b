/** Which receiver, address, pin and credentials the CLI uses: pairing URL, explicit, Bonjour (TOFU) or saved. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscoveredReceiver } from '../../../shared/discovery/receiver-browser.nodejs';
import { parseSimulatorArgs, type SimulatorConfig } from '../../../shared/simulator/cli/args.nodejs';
import { formatDiscovered, listReceivers, type Browse } from '../../../shared/simulator/cli/discovery.nodejs';
import { resolveTarget } from '../../../shared/simulator/cli/resolve-target.nodejs';
import { PairingStore, type SavedPairing } from '../../../shared/simulator/pairing-store.nodejs';

const PIN_A = 'yFI9CivxtK9V3XUQBk4SCM4I1BzGgYvUyf_RNedJCKI';
const PIN_B = 'n7TztJv64p__nsFjwgOLN7gTyXh1AdFV3C217nLd3N0';
const TOKEN = 'T'.repeat(43);

function advertised(overrides: Partial<DiscoveredReceiver> = {}): DiscoveredReceiver {
  return {
    name: 'Desk',
    host: 'desk.local',
    addresses: ['fe80::1', '10.213.0.1'],
    port: 47120,
    receiverId: 'rcv-1',
    fp: PIN_A,
    pairingOpen: true,
    tls: true,
    paths: { info: '/v1/info', stream: '/v1/stream', pair: '/v1/pair' },
    protocolVersion: 1,
    ...overrides,
  };
}

function saved(overrides: Partial<SavedPairing> = {}): SavedPairing {
  return {
    receiverId: 'rcv-1',
    name: 'Desk',
    host: '10.213.0.9',
    port: 40000,
    fp: PIN_A,
    token: TOKEN,
    deviceId: 'sim',
    pairedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  };
}

let dir: string;
let store: PairingStore;
let warnings: string[];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-target-'));
  store = new PairingStore(path.join(dir, 'pairings.json'));
  warnings = [];
});
afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

function config(argv: string[]): SimulatorConfig {
  const parsed = parseSimulatorArgs(argv, {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind === 'error' ? parsed.message : 'help');
  return parsed.config;
}

function resolve(argv: string[], found?: DiscoveredReceiver[]) {
  const browse: Browse | undefined = found ? async () => found : undefined;
  return resolveTarget(config(argv), { store, browse, warn: (line) => warnings.push(line) });
}

describe('resolveTarget', () => {
  it('takes address, pin, code, id and name from the pairing URL', async () => {
    const url = 'shoebox://pair?host=10.213.0.1&port=47120&id=rcv-1&fp=' + PIN_A + '&code=123456&name=Desk';
    expect(await resolve(['--pair-url', url])).toEqual({
      host: '10.213.0.1',
      port: 47120,
      fp: PIN_A,
      code: '123456',
      token: undefined,
      name: 'Desk',
      receiverId: 'rcv-1',
      saved: undefined,
    });
  });

  it('uses explicit --host/--port/--fp/--token as given', async () => {
    expect(await resolve(['--host', '::1', '--port', '9', '--fp', PIN_B, '--token', TOKEN, 'd'])).toMatchObject({
      host: '::1',
      port: 9,
      fp: PIN_B,
      token: TOKEN,
      code: undefined,
    });
  });

  it(
    'pairs with a receiver found by Bonjour at its IPv4 address, ' + 'trusting the advertised pin with a warning',
    async () => {
      const target = await resolve(
        ['--receiver', 'desk', '--code', '123456', '--interface', '10.213.0.2'],
        [advertised({ name: 'Other', receiverId: 'x' }), advertised()],
      );
      expect(target).toMatchObject({
        host: '10.213.0.1',
        port: 47120,
        fp: PIN_A,
        code: '123456',
        name: 'Desk',
        receiverId: 'rcv-1',
      });
      expect(warnings.join('\n')).toMatch(/trusting the TLS pin .* \(trust on first use.*--pair-url/);
    },
  );

  it('prefers --fp over the advertised pin and says when nobody answered', async () => {
    expect(
      await resolve(
        ['--receiver', 'Desk', '--code', '123456', '--fp', PIN_B, '--interface', '10.213.0.2'],
        [advertised()],
      ),
    ).toMatchObject({ fp: PIN_B });
    expect(warnings).toEqual([]);
    await expect(resolve(['--receiver', 'Desk', '--code', '123456', '--interface', '10.213.0.2'], [])).rejects.toThrow(
      /no receiver named "Desk" answered on 10\.213\.0\.2/,
    );
  });

  it('uses the one saved pairing when nothing names a receiver; asks when there are several or none', async () => {
    await expect(resolve(['d'])).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/no saved pairing in .*pairings\.json: pair first/) as unknown,
    });
    await store.save(saved());
    expect(await resolve(['d'])).toMatchObject({
      host: '10.213.0.9',
      port: 40000,
      fp: PIN_A,
      token: TOKEN,
      code: undefined,
      name: 'Desk',
    });
    await store.save(saved({ receiverId: 'rcv-2', name: 'Laptop' }));
    await expect(resolve(['d'])).rejects.toThrow(
      /several saved pairings .*--receiver NAME: "Desk" \(id rcv-1.*"Laptop"/,
    );
    expect(await resolve(['--receiver', 'laptop', 'd'])).toMatchObject({ receiverId: 'rcv-2' });
    await expect(resolve(['--receiver', 'Nobody', 'd'])).rejects.toThrow(/no saved pairing with "Nobody"/);
  });

  it("lets --host/--port override a saved pairing's address, keeping its pin", async () => {
    await store.save(saved());
    expect(await resolve(['--receiver', 'Desk', '--port', '5555', 'd'])).toMatchObject({
      host: '127.0.0.1',
      port: 5555,
      fp: PIN_A,
      token: TOKEN,
    });
  });

  it('follows a saved receiver to its advertised address when the advertised pin is the saved one', async () => {
    await store.save(saved());
    expect(await resolve(['--interface', '10.213.0.2', 'd'], [advertised()])).toMatchObject({
      host: '10.213.0.1',
      port: 47120,
      fp: PIN_A,
    });
  });

  it('keeps the saved address (with a warning) when the receiver does not answer', async () => {
    await store.save(saved());
    expect(await resolve(['--interface', '10.213.0.2', 'd'], [])).toMatchObject({ host: '10.213.0.9', port: 40000 });
    expect(warnings[0]).toMatch(/did not answer on 10\.213\.0\.2; trying its last address/);
  });

  it('refuses a receiver advertising the saved name or id with another pin: pair again', async () => {
    await store.save(saved());
    await expect(
      resolve(['--interface', '10.213.0.2', 'd'], [advertised({ fp: PIN_B, receiverId: 'evil' })]),
    ).rejects.toThrow(
      /"Desk" at 10\.213\.0\.1:47120 is not the computer you paired with \(certificate pin mismatch\): pair again.*advertises pin n7Tz/,
    );
    await expect(resolve(['--interface', '10.213.0.2', 'd'], [advertised({ fp: PIN_B })])).rejects.toThrow(
      /certificate pin mismatch/,
    );
    await expect(
      resolve(['--interface', '10.213.0.2', 'd'], [advertised({ tls: false, fp: undefined })]),
    ).rejects.toThrow(/certificate pin mismatch/);
    await expect(resolve(['--interface', '10.213.0.2', 'd'], [advertised({ receiverId: 'rcv-9' })])).rejects.toThrow(
      /receiver id rcv-9, paired with rcv-1/,
    );
  });
});

describe('--discover output', () => {
  it('lists name, address, id, pairing, TLS and pin, marking saved pairings; exit 1 when none', async () => {
    expect(formatDiscovered(advertised(), true)).toBe(
      `"Desk" at 10.213.0.1:47120  id=rcv-1  pairing=open  tls=yes  fp=${PIN_A}  (paired)`,
    );
    expect(formatDiscovered(advertised({ tls: false, fp: undefined, pairingOpen: false, addresses: [] }), false)).toBe(
      '"Desk" at desk.local:47120  id=rcv-1  pairing=closed  tls=no',
    );
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    expect(
      await listReceivers(async () => [advertised({ name: 'Zed', receiverId: 'z' }), advertised()], io, '10.213.0.2', [
        saved(),
      ]),
    ).toBe(0);
    expect(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(0, 6)),
    ).toEqual(['"Desk"', '"Zed" ']);
    expect(await listReceivers(async () => [], io, '10.213.0.2', [])).toBe(1);
  });
});
