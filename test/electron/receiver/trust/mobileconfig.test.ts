import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCaMobileconfig,
  CA_CER_CONTENT_TYPE,
  ensureCertificateAuthority,
  MOBILECONFIG_CONTENT_TYPE,
} from '../../../../electron/receiver/trust';

/** A small XML well-formedness check: every element closes in order, no stray "<" or "&". */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*<!DOCTYPE[^>]*>\s*/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w.-]*)([^<>]*?)(\/?)>|<|&(?!(amp|lt|gt|quot|apos);)/g)) {
    if (m[2] === undefined) throw new Error(`stray markup at ${m.index}`);
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

const hasPython = spawnSync('python3', ['-c', 'import plistlib'], { encoding: 'utf8' }).status === 0;
const dirs: string[] = [];
let caDer: Uint8Array;
let otherCaDer: Uint8Array;

beforeAll(async () => {
  for (let i = 0; i < 2; i += 1) dirs.push(await mkdtemp(path.join(os.tmpdir(), 'shoebox-profile-')));
  caDer = (await ensureCertificateAuthority(dirs[0]!)).certDer;
  otherCaDer = (await ensureCertificateAuthority(dirs[1]!)).certDer;
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('iOS configuration profile', () => {
  it('is a well-formed plist with the CA as a com.apple.security.root payload', () => {
    const xml = buildCaMobileconfig({ caCertDer: caDer, receiverName: 'Mary’s <Mac> & co' });
    assertWellFormedXml(xml);
    expect(xml).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"');
    expect(xml).toContain('<string>com.apple.security.root</string>');
    expect(xml).toContain('<string>Configuration</string>');
    expect(xml).toContain('<string>Shoebox on Mary’s &lt;Mac&gt; &amp; co</string>');
    const data = /<data>([\s\S]*?)<\/data>/.exec(xml)![1]!.replace(/\s+/g, '');
    const embedded = Buffer.from(data, 'base64');
    expect(embedded.equals(Buffer.from(caDer))).toBe(true);
    expect(new X509Certificate(embedded).ca).toBe(true);
  });

  it('has stable UUIDs derived from the CA, different per install', () => {
    const uuids = (xml: string): string[] =>
      [...xml.matchAll(/<key>PayloadUUID<\/key>\s*<string>([^<]+)</g)].map((m) => m[1]!);
    const a1 = uuids(buildCaMobileconfig({ caCertDer: caDer, receiverName: 'Desk' }));
    const a2 = uuids(buildCaMobileconfig({ caCertDer: caDer, receiverName: 'Renamed desk' }));
    const b = uuids(buildCaMobileconfig({ caCertDer: otherCaDer, receiverName: 'Desk' }));
    expect(a1).toHaveLength(2);
    for (const u of a1) expect(u).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(a1[0]).not.toBe(a1[1]);
    expect(a2).toEqual(a1);
    expect(b).not.toContain(a1[0]);
  });

  it.skipIf(!hasPython)('parses with Python plistlib (a real plist parser)', () => {
    const xml = buildCaMobileconfig({ caCertDer: caDer, receiverName: 'Desk & co' });
    const script = [
      'import plistlib, sys, json, base64',
      'p = plistlib.loads(sys.stdin.buffer.read())',
      'r = p["PayloadContent"][0]',
      'print(json.dumps({"type": p["PayloadType"], "name": p["PayloadDisplayName"], "rtype": r["PayloadType"],',
      '  "der": base64.b64encode(r["PayloadContent"]).decode(), "v": p["PayloadVersion"]}))',
    ].join('\n');
    const out = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const parsed = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(parsed).toEqual({
      type: 'Configuration',
      name: 'Shoebox on Desk & co',
      rtype: 'com.apple.security.root',
      der: Buffer.from(caDer).toString('base64'),
      v: 1,
    });
  });

  it('names the content types the endpoints serve', () => {
    expect(MOBILECONFIG_CONTENT_TYPE).toBe('application/x-apple-aspen-config');
    expect(CA_CER_CONTENT_TYPE).toBe('application/pkix-cert');
  });
});
