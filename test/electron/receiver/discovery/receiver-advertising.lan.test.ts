/**
 * The running receiver on the LAN: advertised on the desk address with its pin and pairing flag,
 * seen from the phone address, and gone (goodbye) when it closes. Only inside isolated-lan.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { watchReceivers, type DiscoveredReceiver } from '../../../../shared/discovery/receiver-browser.nodejs';
import { createAddressWatcher } from '../../../../electron/receiver/discovery';
import { chooseAdvertiseAddress } from '../../../../electron/receiver/discovery/receiver-advertising';
import { startFixture } from '../../../helpers/receiver-fixture';

const inLan = process.env.ISOLATED_LAN === '1';
const DESK = process.env.ISOLATED_LAN_DESK ?? '10.213.0.1';
const PHONE = process.env.ISOLATED_LAN_PHONE ?? '10.213.0.2';

function until<T>(check: () => T | undefined, timeoutMs = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe.skipIf(!inLan)(
  `receiver advertising (${inLan ? 'isolated-lan' : 'skipped: run inside ../shared/tools/isolated-lan'})`,
  () => {
    it('is found from the phone with its pin, follows the pairing flag, and says goodbye on close', async () => {
      const fx = await startFixture({ host: DESK, tls: true, bonjour: true, name: 'Desk Shoebox' });
      const watch = watchReceivers({ interfaceAddress: PHONE });
      const seen = new Map<string, DiscoveredReceiver>();
      const gone = new Set<string>();
      watch.on('up', (r) => seen.set(r.receiverId, r));
      watch.on('update', (r) => seen.set(r.receiverId, r));
      watch.on('down', (r) => gone.add(r.receiverId));
      try {
        const id = fx.receiver.receiverId;
        const found = await until(() => seen.get(id));
        expect(found).toMatchObject({
          name: 'Desk Shoebox',
          port: fx.receiver.port,
          fp: fx.receiver.trust!.pin,
          tls: true,
          pairingOpen: true,
        });
        expect(found.addresses).toContain(DESK);
        expect(fx.receiver.advertiser?.name).toBe('Desk Shoebox');

        fx.receiver.closePairing();
        await until(() => (seen.get(id)?.pairingOpen === false ? true : undefined));

        await fx.receiver.close();
        await until(() => (gone.has(id) ? true : undefined), 3000);
      } finally {
        await watch.stop();
        await fx.dispose();
      }
    });

    it('re-advertises under a new name after a rename, with a certificate for it', async () => {
      const fx = await startFixture({ host: DESK, tls: true, bonjour: true, name: 'Old Name' });
      const watch = watchReceivers({ interfaceAddress: PHONE });
      const names = new Map<string, string>();
      watch.on('up', (r) => names.set(r.name, r.receiverId));
      watch.on('down', (r) => names.delete(r.name));
      try {
        await until(() => names.get('Old Name'));
        expect(await fx.receiver.rename('New Name')).toBe('New Name');
        await until(() =>
          names.get('New Name') === fx.receiver.receiverId && !names.has('Old Name') ? true : undefined,
        );
        expect(fx.receiver.name).toBe('New Name');
        const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
          const socket = tls.connect({ host: DESK, port: fx.receiver.port, rejectUnauthorized: false }, () => {
            resolve(socket.getPeerCertificate());
            socket.end();
          });
          socket.on('error', reject);
        });
        expect(new X509Certificate(peer.raw).subjectAltName).toContain('DNS:new-name.local');
      } finally {
        await watch.stop();
        await fx.dispose();
      }
    });

    it('does not advertise when bound to loopback, and says why', async () => {
      const fx = await startFixture({ host: '127.0.0.1', tls: true, bonjour: true });
      try {
        expect(fx.receiver.advertiser).toBeUndefined();
        expect(chooseAdvertiseAddress('127.0.0.1', undefined, createAddressWatcher())).toEqual({
          reason: expect.stringContaining('this computer') as unknown,
        });
        expect(chooseAdvertiseAddress('0.0.0.0', DESK, createAddressWatcher())).toEqual({ address: DESK });
      } finally {
        await fx.dispose();
      }
    });
  },
);
