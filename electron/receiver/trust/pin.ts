/** SPKI pins, re-exported for the receiver side (the code lives in shared/ for the clients). */
export {
  PinMismatchError,
  checkServerIdentityWithPin,
  connectPinned,
  pinsEqual,
  spkiPin,
  verifyPeerCertificatePin,
  type ConnectPinnedOptions,
} from '../../../shared/discovery/tls-pin.nodejs';
