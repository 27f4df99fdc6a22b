import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  certificateNames,
  dnsLabel,
  ensureCertificateAuthority,
  ensureServerCertificate,
  localHostName,
  SERVER_VALIDITY_DAYS,
  wantedSubjects,
} from '../../../../electron/receiver/trust';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-trust-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const subjects = {
  names: ['marys-mac.local', 'shoebox-on-marys-mac.local'],
  addresses: ['192.168.1.20', 'fe80::1', '2001:db8::20'],
};
const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;
const posix = process.platform !== 'win32';

describe('names', () => {
  it('makes display names safe DNS labels', () => {
    expect(dnsLabel('Mary’s MacBook Pro')).toBe('marys-macbook-pro');
    expect(dnsLabel('Élodie  (bureau) ✨')).toBe('elodie-bureau');
    expect(dnsLabel('!!!')).toBe('shoebox');
    expect(dnsLabel('x'.repeat(100))).toHaveLength(63);
  });
  it('derives <hostname>.local and the advertised name', () => {
    expect(localHostName('Marys-Mac.local')).toBe('marys-mac.local');
    expect(localHostName('desk.example.com')).toBe('desk.local');
    expect(certificateNames({ hostname: 'DESKTOP-42', advertisedName: 'Shoebox on Desk' })).toEqual([
      'desktop-42.local',
      'shoebox-on-desk.local',
    ]);
  });
  it('refuses names that are not DNS names and drops zoned/link-local addresses', () => {
    expect(() => wantedSubjects({ names: ["Mary's Mac"], addresses: [] })).toThrow(/Not a DNS name/);
    const w = wantedSubjects({ names: [], addresses: ['fe80::1%eth0', 'fe80::2', '0:0:0:0:0:0:0:1', 'nope'] });
    expect(w.ipAddresses).toEqual(['127.0.0.1', '::1']);
    expect(w.dnsNames).toEqual(['localhost']);
  });
});

describe('certificate authority and server certificate', () => {
  it('creates the CA and a server certificate iOS accepts, keys readable by the owner only', async () => {
    const dir = await dataDir();
    const result = await ensureServerCertificate(dir, subjects);
    expect(result.caCreated).toBe(true);
    expect(result.reissued).toBe(true);
    const tls = path.join(dir, 'tls');
    if (posix) {
      expect(await mode(tls)).toBe(0o700);
      expect(await mode(path.join(tls, 'ca-key.pem'))).toBe(0o600);
      expect(await mode(path.join(tls, 'server-key.pem'))).toBe(0o600);
    }
    const cert = new X509Certificate(result.certPem);
    const ca = new X509Certificate(result.caCertPem);
    expect(cert.subjectAltName?.split(', ').sort()).toEqual(
      [
        'DNS:localhost',
        'DNS:marys-mac.local',
        'DNS:shoebox-on-marys-mac.local',
        'IP Address:127.0.0.1',
        'IP Address:192.168.1.20',
        'IP Address:0:0:0:0:0:0:0:1',
        'IP Address:2001:DB8:0:0:0:0:0:20',
      ].sort(),
    );
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // EKU serverAuth
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(398);
    expect(days).toBeGreaterThan(SERVER_VALIDITY_DAYS - 2);
    expect(result.pin).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(result.caCertDer).equals(ca.raw)).toBe(true);
  });

  it.skipIf(!existsSync('/usr/bin/openssl'))('verifies with openssl as a TLS server certificate', async () => {
    const dir = await dataDir();
    const result = await ensureServerCertificate(dir, subjects);
    await writeFile(path.join(dir, 'server.pem'), result.certPem);
    const out = execFileSync('openssl', [
      'verify',
      '-purpose',
      'sslserver',
      '-x509_strict',
      '-CAfile',
      path.join(dir, 'tls', 'ca-cert.pem'),
      path.join(dir, 'server.pem'),
    ]).toString();
    expect(out).toMatch(/: OK/);
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', path.join(dir, 'server.pem')]).toString();
    expect(text).toMatch(/ecdsa-with-SHA256/);
  });

  it('keeps the certificate while nothing changes', async () => {
    const dir = await dataDir();
    const first = await ensureServerCertificate(dir, subjects);
    const second = await ensureServerCertificate(dir, { ...subjects, names: [...subjects.names].reverse() });
    expect(second.reissued).toBe(false);
    expect(second.caCreated).toBe(false);
    expect(second.certPem).toBe(first.certPem);
  });

  it('re-issues when the addresses change, keeping the key so the SPKI pin survives', async () => {
    const dir = await dataDir();
    const first = await ensureServerCertificate(dir, subjects);
    const second = await ensureServerCertificate(dir, { ...subjects, addresses: [...subjects.addresses, '10.0.0.7'] });
    expect(second.reissued).toBe(true);
    expect(second.ipAddresses).toContain('10.0.0.7');
    expect(second.certPem).not.toBe(first.certPem);
    expect(new X509Certificate(second.certPem).serialNumber).not.toBe(new X509Certificate(first.certPem).serialNumber);
    expect(second.pin).toBe(first.pin);
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.keyPem).toBe(first.keyPem);
  });

  it('re-issues 30 days before expiry', async () => {
    const dir = await dataDir();
    const first = await ensureServerCertificate(dir, subjects);
    const later = new Date(Date.now() + 370 * 86_400_000);
    const second = await ensureServerCertificate(dir, subjects, { now: later });
    expect(second.reissued).toBe(true);
    expect(second.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect(second.pin).toBe(first.pin);
  });

  it('gives another install another CA and another pin', async () => {
    const a = await ensureServerCertificate(await dataDir(), subjects);
    const b = await ensureServerCertificate(await dataDir(), subjects);
    expect(a.pin).not.toBe(b.pin);
    expect(a.caCertPem).not.toBe(b.caCertPem);
  });

  it.skipIf(!posix)('narrows a widened key file back to 0600', async () => {
    const dir = await dataDir();
    await ensureServerCertificate(dir, subjects);
    const key = path.join(dir, 'tls', 'ca-key.pem');
    await chmod(key, 0o644);
    await ensureCertificateAuthority(dir);
    expect(await mode(key)).toBe(0o600);
  });

  it('refuses to silently replace a damaged CA', async () => {
    const dir = await dataDir();
    await ensureServerCertificate(dir, subjects);
    const key = path.join(dir, 'tls', 'ca-key.pem');
    await writeFile(key, 'garbage');
    await expect(ensureServerCertificate(dir, subjects)).rejects.toThrow(/cannot be read.*Delete/s);
    expect(await readFile(key, 'utf8')).toBe('garbage');
  });
});
