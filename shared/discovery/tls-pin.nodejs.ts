/**
 * SPKI pinning for clients of the receiver (Node only).
 *
 * The pin is the SHA-256 of the server certificate's SubjectPublicKeyInfo (DER), base64url
 * without padding. We pin the public key, not the whole certificate: the receiver re-issues its
 * certificate whenever its addresses or name change (new SANs, new serial, new dates) but keeps
 * the same key pair, so a pin taken at pairing time stays valid across re-issues.
 */
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { SPKI_PIN_PATTERN } from './constants';

/** The SPKI pin of a certificate given as PEM text, DER bytes or a parsed X509Certificate. */
export function spkiPin(cert: string | Uint8Array | X509Certificate): string {
  const parsed = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  const spki = parsed.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url');
}

export function isSpkiPin(value: string): boolean {
  return SPKI_PIN_PATTERN.test(value);
}

/** Constant-time comparison of two pins. */
export function pinsEqual(a: string, b: string): boolean {
  if (!isSpkiPin(a) || !isSpkiPin(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'base64url'), Buffer.from(b, 'base64url'));
}

/**
 * Checks a peer certificate (from `socket.getPeerCertificate()` or `checkServerIdentity`)
 * against a pin. Uses the certificate's DER (`raw`), not `pubkey`, whose format depends on the
 * key type (an EC key's `pubkey` is the bare point, not the SPKI).
 */
export function verifyPeerCertificatePin(peer: tls.PeerCertificate | undefined | null, pin: string): boolean {
  if (!peer || !Buffer.isBuffer(peer.raw) || peer.raw.length === 0) return false;
  let actual: string;
  try {
    actual = spkiPin(peer.raw);
  } catch {
    return false;
  }
  return pinsEqual(actual, pin);
}

export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
  readonly code = 'ERR_SHOEBOX_PIN_MISMATCH';
  constructor(
    readonly where: string,
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      `Refusing to connect to ${where}: its TLS key (pin ${actual ?? 'unknown'}) does not match the pin ` +
        `from pairing (${expected}). This is not the computer you paired with, or its TLS identity ` +
        'was reset: pair again.',
    );
  }
}

function peerPin(peer: tls.PeerCertificate | undefined): string | undefined {
  try {
    return peer?.raw ? spkiPin(peer.raw) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `checkServerIdentity` for `tls.connect` / `https.request` that accepts only the pinned key.
 * Node calls it only when the chain already verified, so use it together with `ca` (the
 * receiver's CA). A client that has only the pin (from a QR code or TXT) uses `connectPinned`.
 */
export function checkServerIdentityWithPin(
  pin: string,
): (host: string, cert: tls.PeerCertificate) => Error | undefined {
  return (host, cert) => {
    if (verifyPeerCertificatePin(cert, pin)) return undefined;
    return new PinMismatchError(host, pin, peerPin(cert));
  };
}

export interface ConnectPinnedOptions {
  host: string;
  port: number;
  pin: string;
  /** SNI name; defaults to host when host is a name (never sent for IP addresses). */
  servername?: string;
  timeoutMs?: number;
  ALPNProtocols?: string[];
}

/**
 * Opens a TLS connection that trusts exactly the pinned key, whoever signed it, and resolves
 * only after the pin matched: nothing is written on the socket before. Hand the socket to
 * `https.request({ host, port, path, createConnection: () => socket })` (no `agent` option: with
 * an agent, even `agent: false`, Node ignores createConnection and dials again) or to
 * `new WebSocket(url, { createConnection: () => socket })`.
 */
export function connectPinned(options: ConnectPinnedOptions): Promise<tls.TLSSocket> {
  const { host, port, pin, timeoutMs = 10_000 } = options;
  if (!isSpkiPin(pin)) return Promise.reject(new TypeError(`Not an SPKI pin: ${JSON.stringify(pin)}`));
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const servername = options.servername ?? (isIP(host) ? undefined : host);
    const socket = tls.connect({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(options.ALPNProtocols ? { ALPNProtocols: options.ALPNProtocols } : {}),
      // The chain is not checked against system roots: the pin is the trust anchor.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => fail(new Error(`TLS connection to ${where} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      if (!verifyPeerCertificatePin(peer, pin)) return fail(new PinMismatchError(where, pin, peerPin(peer)));
      clearTimeout(timer);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}
