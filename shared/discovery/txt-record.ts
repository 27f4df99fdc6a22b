/**
 * The receiver's DNS-SD TXT record: encoding on the receiver, defensive parsing on clients
 * (it is network input). Runs in Node and the browser.
 */
import { z } from 'zod';
import { DEFAULT_PATHS, RECEIVER_ID_PATTERN, SPKI_PIN_PATTERN, TXT_KEYS } from './constants';

export interface ReceiverPaths {
  info: string;
  stream: string;
  pair: string;
}

export interface ReceiverTxt {
  protocolVersion: number;
  receiverId: string;
  /** The SPKI pin of the TLS certificate; absent only when tls is false. */
  fp?: string;
  pairingOpen: boolean;
  tls: boolean;
  paths: ReceiverPaths;
}

export type TxtParseResult = { ok: true; txt: ReceiverTxt } | { ok: false; error: string };

/** Longest TXT string: one length byte (RFC 6763 section 6.1). */
const MAX_TXT_STRING_BYTES = 255;
const MAX_TXT_STRINGS = 64;

export function encodeReceiverTxt(txt: ReceiverTxt): Record<string, string> {
  const out: Record<string, string> = {
    [TXT_KEYS.version]: String(txt.protocolVersion),
    [TXT_KEYS.receiverId]: txt.receiverId,
    [TXT_KEYS.pairingOpen]: txt.pairingOpen ? '1' : '0',
    [TXT_KEYS.tls]: txt.tls ? '1' : '0',
    [TXT_KEYS.infoPath]: txt.paths.info,
    [TXT_KEYS.streamPath]: txt.paths.stream,
    [TXT_KEYS.pairPath]: txt.paths.pair,
  };
  if (txt.fp !== undefined) out[TXT_KEYS.fp] = txt.fp;
  const checked = parseReceiverTxt(out);
  if (!checked.ok) throw new Error(`Invalid TXT record for the advertisement: ${checked.error}`);
  for (const [key, value] of Object.entries(out)) {
    if (new TextEncoder().encode(`${key}=${value}`).length > MAX_TXT_STRING_BYTES) {
      throw new Error(`TXT entry "${key}" is longer than ${MAX_TXT_STRING_BYTES} bytes`);
    }
  }
  return out;
}

/**
 * Decodes raw TXT strings as RFC 6763 section 6 says: key up to the first "=", keys compared
 * case-insensitively, the first occurrence of a key wins, empty strings and strings that are not
 * UTF-8 are skipped. Keys become lowercase.
 */
export function decodeTxtStrings(strings: readonly Uint8Array[]): Record<string, string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const raw of strings.slice(0, MAX_TXT_STRINGS)) {
    if (raw.length === 0 || raw.length > MAX_TXT_STRING_BYTES) continue;
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      continue;
    }
    const eq = text.indexOf('=');
    const key = (eq === -1 ? text : text.slice(0, eq)).toLowerCase();
    if (key.length === 0 || !/^[\x20-\x3c\x3e-\x7e]+$/.test(key) || key in out) continue;
    out[key] = eq === -1 ? '' : text.slice(eq + 1);
  }
  return out;
}

const flag = z.enum(['0', '1'], { message: 'must be "0" or "1"' });
const pathValue = z
  .string()
  .max(128, 'is longer than 128 characters')
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/, 'must be an absolute URL path');

const txtSchema = z
  .object({
    [TXT_KEYS.version]: z.string().regex(/^[1-9][0-9]{0,2}$/, 'must be a protocol version number'),
    [TXT_KEYS.receiverId]: z.string().regex(RECEIVER_ID_PATTERN, 'must be a receiver id (letters, digits, . _ : -)'),
    [TXT_KEYS.fp]: z
      .string()
      .regex(SPKI_PIN_PATTERN, 'must be a base64url SHA-256 SPKI pin (43 characters)')
      .optional(),
    [TXT_KEYS.pairingOpen]: flag.optional(),
    [TXT_KEYS.tls]: flag.optional(),
    [TXT_KEYS.infoPath]: pathValue.optional(),
    [TXT_KEYS.streamPath]: pathValue.optional(),
    [TXT_KEYS.pairPath]: pathValue.optional(),
  })
  .superRefine((txt, ctx) => {
    const tls = txt[TXT_KEYS.tls] !== '0';
    if (tls && txt[TXT_KEYS.fp] === undefined) {
      ctx.addIssue({ code: 'custom', path: [TXT_KEYS.fp], message: 'is required when tls is on' });
    }
  });

/** Validates a decoded TXT record (string values; keys lowercase). Unknown keys are ignored. */
export function parseReceiverTxt(entries: Readonly<Record<string, unknown>>): TxtParseResult {
  const result = txtSchema.safeParse(entries);
  if (!result.success) {
    const error = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'TXT'} ${issue.message}`)
      .join('; ');
    return { ok: false, error };
  }
  const t = result.data;
  const txt: ReceiverTxt = {
    protocolVersion: Number(t[TXT_KEYS.version]),
    receiverId: t[TXT_KEYS.receiverId],
    pairingOpen: t[TXT_KEYS.pairingOpen] === '1',
    tls: t[TXT_KEYS.tls] !== '0',
    paths: {
      info: t[TXT_KEYS.infoPath] ?? DEFAULT_PATHS.info,
      stream: t[TXT_KEYS.streamPath] ?? DEFAULT_PATHS.stream,
      pair: t[TXT_KEYS.pairPath] ?? DEFAULT_PATHS.pair,
    },
  };
  const fp = t[TXT_KEYS.fp];
  if (fp !== undefined) txt.fp = fp;
  return { ok: true, txt };
}
