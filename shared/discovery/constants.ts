/** Constants of Shoebox's DNS-SD advertisement and pairing data (Node and browser). */
import { PATHS, PROTOCOL_VERSION } from '../protocol/constants';

/** DNS-SD service type name as bonjour-service wants it (it adds the underscores): `_shoebox._tcp`. */
export const SERVICE_TYPE = 'shoebox';
export const SERVICE_PROTOCOL = 'tcp';
/** The full DNS-SD service type domain that browsers query. */
export const SERVICE_DOMAIN = '_shoebox._tcp.local';

/**
 * TXT record keys. `pair` carries the "pairing is open" flag, so the pairing endpoint's path
 * needs another key: `pairpath`.
 */
export const TXT_KEYS = {
  version: 'v',
  receiverId: 'id',
  fp: 'fp',
  pairingOpen: 'pair',
  tls: 'tls',
  infoPath: 'info',
  streamPath: 'stream',
  pairPath: 'pairpath',
} as const;

export const DEFAULT_PATHS = { info: PATHS.info, stream: PATHS.stream, pair: PATHS.pair } as const;
export const DEFAULT_PROTOCOL_VERSION = PROTOCOL_VERSION;

/** An SPKI pin: SHA-256 of the certificate's SubjectPublicKeyInfo, base64url without padding. */
export const SPKI_PIN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Receiver ids: what the receiver generates (a UUID, say); kept to safe characters. */
export const RECEIVER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** DNS-SD instance names are at most 63 bytes of UTF-8 (RFC 6763 section 4.1.1). */
export const MAX_INSTANCE_NAME_BYTES = 63;
