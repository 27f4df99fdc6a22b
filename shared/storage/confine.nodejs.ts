/**
 * Keeping paths inside a folder (Node only, node: builtins only): the one check behind the receiver's
 * `confine` of every stored file and the app's checks of folders and paths the window names.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Whether `child` is `parent` or somewhere below it. Compared as written (see realPathOf for links). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** A path left its folder. */
export class PathOutsideError extends Error {
  override readonly name = 'PathOutsideError';
  constructor(
    readonly root: string,
    readonly relative: string,
  ) {
    super(`Refused a path outside ${root}: ${relative}`);
  }
}

/**
 * Resolves `relative` inside `root`, refusing (throwing `refuse(relative)`, PathOutsideError by default)
 * anything that would land outside it: `..` segments, absolute paths, another drive.
 */
export function confine(
  root: string,
  relative: string,
  refuse: (relative: string) => Error = (rel) => new PathOutsideError(root, rel),
): string {
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (!isInside(base, target)) throw refuse(relative);
  return target;
}

/**
 * The real path of `p`, following symbolic links; for a path that does not exist yet, that of its
 * nearest existing parent with the rest appended. Compare real paths to refuse links that lead out.
 */
export async function realPathOf(p: string): Promise<string> {
  const missing: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(await fsp.realpath(at), ...missing.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      missing.push(path.basename(at));
      at = parent;
    }
  }
}
