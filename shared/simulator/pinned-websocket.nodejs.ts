/**
 * WebSocket constructors for ChunkStreamClient (Node only): `ws` with the receiver's CA as the only
 * trusted root and the SPKI pin checked on every connection (wss://), or plain `ws` (ws://).
 */
import { WebSocket, type ClientOptions } from 'ws';
import { checkServerIdentityWithPin } from '../discovery/tls-pin.nodejs';
import type { WebSocketConstructor } from './websocket-like';

export interface PinnedWebSocketOptions {
  /** SPKI pin from pairing. */
  pin: string;
  /** The receiver's CA (PEM), fetched over a pinned connection by fetchPinnedCa(). */
  caPem: string;
  /** Local address to connect from (e.g. the phone side of a test LAN). */
  localAddress?: string;
}

/**
 * A `ws` WebSocket subclass that connects only to wss:// URLs and only to a server whose chain ends
 * at `caPem` (which replaces the system roots) and whose key matches `pin`. Node calls
 * checkServerIdentity after the chain verified, instead of the host name check: the pin is the
 * identity, so a receiver whose address changed is still accepted.
 */
export function pinnedWebSocket(options: PinnedWebSocketOptions): WebSocketConstructor {
  const checkServerIdentity = checkServerIdentityWithPin(options.pin);
  const tlsOptions = {
    ca: [options.caPem],
    rejectUnauthorized: true,
    // ws passes this to tls.connect, which expects Error | undefined (its typings say boolean).
    checkServerIdentity: checkServerIdentity as unknown as ClientOptions['checkServerIdentity'],
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  } satisfies ClientOptions;
  return class PinnedWebSocket extends WebSocket {
    constructor(url: string) {
      if (!url.startsWith('wss://')) throw new TypeError(`a pinned WebSocket needs a wss:// URL, not ${url}`);
      super(url, tlsOptions);
    }
  };
}

/** Plain `ws` (for receivers started with --no-tls), optionally from a local address. */
export function plainWebSocket(localAddress?: string): WebSocketConstructor {
  if (!localAddress) return WebSocket;
  return class LocalWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress });
    }
  };
}
