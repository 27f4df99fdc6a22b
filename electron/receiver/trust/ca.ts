/**
 * The local certificate authority of this install. Created on first run; its private key never
 * leaves this computer (`<dataDir>/tls/ca-key.pem`, mode 0600). The iPhone trusts this CA once
 * (configuration profile), then trusts every server certificate it signs.
 */
import { createPrivateKey, randomBytes, X509Certificate as NodeX509Certificate } from 'node:crypto';
import path from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../../../shared/storage/index.nodejs';
import { ensurePrivateDir, keepPrivate } from './files';
import { KEY_ALGORITHM, SIGNING_ALGORITHM, generateKeyPair, randomSerialNumber, subtle, x509 } from './x509';

export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';
/** The CA lives long: replacing it means reinstalling the profile on every phone. */
const CA_VALIDITY_DAYS = 3650;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateAuthority {
  cert: x509.X509Certificate;
  certPem: string;
  certDer: Uint8Array;
  privateKey: CryptoKey;
  /** True when this call generated it (first run). */
  created: boolean;
}

export function tlsDir(dataDir: string): string {
  return path.join(dataDir, TLS_DIR);
}

export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function toDer(cert: x509.X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}

/** Loads this install's CA, creating it on first run. Refuses to silently replace a damaged one. */
export async function ensureCertificateAuthority(
  dataDir: string,
  options: { now?: Date } = {},
): Promise<CertificateAuthority> {
  const dir = tlsDir(dataDir);
  await ensurePrivateDir(dir);
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  const [certPem, keyPem] = await Promise.all([readTextIfExists(certFile), readTextIfExists(keyFile)]);
  if (certPem !== undefined && keyPem !== undefined) {
    await keepPrivate(keyFile);
    return loadAuthority(certPem, keyPem, certFile, keyFile);
  }
  // None, or half of a pair (a crash during the first run): nothing can have trusted it yet.
  return createAuthority(certFile, keyFile, options.now ?? new Date());
}

async function loadAuthority(
  certPem: string,
  keyPem: string,
  certFile: string,
  keyFile: string,
): Promise<CertificateAuthority> {
  let cert: x509.X509Certificate;
  let privateKey: CryptoKey;
  try {
    cert = new x509.X509Certificate(certPem);
    privateKey = await importPrivateKeyPem(keyPem);
  } catch (err) {
    throw new Error(
      `The TLS certificate authority in ${path.dirname(certFile)} cannot be read (${(err as Error).message}). ` +
        `Delete ${certFile} and ${keyFile} to create a new one; phones will then need the new profile.`,
    );
  }
  const nodeCert = new NodeX509Certificate(certPem);
  if (!nodeCert.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error(`${keyFile} is not the private key of ${certFile}: delete both to create a new authority.`);
  }
  return { cert, certPem: cert.toString('pem'), certDer: toDer(cert), privateKey, created: false };
}

async function createAuthority(certFile: string, keyFile: string, now: Date): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const tag = randomBytes(4).toString('hex');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=Shoebox Local CA ${tag}, O=Shoebox`,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = cert.toString('pem');
  // Key first: a cert without its key is useless, a key without a cert is just regenerated.
  await writeFileAtomic(keyFile, await exportPrivateKeyPem(keys.privateKey), { durability: 'durable', mode: 0o600 });
  await writeFileAtomic(certFile, `${certPem}\n`, { durability: 'durable', mode: 0o644 });
  return { cert, certPem, certDer: toDer(cert), privateKey: keys.privateKey, created: true };
}
