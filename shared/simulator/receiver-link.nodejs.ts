/**
 * How the simulator talks to one receiver (Node only): with a pin, HTTPS and WSS that trust only the
 * pinned key (checked before anything is sent); without one, plain HTTP and WS (a receiver started
 * with --no-tls). Pairing, info and the upload stream all go through one link.
 */
import { fetchInfo, httpBaseUrl, PairingError, type FetchLike } from './pair';
import { streamUrl } from './chunk-stream-client';
import type { Info } from '../protocol/http-messages';
import type { WebSocketConstructor } from './websocket-like';
import { fetchPinnedCa, pinnedFetch } from './pinned-http.nodejs';
import { pinnedWebSocket, plainWebSocket } from './pinned-websocket.nodejs';

export interface LinkTarget {
  host: string;
  port: number;
  /** SPKI pin from pairing: turns on TLS with pinning. */
  fp?: string | undefined;
  /** Local address for the upload connection. */
  localAddress?: string | undefined;
  timeoutMs?: number;
}

export interface ReceiverLink {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly pin: string | undefined;
  /** http(s)://host:port */
  readonly baseUrl: string;
  /** ws(s)://host:port/v1/stream */
  readonly streamUrl: string;
  /** fetch for pair()/fetchInfo(): pinned when tls. */
  readonly fetch: FetchLike;
  /** GET /v1/info: over the pinned connection on TLS links; on plain links when the receiver answered it. */
  readonly info: Info | undefined;
  /** The WebSocket constructor for ChunkStreamClient; on TLS links fetches the receiver's CA once (pinned). */
  webSocket(): Promise<WebSocketConstructor>;
}

/**
 * Opens a link. With a pin it first reads GET /v1/info over a pinned connection, so a receiver with
 * another key is refused here (PairingError PIN_MISMATCH) before any pairing code or token is sent.
 * Without one it asks GET /v1/info too, to fail fast (PairingError NETWORK) when nothing answers
 * plain HTTP there, e.g. a receiver speaking TLS; any HTTP answer will do.
 */
export async function openReceiverLink(target: LinkTarget): Promise<ReceiverLink> {
  const { host, port } = target;
  const pin = target.fp;
  if (pin === undefined) {
    const baseUrl = httpBaseUrl(host, port);
    const info = await fetchInfo(baseUrl).catch((error: unknown) => {
      if (error instanceof PairingError && error.code === 'NETWORK') throw error;
      return undefined;
    });
    return {
      host,
      port,
      tls: false,
      pin,
      info,
      baseUrl,
      streamUrl: streamUrl(host, port),
      fetch: (url, init) => globalThis.fetch(url, init),
      webSocket: async () => plainWebSocket(target.localAddress),
    };
  }
  const fetch = pinnedFetch(pin, target.timeoutMs);
  const baseUrl = httpBaseUrl(host, port, true);
  const info = await fetchInfo(baseUrl, { fetch });
  let webSocket: Promise<WebSocketConstructor> | undefined;
  return {
    host,
    port,
    tls: true,
    pin,
    info,
    baseUrl,
    fetch,
    streamUrl: streamUrl(host, port, true),
    webSocket: () =>
      (webSocket ??= fetchPinnedCa({
        host,
        port,
        pin,
        ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {}),
      }).then((caPem) =>
        pinnedWebSocket({ pin, caPem, ...(target.localAddress ? { localAddress: target.localAddress } : {}) }),
      )),
  };
}
