import { describe, expect, it } from 'vitest';
import {
  buildPairingUrl,
  PairingUrlError,
  parsePairingUrl,
  safeParsePairingUrl,
  type PairingInfo,
} from '../../../shared/discovery/pairing-url';

const fp = 'q1w2e3r4t5y6u7i8o9p0-_ASDFGHJKLZXCVBNMqwert';
const info: PairingInfo = {
  host: 'marys-mac.local',
  port: 8443,
  receiverId: '0b9c5a1e-2f4d-4c3b-9a8e-7d6c5b4a3f21',
  fp,
  code: '042917',
  name: 'Mary’s Mac & co',
};

describe('pairing URL', () => {
  it('round-trips', () => {
    const url = buildPairingUrl(info);
    expect(url.startsWith('shoebox://pair?host=marys-mac.local&port=8443&id=')).toBe(true);
    expect(parsePairingUrl(url)).toEqual(info);
  });

  it('round-trips IP hosts and omits the name when absent', () => {
    const v4 = { host: '10.213.0.1', port: 1, receiverId: 'r', fp, code: '000000' };
    expect(parsePairingUrl(buildPairingUrl(v4))).toEqual(v4);
    const v6 = { ...v4, host: 'fe80::1' };
    expect(parsePairingUrl(buildPairingUrl(v6))).toEqual(v6);
    expect(parsePairingUrl(buildPairingUrl(v6).replace('fe80%3A%3A1', '%5Bfe80%3A%3A1%5D')).host).toBe('fe80::1');
  });

  it('ignores unknown parameters (later versions may add some)', () => {
    expect(parsePairingUrl(`${buildPairingUrl(info)}&future=1`)).toEqual(info);
  });

  const bad: [string, string, RegExp][] = [
    ['another scheme', buildPairingUrl(info).replace('shoebox:', 'https:'), /Not a pairing URL/],
    ['another action', buildPairingUrl(info).replace('//pair', '//unpair'), /Not a pairing URL/],
    ['not a URL', 'pair me please', /does not parse/],
    ['a missing fp', buildPairingUrl(info).replace(/&fp=[^&]+/, ''), /"fp" is missing/],
    ['a short fp', buildPairingUrl(info).replace(fp, 'abc'), /"fp" must be a base64url/],
    ['a five-digit code', buildPairingUrl(info).replace('042917', '04291'), /"code" must be the six-digit/],
    ['port 0', buildPairingUrl(info).replace('8443', '0'), /"port" must be between/],
    ['port 70000', buildPairingUrl(info).replace('8443', '70000'), /"port" must be between/],
    ['a port with letters', buildPairingUrl(info).replace('8443', '84a3'), /"port" must be a port number/],
    ['a bad host', buildPairingUrl(info).replace('marys-mac.local', 'evil.com%2F%40x'), /"host" must be a host name/],
    ['an id with spaces', buildPairingUrl(info).replace(/id=[^&]+/, 'id=a+b'), /"id" must be a receiver id/],
    ['a duplicate fp', `${buildPairingUrl(info)}&fp=${'B'.repeat(43)}`, /"fp" more than once/],
    ['control characters in the name', buildPairingUrl(info).replace(/name=[^&]+/, 'name=a%0Ab'), /control characters/],
    ['a fragment', `${buildPairingUrl(info)}#x`, /fragment/],
    ['a huge URL', `${buildPairingUrl(info)}&pad=${'x'.repeat(3000)}`, /longer than/],
  ];
  it.each(bad)('refuses %s', (_label, url, message) => {
    expect(() => parsePairingUrl(url)).toThrow(PairingUrlError);
    expect(() => parsePairingUrl(url)).toThrow(message);
    const result = safeParsePairingUrl(url);
    expect(result.ok).toBe(false);
  });

  it('reports every problem at once', () => {
    const result = safeParsePairingUrl('shoebox://pair?host=x&port=0');
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/"port".*"id" is missing.*"fp" is missing.*"code" is missing/) as unknown,
    });
  });

  it('refuses to build a URL it would not parse', () => {
    expect(() => buildPairingUrl({ ...info, code: '12' })).toThrow(PairingUrlError);
  });
});
