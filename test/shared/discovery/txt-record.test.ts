import { describe, expect, it } from 'vitest';
import {
  decodeTxtStrings,
  encodeReceiverTxt,
  parseReceiverTxt,
  type ReceiverTxt,
} from '../../../shared/discovery/txt-record';

const fp = 'A'.repeat(42) + 'w';
const txt: ReceiverTxt = {
  protocolVersion: 1,
  receiverId: 'rcv-1',
  fp,
  pairingOpen: true,
  tls: true,
  paths: { info: '/v1/info', stream: '/v1/stream', pair: '/v1/pair' },
};
const bytes = (entries: string[]): Uint8Array[] => entries.map((e) => new TextEncoder().encode(e));

describe('TXT record', () => {
  it('encodes the documented keys and parses them back', () => {
    const encoded = encodeReceiverTxt(txt);
    expect(encoded).toEqual({
      v: '1',
      id: 'rcv-1',
      fp,
      pair: '1',
      tls: '1',
      info: '/v1/info',
      stream: '/v1/stream',
      pairpath: '/v1/pair',
    });
    expect(parseReceiverTxt(encoded)).toEqual({ ok: true, txt });
  });

  it('decodes raw strings as RFC 6763 says: first key wins, case-insensitive, bad UTF-8 skipped', () => {
    const raw = [...bytes(['V=1', 'v=2', 'id=a=b', 'flag', '', '=novalue']), new Uint8Array([0x66, 0x3d, 0xff])];
    expect(decodeTxtStrings(raw)).toEqual({ v: '1', id: 'a=b', flag: '' });
  });

  it('fills default paths and reads missing flags as off, except tls', () => {
    const result = parseReceiverTxt({ v: '1', id: 'r', fp });
    expect(result).toMatchObject({ ok: true, txt: { pairingOpen: false, tls: true, paths: { pair: '/v1/pair' } } });
  });

  it.each([
    [{ id: 'r', fp }, /^v /],
    [{ v: 'one', id: 'r', fp }, /v must be a protocol version/],
    [{ v: '1', id: 'r b', fp }, /id must be a receiver id/],
    [{ v: '1', id: 'r' }, /fp is required when tls is on/],
    [{ v: '1', id: 'r', fp: 'x' }, /fp must be a base64url/],
    [{ v: '1', id: 'r', fp, pair: 'yes' }, /pair must be "0" or "1"/],
    [{ v: '1', id: 'r', fp, stream: 'http://evil/' }, /stream must be an absolute URL path/],
    [{ v: '1', id: 'r', fp, info: '/a b' }, /info must be an absolute URL path/],
  ])('refuses %o', (entries, message) => {
    const result = parseReceiverTxt(entries);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('accepts plain HTTP without a pin, and refuses to encode TLS without one', () => {
    expect(parseReceiverTxt({ v: '1', id: 'r', tls: '0' })).toMatchObject({ ok: true, txt: { tls: false } });
    expect(() => encodeReceiverTxt({ ...txt, fp: undefined })).toThrow(/fp is required/);
  });
});
