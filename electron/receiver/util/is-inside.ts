import path from 'node:path';

/** Whether `child` is `parent` or somewhere below it (both absolute; compared as written). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
