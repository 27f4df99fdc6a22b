import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type os from 'node:os';
import https from 'node:https';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { connectPinned, PinMismatchError, spkiPin } from '../../../../shared/discovery/tls-pin.nodejs';
import { parsePairingUrl } from '../../../../shared/discovery/pairing-url';
import { infoSchema, pairResponseSchema, PATHS } from '../../../../shared/protocol';
import { createAddressWatcher } from '../../../../electron/receiver/discovery';
import { certificateAddresses, TlsIdentity } from '../../../../electron/receiver/trust/tls-identity';
import { RawClient } from '../../../helpers/raw-client';
import { makeTempDir, startFixture, type Fixture } from '../../../helpers/receiver-fixture';

/** A GET or POST over a connection pinned to `pin`. */
async function pinnedRequest(
  port: number,
  pin: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const socket = await connectPinned({ host: '127.0.0.1', port, pin });
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        createConnection: () => socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function peerCertificate(port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

function fakeInterfaces(addresses: string[]): NodeJS.Dict<os.NetworkInterfaceInfo[]> {
  return {
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.0.1/8',
      },
    ],
    eth0: addresses.map((address) => ({
      address,
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: `${address}/24`,
    })),
  };
}

describe('the receiver over TLS', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
  });

  it('serves HTTPS whose certificate matches the advertised pin, and the trust downloads', async () => {
    fx = await startFixture({ tls: true });
    const trust = fx.receiver.trust!;
    expect(fx.receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const peer = await peerCertificate(fx.receiver.port);
    expect(spkiPin(peer.raw)).toBe(trust.pin);

    const info = infoSchema.parse(
      JSON.parse((await pinnedRequest(fx.receiver.port, trust.pin, PATHS.info)).body.toString()),
    );
    expect(info).toMatchObject({ tls: true, fp: trust.pin, receiverId: fx.receiver.receiverId });

    const ca = await pinnedRequest(fx.receiver.port, trust.pin, trust.caCerPath);
    expect(ca.status).toBe(200);
    expect(ca.headers['content-type']).toBe('application/pkix-cert');
    const caCert = new X509Certificate(ca.body);
    expect(caCert.ca).toBe(true);
    expect(new X509Certificate(peer.raw).checkIssued(caCert)).toBe(true);

    const profile = await pinnedRequest(fx.receiver.port, trust.pin, trust.profilePath);
    expect(profile.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(profile.body.toString()).toContain('com.apple.security.root');
    expect(profile.body.toString()).toContain(ca.body.toString('base64').slice(0, 60));
  });

  it('pairs through the pairing URL and uploads over WSS pinned to it', async () => {
    fx = await startFixture({ tls: true });
    const url = parsePairingUrl(fx.receiver.trust!.pairingUrl(fx.receiver.pairingCode!.code));
    expect(url).toMatchObject({
      port: fx.receiver.port,
      receiverId: fx.receiver.receiverId,
      fp: fx.receiver.trust!.pin,
    });
    const answer = await pinnedRequest(url.port, url.fp, PATHS.pair, {
      code: url.code,
      deviceName: 'TLS phone',
      deviceId: 'tls-phone',
    });
    const { token } = pairResponseSchema.parse(JSON.parse(answer.body.toString()));
    const socket = await connectPinned({ host: '127.0.0.1', port: url.port, pin: url.fp });
    const client = await RawClient.authed(`wss://127.0.0.1:${url.port}${PATHS.stream}`, token, {
      createConnection: () => socket,
    });
    expect(
      await client.upload(1, Buffer.from('over tls'), { filename: 'tls.jpg', captureDate: '2024-02-03T04:05:06' }),
    ).toMatchObject({ type: 'committed', path: '2024/2024-02/tls.jpg' });
    client.close();
  });

  it('is refused by a client pinned to another receiver', async () => {
    fx = await startFixture({ tls: true });
    const impostor = await startFixture({ tls: true });
    try {
      await expect(
        connectPinned({ host: '127.0.0.1', port: impostor.receiver.port, pin: fx.receiver.trust!.pin }),
      ).rejects.toBeInstanceOf(PinMismatchError);
    } finally {
      await impostor.dispose();
    }
  });

  it('re-issues its certificate when addresses change, keeping the pin, without a restart', async () => {
    // The identity of a receiver listening on every interface, driven by a fake interface list; its
    // certificate is served by a TLS server on loopback (tests never listen on real interfaces).
    let addresses = ['192.0.2.10'];
    const watcher = createAddressWatcher({ intervalMs: 50, networkInterfaces: () => fakeInterfaces(addresses) });
    const dataDir = await makeTempDir();
    const identity = await TlsIdentity.create({
      dataDir,
      advertisedName: () => 'Desk',
      host: '0.0.0.0',
      watcher,
      log: () => undefined,
    });
    const server = tls.createServer(identity.secureContextOptions(), (socket) => socket.end());
    identity.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const first = new X509Certificate((await peerCertificate(port)).raw);
      expect(first.subjectAltName).toContain('IP Address:192.0.2.10');
      expect(first.subjectAltName).toContain('DNS:desk.local');
      addresses = ['192.0.2.10', '198.51.100.7'];
      let after = first;
      for (let i = 0; i < 100 && !after.subjectAltName?.includes('198.51.100.7'); i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        after = new X509Certificate((await peerCertificate(port)).raw);
      }
      expect(after.subjectAltName).toContain('IP Address:198.51.100.7');
      expect(after.serialNumber).not.toBe(first.serialNumber);
      expect(spkiPin(after.raw)).toBe(identity.pin);
      expect(spkiPin(first.raw)).toBe(identity.pin);
    } finally {
      identity.close();
      server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('certifies only the listening address when bound to one', () => {
    expect(certificateAddresses('10.0.0.5', fakeInterfaces(['10.0.0.5', '10.0.0.6']))).toEqual(['10.0.0.5']);
    expect(certificateAddresses('0.0.0.0', fakeInterfaces(['10.0.0.5', '10.0.0.6']))).toEqual(['10.0.0.5', '10.0.0.6']);
  });
});
