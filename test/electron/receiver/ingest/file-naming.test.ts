import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  candidateNames,
  confine,
  MAX_FILENAME_BYTES,
  splitName,
  validateFilename,
} from '../../../../electron/receiver/ingest/file-naming';

describe('validateFilename', () => {
  it.each([['IMG_0001.HEIC'], ['Été à Paris.jpg'], ['photo (1).jpeg'], ['家族写真.png']])('accepts %s', (name) => {
    expect(validateFilename(name)).toBe(name.normalize('NFC'));
  });

  it.each([
    ['../evil.jpg', 'path separator'],
    ['..', 'relative path component'],
    ['/etc/passwd', 'path separator'],
    ['C:\\Windows\\x.jpg', 'path separator'],
    ['C:x.jpg', 'cannot store'],
    ['a\u0000b.jpg', 'NUL'],
    ['CON', 'reserved device name'],
    ['nul.txt', 'reserved device name'],
    ['com1.jpg', 'reserved device name'],
    ['LPT9.heic', 'reserved device name'],
    ['.hidden.jpg', 'dot'],
    ['trailing.', 'ends with a dot'],
    ['trailing ', 'ends with a dot or a space'],
    ['', 'empty'],
    ['tab\there.jpg', 'control character'],
    [`${'a'.repeat(296)}.jpg`, 'bytes long'],
    [`${'é'.repeat(128)}.jpg`, 'bytes long'],
  ])('refuses %j (%s)', (name, why) => {
    expect(() => validateFilename(name)).toThrowError(
      expect.objectContaining({ code: 'BAD_FILENAME', message: expect.stringContaining(why) as unknown }),
    );
  });

  it('never lets any accepted name escape a folder (property)', () => {
    const root = path.resolve('/backup/root');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        let ok: string;
        try {
          ok = validateFilename(name);
        } catch {
          return true;
        }
        const target = confine(root, path.join('2020/2020-01', ok));
        return (
          target.startsWith(root + path.sep) &&
          path.basename(target) === ok &&
          Buffer.byteLength(ok) <= MAX_FILENAME_BYTES
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('candidateNames', () => {
  it('adds (1), (2) before the extension', () => {
    const gen = candidateNames('IMG_0001', '.HEIC');
    expect([gen.next().value, gen.next().value, gen.next().value]).toEqual([
      'IMG_0001.HEIC',
      'IMG_0001 (1).HEIC',
      'IMG_0001 (2).HEIC',
    ]);
  });

  it('shortens a long stem so the suffix still fits in 255 bytes', () => {
    const stem = 'é'.repeat(125); // 250 bytes
    const gen = candidateNames(stem, '.jpg');
    gen.next();
    const second = gen.next().value as string;
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(255);
    expect(second.endsWith(' (1).jpg')).toBe(true);
  });

  it('splits names on the last extension only', () => {
    expect(splitName('a.tar.gz')).toEqual({ stem: 'a.tar', ext: '.gz' });
    expect(splitName('README')).toEqual({ stem: 'README', ext: '' });
  });
});

describe('confine', () => {
  it('refuses paths that leave the root', () => {
    expect(() => confine('/r', '../x')).toThrowError(expect.objectContaining({ code: 'BAD_FILENAME' }));
    expect(() => confine('/r', '/etc/passwd')).toThrowError(expect.objectContaining({ code: 'BAD_FILENAME' }));
    expect(confine('/r', 'a/b')).toBe(path.resolve('/r/a/b'));
  });
});
