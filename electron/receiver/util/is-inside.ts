import path from 'node:path';
import { ShoeboxError } from '../../../shared/protocol';

/** Whether `child` is `parent` or somewhere below it (both absolute; compared as written). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolves a relative path inside root, refusing anything that would land outside it. */
export function confine(root: string, relative: string): string {
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (target !== base && !target.startsWith(base + path.sep)) {
    throw new ShoeboxError('BAD_FILENAME', `Refused a path outside the backup folder: ${relative}`);
  }
  return target;
}
