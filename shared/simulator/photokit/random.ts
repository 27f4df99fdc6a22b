/**
 * Seeded pseudo-random numbers, so every simulated suspension, cut and termination can be replayed.
 * Node and browser. Not for secrets: it is a simulation's dice, nothing more.
 */

export type Random = () => number;

/** mulberry32: a small, fast PRNG with a 32-bit state; returns numbers in [0, 1). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed derived from a parent seed and labels (FNV-1a), so each job attempt, say, draws from its own
 * stream and the draws do not depend on how concurrent uploads happen to interleave.
 */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of labels.join('\u0000')) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A uniform number in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

/** An exponentially distributed delay with the given mean: the gaps between events that come "at random moments". */
export function exponentialDelay(random: Random, meanMs: number): number {
  return Math.round(-Math.log(1 - random()) * meanMs);
}
