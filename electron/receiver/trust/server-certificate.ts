/**
 * The receiver's TLS server certificate, signed by the install's CA, following Apple's rules for
 * TLS server certificates: SAN required (the CN is ignored), serverAuth EKU, ECDSA P-256 key,
 * SHA-256 signature, validity of at most 398 days (we use 397).
 *
 * The server key pair is created once and kept: re-issuing for new SANs keeps the public key, so
 * the SPKI pin clients hold stays valid.
 */
import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { spkiPin } from '../../../shared/discovery/tls-pin.nodejs';
import {
  type CertificateAuthority,
  ensureCertificateAuthority,
  exportPrivateKeyPem,
  importPrivateKeyPem,
  tlsDir,
} from './ca';
import { readTextIfExists, writeFileAtomic } from '../../../shared/storage/index.nodejs';
import { keepPrivate } from './files';
import { KEY_ALGORITHM, SIGNING_ALGORITHM, generateKeyPair, randomSerialNumber, subtle, x509 } from './x509';

export const SERVER_CERT_FILE = 'server-cert.pem';
export const SERVER_KEY_FILE = 'server-key.pem';
const DAY_MS = 24 * 60 * 60 * 1000;
export const SERVER_VALIDITY_DAYS = 397;
const RENEW_BEFORE_DAYS = 30;
const ALWAYS_NAMES = ['localhost'];
const ALWAYS_ADDRESSES = ['127.0.0.1', '::1'];

export interface CertificateSubjects {
  /** DNS names: `<hostname>.local`, the advertised name as a label (see names.ts). */
  names: string[];
  /** IP addresses of the LAN interfaces. Loopback is always added. */
  addresses: string[];
}

export interface ServerCertificate {
  /** For `https.createServer({ key: keyPem, cert: certPem })`. */
  certPem: string;
  keyPem: string;
  certDer: Uint8Array;
  caCertPem: string;
  caCertDer: Uint8Array;
  /** SPKI pin of the server key: SHA-256, base64url. Advertise it in TXT and in the QR code. */
  pin: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  /** True when this call issued a new certificate. */
  reissued: boolean;
  /** True when this call created the CA (first run). */
  caCreated: boolean;
}

export interface EnsureOptions {
  now?: Date;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** A canonical text form so "::1" and "0:0:0:0:0:0:0:1" compare equal. */
function normalizeAddress(address: string): string | undefined {
  const bare = address.trim().replace(/^\[|\]$/g, '');
  if (bare.includes('%')) return undefined; // zoned (link-local) addresses cannot go in a SAN
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

const DNS_NAME = /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-))(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

/** The SAN sets a certificate for these subjects must carry, sorted. */
export function wantedSubjects(subjects: CertificateSubjects): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set(ALWAYS_NAMES);
  for (const name of subjects.names) {
    const n = normalizeName(name);
    if (!DNS_NAME.test(n))
      throw new Error(`Not a DNS name for the certificate: ${JSON.stringify(name)} (use dnsLabel())`);
    dnsNames.add(n);
  }
  const ipAddresses = new Set(ALWAYS_ADDRESSES);
  for (const address of subjects.addresses) {
    const a = normalizeAddress(address);
    if (a !== undefined && !a.startsWith('fe80:')) ipAddresses.add(a);
  }
  return { dnsNames: [...dnsNames].sort(), ipAddresses: [...ipAddresses].sort() };
}

/** Reads the DNS and IP SANs of a certificate. */
export function certificateSubjects(cert: x509.X509Certificate): { dnsNames: string[]; ipAddresses: string[] } {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const json = san ? san.names.toJSON() : [];
  const dnsNames = json.filter((n) => n.type === 'dns').map((n) => normalizeName(n.value));
  const ipAddresses = json.filter((n) => n.type === 'ip').map((n) => normalizeAddress(n.value) ?? n.value);
  return { dnsNames: [...new Set(dnsNames)].sort(), ipAddresses: [...new Set(ipAddresses)].sort() };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function loadOrCreateServerKey(
  keyFile: string,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; keyPem: string }> {
  let keyPem = await readTextIfExists(keyFile);
  if (keyPem === undefined) {
    const keys = await generateKeyPair();
    keyPem = await exportPrivateKeyPem(keys.privateKey);
    await writeFileAtomic(keyFile, keyPem, { durability: 'durable', mode: 0o600 });
    return { ...keys, keyPem };
  }
  await keepPrivate(keyFile);
  const privateKey = await importPrivateKeyPem(keyPem);
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const publicKey = await subtle.importKey('spki', spki, KEY_ALGORITHM, true, ['verify']);
  return { privateKey, publicKey, keyPem };
}

async function isStillGood(
  cert: x509.X509Certificate,
  ca: CertificateAuthority,
  keyPem: string,
  wanted: { dnsNames: string[]; ipAddresses: string[] },
  now: Date,
): Promise<boolean> {
  if (cert.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  if (cert.notBefore.getTime() > now.getTime()) return false;
  const keySpki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  if (!Buffer.from(cert.publicKey.rawData).equals(keySpki)) return false;
  if (!(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }))) return false;
  const have = certificateSubjects(cert);
  return sameList(have.dnsNames, wanted.dnsNames) && sameList(have.ipAddresses, wanted.ipAddresses);
}

async function issue(
  ca: CertificateAuthority,
  publicKey: CryptoKey,
  wanted: { dnsNames: string[]; ipAddresses: string[] },
  now: Date,
): Promise<x509.X509Certificate> {
  const primary = wanted.dnsNames.find((n) => n !== 'localhost') ?? 'localhost';
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: `CN=${primary}, O=Shoebox`,
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS - 2 * 60 * 60 * 1000),
    publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...wanted.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...wanted.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
}

/**
 * Returns a server certificate covering exactly these names and addresses (plus localhost,
 * 127.0.0.1 and ::1), creating the CA and the server key on first run and re-issuing the
 * certificate when the SANs change, it nears expiry, or the CA no longer matches.
 */
export async function ensureServerCertificate(
  dataDir: string,
  subjects: CertificateSubjects,
  options: EnsureOptions = {},
): Promise<ServerCertificate> {
  const now = options.now ?? new Date();
  const wanted = wantedSubjects(subjects);
  const ca = await ensureCertificateAuthority(dataDir, { now });
  const dir = tlsDir(dataDir);
  const certFile = path.join(dir, SERVER_CERT_FILE);
  const key = await loadOrCreateServerKey(path.join(dir, SERVER_KEY_FILE));

  let cert: x509.X509Certificate | undefined;
  const existingPem = await readTextIfExists(certFile);
  if (existingPem !== undefined) {
    try {
      const existing = new x509.X509Certificate(existingPem);
      if (await isStillGood(existing, ca, key.keyPem, wanted, now)) cert = existing;
    } catch {
      cert = undefined; // unreadable: issue a new one
    }
  }
  const reissued = cert === undefined;
  if (!cert) {
    cert = await issue(ca, key.publicKey, wanted, now);
    await writeFileAtomic(certFile, `${cert.toString('pem')}\n`, { durability: 'durable', mode: 0o644 });
  }
  const certDer = new Uint8Array(cert.rawData);
  const sans = certificateSubjects(cert);
  return {
    certPem: cert.toString('pem'),
    keyPem: key.keyPem,
    certDer,
    caCertPem: ca.certPem,
    caCertDer: ca.certDer,
    pin: spkiPin(certDer),
    dnsNames: sans.dnsNames,
    ipAddresses: sans.ipAddresses,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    reissued,
    caCreated: ca.created,
  };
}
