/** The receiver's facade: what callers get (devices, pairing, the library read only), and nothing more. */
import { afterEach, describe, expect, it } from 'vitest';
import { receiverInternals } from '../../../electron/receiver/test-seam';
import { startFixture, type Fixture } from '../../helpers/receiver-fixture';

describe('Receiver facade', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
  });

  it('keeps the registry, pairing window, index and staging inside', async () => {
    fx = await startFixture({}, { openPairing: false });
    const receiver = fx.receiver as unknown as Record<string, unknown>;
    for (const inside of ['devices', 'pairing', 'index', 'staging']) expect(receiver[inside], inside).toBeUndefined();
    // The library is a read-only view: no way to write the index through it.
    expect(Object.keys(fx.receiver.library).sort()).toEqual([
      'getAssetResources',
      'getByPath',
      'getBySha',
      'listResources',
      'totals',
    ]);
    expect(fx.receiver.library.totals()).toEqual(receiverInternals(fx.receiver).index.totals());
  });

  it('opens and closes pairing, with events', async () => {
    fx = await startFixture({}, { openPairing: false });
    const seen: string[] = [];
    fx.receiver.events.on('pairing-opened', (code) => seen.push(`opened ${code}`));
    fx.receiver.events.on('pairing-closed', (reason) => seen.push(`closed ${reason}`));
    expect(fx.receiver.pairingCode).toBeNull();
    const { code } = fx.receiver.openPairing();
    expect(fx.receiver.pairingCode?.code).toBe(code);
    fx.receiver.closePairing('withdrawn');
    expect(fx.receiver.pairingCode).toBeNull();
    expect(seen).toEqual([`opened ${code}`, 'closed withdrawn']);
  });

  it('lists, finds and revokes paired devices', async () => {
    fx = await startFixture({}, { openPairing: false });
    const { deviceId } = await fx.pair('Ana’s iPhone');
    expect(fx.receiver.listDevices().map((d) => d.name)).toEqual(['Ana’s iPhone']);
    expect(fx.receiver.device(deviceId)?.revokedAt).toBeNull();
    const revoked: string[] = [];
    fx.receiver.events.on('revoked', (d) => revoked.push(d.id));
    expect(await fx.receiver.revokeDevice(deviceId)).toBe(true);
    expect(await fx.receiver.revokeDevice(deviceId)).toBe(false);
    expect(fx.receiver.device(deviceId)?.revokedAt).not.toBeNull();
    expect(revoked).toEqual([deviceId]);
    expect(fx.receiver.name).toBe('Test Receiver');
  });
});
