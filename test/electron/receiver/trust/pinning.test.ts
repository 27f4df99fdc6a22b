import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkServerIdentityWithPin,
  connectPinned,
  ensureServerCertificate,
  PinMismatchError,
  pinsEqual,
  verifyPeerCertificatePin,
  type ServerCertificate,
} from '../../../../electron/receiver/trust';

const subjects = { names: ['desk.local'], addresses: ['192.0.2.10'] };
const dirs: string[] = [];
const servers: tls.Server[] = [];
const serverSockets = new Set<tls.TLSSocket>();
let installA: ServerCertificate;
let installB: ServerCertificate;
let dirA: string;

async function install(): Promise<{ dir: string; cert: ServerCertificate }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-pin-'));
  dirs.push(dir);
  return { dir, cert: await ensureServerCertificate(dir, subjects) };
}

/** A TLS server on 127.0.0.1 that records whether any application data reached it. */
async function serve(cert: ServerCertificate): Promise<{ port: number; received: () => number }> {
  let bytes = 0;
  const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem }, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
    socket.on('error', () => undefined);
    serverSockets.add(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, received: () => bytes };
}

function connectWithCa(port: number, ca: string[], pin: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, checkServerIdentity: checkServerIdentityWithPin(pin) });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  const a = await install();
  dirA = a.dir;
  installA = a.cert;
  installB = (await install()).cert;
});
afterAll(async () => {
  for (const socket of serverSockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('pin checks with the CA trusted (checkServerIdentity)', () => {
  it('accepts the pinned receiver', async () => {
    const { port } = await serve(installA);
    const socket = await connectWithCa(port, [installA.caCertPem], installA.pin);
    expect(socket.authorized).toBe(true);
    expect(verifyPeerCertificatePin(socket.getPeerCertificate(), installA.pin)).toBe(true);
    socket.destroy();
  });

  it("refuses another install's certificate even when its CA is trusted too", async () => {
    const { port } = await serve(installB);
    const err = await connectWithCa(port, [installA.caCertPem, installB.caCertPem], installA.pin).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PinMismatchError);
    expect((err as PinMismatchError).code).toBe('ERR_SHOEBOX_PIN_MISMATCH');
    expect((err as Error).message).toMatch(/does not match the pin from pairing.*pair again/);
    expect((err as PinMismatchError).actual).toBe(installB.pin);
  });

  it("refuses another install's certificate when only that install's CA is known", async () => {
    const { port } = await serve(installB);
    await expect(connectWithCa(port, [installA.caCertPem], installA.pin)).rejects.toThrow();
  });
});

describe('connectPinned (pin only, from the QR code or TXT)', () => {
  it('connects to the pinned receiver, and https works over the socket', async () => {
    const { port } = await serve(installA);
    const socket = await connectPinned({ host: '127.0.0.1', port, pin: installA.pin });
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, path: '/v1/info', createConnection: () => socket },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('ok');
  });

  it('refuses a mismatch with a clear message, before sending anything', async () => {
    const server = await serve(installB);
    const err = await connectPinned({ host: '127.0.0.1', port: server.port, pin: installA.pin }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PinMismatchError);
    expect((err as Error).message).toContain(`127.0.0.1:${server.port}`);
    expect((err as Error).message).toContain(installA.pin);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received()).toBe(0);
  });

  it('still accepts the receiver after its certificate was re-issued for new addresses', async () => {
    const reissued = await ensureServerCertificate(dirA, { ...subjects, addresses: ['192.0.2.99'] });
    expect(reissued.reissued).toBe(true);
    const { port } = await serve(reissued);
    const socket = await connectPinned({ host: '127.0.0.1', port, pin: installA.pin });
    expect(socket.getPeerCertificate().subjectaltname).toContain('192.0.2.99');
    socket.destroy();
  });

  it('rejects malformed pins', async () => {
    await expect(connectPinned({ host: '127.0.0.1', port: 1, pin: 'short' })).rejects.toThrow(/Not an SPKI pin/);
    expect(pinsEqual(installA.pin, 'nope')).toBe(false);
    expect(verifyPeerCertificatePin({} as tls.PeerCertificate, installA.pin)).toBe(false);
    expect(verifyPeerCertificatePin(undefined, installA.pin)).toBe(false);
  });
});
