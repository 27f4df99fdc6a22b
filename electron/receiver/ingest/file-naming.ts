/**
 * Filenames from the network: validated strictly (never "cleaned up" into something else), and
 * clash-free names with " (1)", " (2)" suffixes. Every rule here is about never writing outside the
 * backup folder and never producing a name some desktop OS cannot hold.
 */
import path from 'node:path';
import { ShoeboxError } from '../../../shared/protocol';
import { confine as confineTo } from '../../../shared/storage/index.nodejs';

export const MAX_FILENAME_BYTES = 255;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// eslint-disable-next-line no-control-regex -- control characters are forbidden in file names: that is the check
const FORBIDDEN_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f]/u;

function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Returns the name (NFC) when safe to create inside a folder; throws BAD_FILENAME with the reason. */
export function validateFilename(raw: string): string {
  const name = raw.normalize('NFC');
  const reject = (why: string): never => {
    throw new ShoeboxError('BAD_FILENAME', `Filename ${JSON.stringify(raw.slice(0, 80))} refused: ${why}.`);
  };
  if (name.length === 0) reject('it is empty');
  if (name.includes('\u0000')) reject('it contains a NUL character');
  if (name.includes('/') || name.includes('\\')) reject('it contains a path separator; send the bare file name');
  if (name === '.' || name === '..') reject('it is a relative path component');
  if (FORBIDDEN_CHARS.test(name))
    reject('it contains a character Windows or macOS cannot store (< > : " | ? * or a control character)');
  if (name.startsWith('.')) reject('names starting with a dot are hidden files');
  if (/[. ]$/.test(name)) reject('it ends with a dot or a space');
  const stem = name.split('.')[0] ?? '';
  if (WINDOWS_RESERVED.test(stem.trim())) reject(`"${stem}" is a reserved device name on Windows`);
  if (utf8Length(name) > MAX_FILENAME_BYTES)
    reject(`it is ${utf8Length(name)} bytes long; the limit is ${MAX_FILENAME_BYTES}`);
  return name;
}

/** Splits "IMG_0001.HEIC" into ["IMG_0001", ".HEIC"]; "archive.tar.gz" keeps only the last extension. */
export function splitName(name: string): { stem: string; ext: string } {
  const ext = path.extname(name);
  return { stem: ext ? name.slice(0, -ext.length) : name, ext };
}

/** Trims a stem (on a character boundary) so that stem + suffix + ext fit in MAX_FILENAME_BYTES. */
function fitStem(stem: string, tail: string): string {
  let out = stem;
  while (utf8Length(out + tail) > MAX_FILENAME_BYTES && out.length > 1) out = Array.from(out).slice(0, -1).join('');
  return out;
}

/** Candidate names in order: "IMG.HEIC", "IMG (1).HEIC", "IMG (2).HEIC", … */
export function* candidateNames(stem: string, ext: string, limit = 10_000): Generator<string> {
  yield fitStem(stem, ext) + ext;
  for (let n = 1; n <= limit; n += 1) {
    const tail = ` (${n})${ext}`;
    yield fitStem(stem, tail) + tail;
  }
}

/** Resolves a relative path inside the backup folder `root`; anything that would land outside it is BAD_FILENAME. */
export function confine(root: string, relative: string): string {
  return confineTo(
    root,
    relative,
    (rel) => new ShoeboxError('BAD_FILENAME', `Refused a path outside the backup folder: ${rel}`),
  );
}

/** Forward-slash form of a path relative to root, for the wire and the index. */
export function toWirePath(root: string, absolute: string): string {
  return path.relative(path.resolve(root), absolute).split(path.sep).join('/');
}
