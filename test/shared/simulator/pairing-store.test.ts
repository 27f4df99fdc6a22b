import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultStatePath, PairingStore, type SavedPairing } from '../../../shared/simulator/pairing-store.nodejs';

const PIN = 'yFI9CivxtK9V3XUQBk4SCM4I1BzGgYvUyf_RNedJCKI';
const TOKEN = 'T'.repeat(43);
let dir: string;
beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-store-'))));
afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

function pairing(overrides: Partial<SavedPairing> = {}): SavedPairing {
  return {
    receiverId: 'rcv-1',
    name: 'Desk',
    host: '10.213.0.1',
    port: 47120,
    fp: PIN,
    token: TOKEN,
    deviceId: 'sim-1',
    pairedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('PairingStore', () => {
  it('is empty before the first pairing, then saves with mode 0600 in a new folder', async () => {
    const store = new PairingStore(path.join(dir, 'sub', 'pairings.json'));
    expect(await store.list()).toEqual([]);
    await store.save(pairing());
    expect(await store.list()).toEqual([pairing()]);
    expect((await fs.stat(store.file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(store.file))).toEqual(['pairings.json']); // no temp file left
  });

  it('replaces a pairing with the same receiver and finds by name (any case) or id', async () => {
    const store = new PairingStore(path.join(dir, 'pairings.json'));
    await store.save(pairing());
    await store.save(pairing({ receiverId: 'rcv-2', name: 'Laptop', fp: undefined }));
    await store.save(pairing({ port: 50000 }));
    expect((await store.list()).map((p) => `${p.receiverId}:${p.port}`)).toEqual(['rcv-2:47120', 'rcv-1:50000']);
    expect((await store.find('desk')).map((p) => p.receiverId)).toEqual(['rcv-1']);
    expect((await store.find('rcv-2')).map((p) => p.name)).toEqual(['Laptop']);
    expect(await store.find('nobody')).toEqual([]);
    expect((await store.findByAddress('10.213.0.1', 50000))?.receiverId).toBe('rcv-1');
  });

  it('refuses to save or read malformed pairings, with the file name in the message', async () => {
    const store = new PairingStore(path.join(dir, 'pairings.json'));
    await expect(store.save(pairing({ fp: 'not-a-pin' }))).rejects.toThrow();
    await fs.writeFile(store.file, '{ nope');
    await expect(store.list()).rejects.toThrow(/pairings\.json is not JSON/);
    await fs.writeFile(store.file, JSON.stringify({ version: 1, pairings: [{ ...pairing(), token: 'short' }] }));
    await expect(store.list()).rejects.toThrow(/is not a simulator pairings file \(pairings\.0\.token/);
  });

  it('lives in $SHOEBOX_SIM_STATE, else under $XDG_CONFIG_HOME or ~/.config', () => {
    expect(defaultStatePath({ SHOEBOX_SIM_STATE: '/x/state.json' }, '/home/u')).toBe('/x/state.json');
    expect(defaultStatePath({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/shoebox-simulator/pairings.json');
    expect(defaultStatePath({}, '/home/u')).toBe('/home/u/.config/shoebox-simulator/pairings.json');
  });
});
