/**
 * The receiver's HTTP front: which handler answers a request (GET /v1/info, POST /v1/pair, the trust
 * downloads, then the mounted routes such as PhotoKit uploads), and the server itself (HTTPS with the
 * hot-swappable identity, or plain HTTP with --no-tls) with its connection limits and the WebSocket
 * upgrade passed on.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { PATHS, ShoeboxError } from '../../../shared/protocol';
import type { TlsIdentity } from '../trust/tls-identity';
import type { DeviceRegistry } from '../pairing/device-registry';
import type { PairingWindow } from '../pairing/pairing-window';
import { requestUrl, sendError } from './http-utils';
import type { HttpRoute } from './route';
import { handleInfo, handlePair } from './routes';
import { handleTrust } from './trust-routes';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface RouterDeps {
  devices: DeviceRegistry;
  pairing: PairingWindow;
  /** undefined with --no-tls. */
  identity: TlsIdentity | undefined;
  /** Further endpoint groups, asked in order after the built-in ones. */
  routes: HttpRoute[];
}

/** The request handler: the first endpoint that answers wins; none answering is a 404. Errors become error answers. */
export function createRouter({ devices, pairing, identity, routes }: RouterDeps): RequestHandler {
  return (req, res) => {
    const url = requestUrl(req);
    if (!url)
      return sendError(res, new ShoeboxError('BAD_MESSAGE', 'The request target must be a path starting with /.'));
    const route = `${req.method} ${url.pathname}`;
    const answer = async () => {
      if (route === `GET ${PATHS.info}`)
        return handleInfo(res, {
          receiverId: devices.receiverId,
          name: devices.name,
          pairingOpen: pairing.isOpen,
          tls: identity !== undefined,
          ...(identity ? { fp: identity.pin } : {}),
        });
      if (route === `POST ${PATHS.pair}`) return handlePair(req, res, { devices, pairing });
      if (handleTrust(req.method, url.pathname, res, identity, devices.name)) return;
      for (const handle of routes) if (await handle(req, res, url)) return;
      throw new ShoeboxError('NOT_FOUND', `No such endpoint: ${req.method} ${url.pathname}`);
    };
    answer().catch((error: unknown) => sendError(res, error));
  };
}

/** The server (not yet listening): HTTPS when there is an identity, else plain HTTP. */
export function createReceiverServer(
  identity: TlsIdentity | undefined,
  handleRequest: RequestHandler,
  handleUpgrade: UpgradeHandler,
): http.Server {
  const server: http.Server = identity
    ? https.createServer({ ...identity.secureContextOptions(), minVersion: 'TLSv1.2' }, handleRequest)
    : http.createServer(handleRequest);
  if (identity) identity.attach(server as https.Server);
  server.maxConnections = 512; // a phone needs a handful; this bounds what a hostile LAN client can hold open
  server.requestTimeout = 0; // a photo or video body may take long; the PhotoKit pump and JSON reads have idle limits
  server.headersTimeout = 20_000;
  server.on('upgrade', handleUpgrade);
  server.on('tlsClientError', () => undefined); // a phone that does not trust us yet; nothing to do
  return server;
}

/** Listens; resolves with the port (the one chosen when `port` is 0). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The host part of a URL for a listening address: the wildcard addresses become loopback, IPv6 in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
