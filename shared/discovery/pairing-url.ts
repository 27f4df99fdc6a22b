/**
 * The pairing URL shown as a QR code by the receiver and read by the phone or the simulator:
 *   shoebox://pair?host=...&port=...&id=...&fp=...&code=...&name=...
 * Runs in Node and the browser. Parsing is strict: it is security-relevant input (the pin).
 */
import { z } from 'zod';
import { PAIRING_CODE_PATTERN } from '../protocol/constants';
import { RECEIVER_ID_PATTERN, SPKI_PIN_PATTERN } from './constants';

export const PAIRING_URL_PREFIX = 'shoebox://pair';
const MAX_URL_LENGTH = 2048;
const MAX_NAME_LENGTH = 100;

export interface PairingInfo {
  /** A host name (e.g. `mary-mac.local`) or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
  receiverId: string;
  /** SPKI pin of the receiver's TLS certificate (SHA-256, base64url). */
  fp: string;
  /** The pairing code (six digits). */
  code: string;
  /** The receiver's display name, if given. */
  name?: string;
}

export class PairingUrlError extends Error {
  override readonly name = 'PairingUrlError';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function isIpv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function isHostName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label));
}

const hostSchema = z
  .string()
  .transform((h) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h))
  .refine((h) => IPV4.test(h) || isIpv6(h) || isHostName(h), 'must be a host name or an IP address');

const fields = {
  host: hostSchema,
  port: z
    .string()
    .regex(/^[0-9]{1,5}$/, 'must be a port number')
    .transform(Number)
    .refine((p) => p >= 1 && p <= 65535, 'must be between 1 and 65535'),
  id: z.string().regex(RECEIVER_ID_PATTERN, 'must be a receiver id (1-64 letters, digits, . _ : -)'),
  fp: z.string().regex(SPKI_PIN_PATTERN, 'must be a base64url SHA-256 pin (43 characters)'),
  code: z.string().regex(PAIRING_CODE_PATTERN, 'must be the six-digit pairing code'),
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_NAME_LENGTH, `is longer than ${MAX_NAME_LENGTH} characters`)
    // eslint-disable-next-line no-control-regex
    .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), 'must not contain control characters')
    .optional(),
};
const paramsSchema = z.object(fields);
const KNOWN = Object.keys(fields);

export function buildPairingUrl(info: PairingInfo): string {
  const params = new URLSearchParams({
    host: info.host,
    port: String(info.port),
    id: info.receiverId,
    fp: info.fp,
    code: info.code,
  });
  if (info.name !== undefined) params.set('name', info.name);
  const url = `${PAIRING_URL_PREFIX}?${params.toString()}`;
  parsePairingUrl(url); // refuse to build what a client would refuse to read
  return url;
}

export type PairingUrlResult = { ok: true; value: PairingInfo } | { ok: false; error: string };

export function safeParsePairingUrl(input: string): PairingUrlResult {
  try {
    return { ok: true, value: parsePairingUrl(input) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Parses and validates a pairing URL; throws PairingUrlError with a readable message. */
export function parsePairingUrl(input: string): PairingInfo {
  if (typeof input !== 'string') throw new PairingUrlError('Pairing URL must be a string');
  const text = input.trim();
  if (text.length > MAX_URL_LENGTH)
    throw new PairingUrlError(`Pairing URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PairingUrlError('Not a pairing URL: it does not parse as a URL');
  }
  if (url.protocol !== 'shoebox:' || url.hostname !== 'pair' || (url.pathname !== '' && url.pathname !== '/')) {
    throw new PairingUrlError(`Not a pairing URL: expected it to start with ${PAIRING_URL_PREFIX}?`);
  }
  if (url.username || url.password || url.port || url.hash) {
    throw new PairingUrlError('Not a pairing URL: unexpected user, port or fragment part');
  }
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!KNOWN.includes(key)) continue; // ignore parameters added by later versions
    if (key in raw) throw new PairingUrlError(`Pairing URL has "${key}" more than once`);
    raw[key] = value;
  }
  const parsed = paramsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.') || 'URL';
      return issue.code === 'invalid_type' ? `"${key}" is missing` : `"${key}" ${issue.message}`;
    });
    throw new PairingUrlError(`Invalid pairing URL: ${problems.join('; ')}`);
  }
  const p = parsed.data;
  const info: PairingInfo = { host: p.host, port: p.port, receiverId: p.id, fp: p.fp, code: p.code };
  if (p.name !== undefined) info.name = p.name;
  return info;
}
