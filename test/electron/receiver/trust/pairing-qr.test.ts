import { describe, expect, it } from 'vitest';
import { pairingQrPng, pairingQrSvg, pairingQrTerminal } from '../../../../electron/receiver/trust';
import { buildPairingUrl } from '../../../../shared/discovery/pairing-url';

describe('pairing QR code', () => {
  const url = buildPairingUrl({
    host: 'desk.local',
    port: 8443,
    receiverId: 'rcv-1',
    fp: 'A'.repeat(43),
    code: '123456',
    name: 'Desk',
  });

  it('renders SVG, PNG and terminal text', async () => {
    const svg = await pairingQrSvg(url);
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path');
    const png = await pairingQrPng(url);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const text = await pairingQrTerminal(url);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(15);
    expect(lines.length).toBeLessThan(40);
    expect(text).toMatch(/[▀▄█]/);
  });
});
