/** Renders the pairing URL as a QR code: SVG or PNG for the window, text for the terminal. */
import QRCode from 'qrcode';

/** Medium error correction: the URL is ~150 characters, so the code stays easy to scan. */
const ERROR_CORRECTION = 'M' as const;

export async function pairingQrSvg(url: string, options: { margin?: number; width?: number } = {}): Promise<string> {
  return QRCode.toString(url, {
    type: 'svg',
    errorCorrectionLevel: ERROR_CORRECTION,
    margin: options.margin ?? 2,
    ...(options.width !== undefined ? { width: options.width } : {}),
  });
}

export async function pairingQrPng(url: string, options: { width?: number } = {}): Promise<Buffer> {
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: ERROR_CORRECTION,
    margin: 2,
    width: options.width ?? 320,
  });
}

/** Text for a terminal (headless mode): half-height blocks, so it fits an 80x24 window. */
export async function pairingQrTerminal(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: ERROR_CORRECTION });
}
