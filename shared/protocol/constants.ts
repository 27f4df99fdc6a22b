/** Wire-protocol constants shared by the receiver and every client (Node and browser). */

export const PRODUCT = 'shoebox';
export const PROTOCOL_VERSION = 1;

export const PATHS = {
  info: '/v1/info',
  pair: '/v1/pair',
  stream: '/v1/stream',
} as const;

/** PHAssetResourceType cases, as the iPhone names them. */
export const RESOURCE_TYPES = [
  'photo',
  'video',
  'audio',
  'alternatePhoto',
  'fullSizePhoto',
  'fullSizeVideo',
  'adjustmentData',
  'adjustmentBasePhoto',
  'pairedVideo',
  'fullSizePairedVideo',
  'adjustmentBasePairedVideo',
  'adjustmentBaseVideo',
  'photoProxy',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Largest binary chunk a client may send (payload bytes, header excluded). */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
/** Chunk size clients use unless told otherwise. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Largest JSON (text) message either side accepts. */
export const MAX_TEXT_MESSAGE_BYTES = 64 * 1024;
/** Default largest upload the receiver accepts: 50 GB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1000 ** 3;
/** Upload ids are uint32 handles chosen by the client, unique per connection. */
export const MAX_UPLOAD_ID = 0xffff_ffff;
/** Device tokens are 32 random bytes, base64url without padding (43 characters). */
export const DEVICE_TOKEN_LENGTH = 43;
/** Pairing codes are six decimal digits. */
export const PAIRING_CODE_PATTERN = /^[0-9]{6}$/;

/** WebSocket close codes the receiver uses (4000-4999 is the application range). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  messageTooBig: 1009,
  authFailed: 4001,
  deviceRevoked: 4003,
  idleTimeout: 4008,
  badMessage: 4400,
} as const;
