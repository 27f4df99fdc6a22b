/** The "Pair an iPhone" panel's state: code, pairing URL as a QR code, trust-profile links. */
import type { PairingState } from '../../shared/app-api';
import type { Receiver } from '../receiver/receiver';
import { pairingQrSvg } from '../receiver/trust/pairing-qr';

let cached: { url: string; svg: string } | undefined;

async function qrFor(url: string): Promise<string> {
  if (cached?.url !== url) cached = { url, svg: await pairingQrSvg(url, { margin: 1 }) };
  return cached.svg;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function pairingState(receiver: Receiver): Promise<PairingState> {
  const current = receiver.pairingCode;
  const trust = receiver.trust;
  const host = trust?.host ?? (receiver.host === '0.0.0.0' || receiver.host === '::' ? '127.0.0.1' : receiver.host);
  const base = `${trust ? 'https' : 'http'}://${bracket(host)}:${receiver.port}`;
  const pairingUrl = current && trust ? trust.pairingUrl(current.code) : null;
  return {
    open: current !== null,
    code: current?.code ?? null,
    expiresAt: current?.expiresAt.toISOString() ?? null,
    pairingUrl,
    qrSvg: pairingUrl ? await qrFor(pairingUrl) : null,
    profileUrl: trust ? `${base}${trust.profilePath}` : null,
    caCertUrl: trust ? `${base}${trust.caCerPath}` : null,
    receiverName: receiver.name,
    host,
    port: receiver.port,
  };
}
