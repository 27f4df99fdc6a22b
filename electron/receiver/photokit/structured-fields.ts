/**
 * The few HTTP Structured Field (RFC 9651) shapes the PhotoKit endpoints read and write: Boolean and
 * Integer items (Upload-Complete, Upload-Offset, Upload-Length) and the Repr-Digest dictionary of
 * RFC 9530. Parsers return null for anything that is not exactly the expected shape.
 */

/** Largest Integer a Structured Field may carry (15 digits). */
const SF_INTEGER = /^[0-9]{1,15}$/;
const SF_BOOLEAN = /^\?([01])$/;
/** One dictionary member whose value is a Byte Sequence, with optional parameters we ignore. */
const BYTES_MEMBER = /^([a-z*][a-z0-9_.*-]{0,63})=:([A-Za-z0-9+/]*={0,2}):(?:;[\x21-\x7e]*)?$/;

/** `?1` / `?0`, else null. */
export function parseSfBoolean(value: string): boolean | null {
  const match = SF_BOOLEAN.exec(value.trim());
  return match ? match[1] === '1' : null;
}

/** A non-negative Integer item, else null. */
export function parseSfInteger(value: string): number | null {
  const trimmed = value.trim();
  return SF_INTEGER.test(trimmed) ? Number(trimmed) : null;
}

/**
 * The SHA-256 in a `Repr-Digest` field (`sha-256=:<base64>:`, other algorithms ignored), as lowercase hex.
 * null when the dictionary has no sha-256 member; 'invalid' when the field is malformed.
 */
export function parseReprDigestSha256(value: string): string | null {
  let found: string | null = null;
  for (const raw of value.split(',')) {
    const member = BYTES_MEMBER.exec(raw.trim());
    if (!member) return 'invalid';
    if (member[1] !== 'sha-256') continue;
    const encoded = member[2] ?? '';
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.byteLength !== 32 || bytes.toString('base64') !== encoded) return 'invalid';
    found = bytes.toString('hex');
  }
  return found;
}
