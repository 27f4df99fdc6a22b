/** TLS trust for the receiver: local CA, server certificate, pins, iOS profile, pairing QR. */
export { ensureCertificateAuthority, tlsDir, type CertificateAuthority } from './ca';
export {
  certificateSubjects,
  ensureServerCertificate,
  wantedSubjects,
  SERVER_VALIDITY_DAYS,
  type CertificateSubjects,
  type ServerCertificate,
} from './server-certificate';
export { certificateNames, dnsLabel, localHostName } from './names';
export * from './pin';
export {
  buildCaMobileconfig,
  CA_CER_CONTENT_TYPE,
  CA_CER_PATH,
  MOBILECONFIG_CONTENT_TYPE,
  MOBILECONFIG_PATH,
} from './mobileconfig';
export { pairingQrPng, pairingQrSvg, pairingQrTerminal } from './pairing-qr';
