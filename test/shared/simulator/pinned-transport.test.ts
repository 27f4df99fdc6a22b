/** The simulator's pinned HTTPS and WSS (Node): right key accepted, any other refused before a byte is sent. */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ensureServerCertificate, type ServerCertificate } from '../../../electron/receiver/trust';
import { PinMismatchError } from '../../../shared/discovery/tls-pin.nodejs';
import { fetchInfo, pair, PairingError } from '../../../shared/simulator/pair';
import {
  fetchPinnedCa,
  pinnedFetch,
  pinnedRequest,
  UntrustedCaError,
} from '../../../shared/simulator/pinned-http.nodejs';
import { pinnedWebSocket } from '../../../shared/simulator/pinned-websocket.nodejs';
import { openReceiverLink } from '../../../shared/simulator/receiver-link.nodejs';
import type { WebSocketConstructor } from '../../../shared/simulator/websocket-like';

interface TestServer {
  port: number;
  /** Requests and WebSocket connections that reached the application. */
  hits: string[];
}

const dirs: string[] = [];
const servers: https.Server[] = [];
let a: ServerCertificate;
let b: ServerCertificate;
let serverA: TestServer;
let serverB: TestServer;
/** Presents A's certificate but hands out B's CA. */
let liar: TestServer;

async function install(): Promise<ServerCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-sim-pin-'));
  dirs.push(dir);
  return ensureServerCertificate(dir, { names: ['desk.local'], addresses: ['127.0.0.1'] });
}

async function serve(cert: ServerCertificate, caDer: Uint8Array = cert.caCertDer): Promise<TestServer> {
  const hits: string[] = [];
  const server = https.createServer({ key: cert.keyPem, cert: `${cert.certPem}\n${cert.caCertPem}` }, (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/v1/trust/ca.cer') return res.end(Buffer.from(caDer));
    if (req.url === '/v1/info') {
      res.setHeader('content-type', 'application/json');
      return res.end(
        JSON.stringify({
          product: 'shoebox',
          protocol: 1,
          receiverId: 'rcv',
          name: 'Desk',
          version: '1',
          pairingOpen: true,
          tls: true,
          fp: cert.pin,
        }),
      );
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no', retryable: false } }));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    hits.push(`websocket from ${req.socket.remoteAddress}`);
    ws.on('message', (data) => ws.send(data));
  });
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hits };
}

function echo(WebSocket: WebSocketConstructor, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/v1/stream`);
    ws.addEventListener('open', () => ws.send('ping'));
    ws.addEventListener('message', (event: { data: unknown }) => {
      resolve(String(event.data));
      ws.close();
    });
    ws.addEventListener('error', (event: { error?: Error; message?: string }) =>
      reject(event.error ?? new Error(event.message)),
    );
  });
}

beforeAll(async () => {
  a = await install();
  b = await install();
  serverA = await serve(a);
  serverB = await serve(b);
  liar = await serve(a, b.caCertDer);
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('pinned HTTPS', () => {
  it('talks to the pinned receiver (request and fetch), whatever its certificate names', async () => {
    const answer = await pinnedRequest(
      { host: '127.0.0.1', port: serverA.port, pin: a.pin },
      { method: 'GET', path: '/v1/info' },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ fp: a.pin });
    expect(await fetchInfo(`https://127.0.0.1:${serverA.port}`, { fetch: pinnedFetch(a.pin) })).toMatchObject({
      name: 'Desk',
      tls: true,
    });
  });

  it('refuses another key before sending anything; pair() reports PIN_MISMATCH with the pins', async () => {
    const before = serverB.hits.length;
    await expect(
      pinnedRequest({ host: '127.0.0.1', port: serverB.port, pin: a.pin }, { method: 'GET', path: '/v1/info' }),
    ).rejects.toBeInstanceOf(PinMismatchError);
    const error = await pair({
      baseUrl: `https://127.0.0.1:${serverB.port}`,
      fetch: pinnedFetch(a.pin),
      code: '123456',
      deviceName: 'x',
      deviceId: 'd',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ code: 'PIN_MISMATCH', retryable: false });
    expect((error as PairingError).cause).toMatchObject({ expected: a.pin, actual: b.pin });
    expect(serverB.hits.length).toBe(before);
  });

  it('refuses plain http:// URLs', async () => {
    await expect(pinnedFetch(a.pin)(new URL(`http://127.0.0.1:${serverA.port}/v1/info`), {})).rejects.toThrow(
      /https:\/\//,
    );
  });
});

describe("the receiver's CA", () => {
  it('is accepted when it issued the pinned certificate', async () => {
    const pem = await fetchPinnedCa({ host: '127.0.0.1', port: serverA.port, pin: a.pin });
    expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(a.caCertPem).fingerprint256);
  });

  it('is refused when it did not issue the pinned certificate', async () => {
    await expect(fetchPinnedCa({ host: '127.0.0.1', port: liar.port, pin: a.pin })).rejects.toThrow(UntrustedCaError);
  });
});

describe('pinned WebSocket', () => {
  it('connects over wss:// to the pinned receiver', async () => {
    const caPem = await fetchPinnedCa({ host: '127.0.0.1', port: serverA.port, pin: a.pin });
    expect(await echo(pinnedWebSocket({ pin: a.pin, caPem }), serverA.port)).toBe('ping');
  });

  it('connects from --local-address when given', async () => {
    expect(
      await echo(pinnedWebSocket({ pin: a.pin, caPem: a.caCertPem, localAddress: '127.0.0.2' }), serverA.port),
    ).toBe('ping');
    expect(serverA.hits.at(-1)).toBe('websocket from 127.0.0.2');
  });

  it('refuses a receiver whose chain verifies but whose key is not the pin, and one outside the CA', async () => {
    const before = serverB.hits.length;
    await expect(echo(pinnedWebSocket({ pin: a.pin, caPem: b.caCertPem }), serverB.port)).rejects.toThrow(
      /does not match the pin from pairing/,
    );
    await expect(echo(pinnedWebSocket({ pin: b.pin, caPem: a.caCertPem }), serverB.port)).rejects.toThrow();
    expect(serverB.hits.length).toBe(before);
  });

  it('will not open ws:// URLs', () => {
    const Pinned = pinnedWebSocket({ pin: a.pin, caPem: a.caCertPem });
    expect(() => new Pinned(`ws://127.0.0.1:${serverA.port}/v1/stream`)).toThrow(/wss:\/\//);
  });
});

describe('openReceiverLink', () => {
  it('with a pin: https/wss, info read pinned, the WebSocket pinned', async () => {
    const link = await openReceiverLink({ host: '127.0.0.1', port: serverA.port, fp: a.pin });
    expect(link).toMatchObject({
      tls: true,
      baseUrl: `https://127.0.0.1:${serverA.port}`,
      streamUrl: `wss://127.0.0.1:${serverA.port}/v1/stream`,
      info: { name: 'Desk' },
    });
    expect(await echo(await link.webSocket(), serverA.port)).toBe('ping');
  });

  it('with the wrong pin: refused at once', async () => {
    await expect(openReceiverLink({ host: '127.0.0.1', port: serverB.port, fp: a.pin })).rejects.toMatchObject({
      code: 'PIN_MISMATCH',
    });
  });

  it('without a pin against a TLS receiver: a NETWORK error, fast', async () => {
    await expect(openReceiverLink({ host: '127.0.0.1', port: serverA.port })).rejects.toMatchObject({
      code: 'NETWORK',
    });
  });
});
