/**
 * The WebSocket endpoint /v1/stream: upgrades, one StreamConnection per socket, keep-alive pings,
 * revocation and shutdown across all connections.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CHUNK_HEADER_BYTES, MAX_CHUNK_BYTES, PATHS } from '../../../shared/protocol';
import { requestUrl } from '../http/http-utils';
import { StreamConnection, type StreamContext } from './stream-connection';

export class StreamServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: CHUNK_HEADER_BYTES + MAX_CHUNK_BYTES,
    perMessageDeflate: false,
  });
  private readonly connections = new Set<StreamConnection>();

  constructor(
    private readonly context: StreamContext,
    private readonly keepAliveMs = 30_000,
  ) {}

  /** Upgrade handler for any http(s) server: /v1/stream only. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = requestUrl(req)?.pathname;
    if (path !== PATHS.stream) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      const connection = new StreamConnection(ws, this.context, remote);
      this.connections.add(connection);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const keepAlive = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, this.keepAliveMs);
      keepAlive.unref();
      ws.on('close', () => {
        clearInterval(keepAlive);
        this.connections.delete(connection);
      });
    });
  }

  /** Refuses a revoked device at once on every connection it has. */
  revoke(deviceId: string): void {
    for (const connection of this.connections) if (connection.device?.id === deviceId) connection.revoke();
  }

  /** Tells every client to come back later and lets go of their uploads (fsynced, resumable). */
  async shutdown(): Promise<void> {
    for (const connection of this.connections) connection.shutdown();
    await Promise.all([...this.connections].map((c) => c.release()));
    this.wss.close();
  }
}
