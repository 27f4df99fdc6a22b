/**
 * The link the simulated system uploads over. Unlocked: as fast as it goes. Locked: the phone performs
 * uploads in the background with throttled bandwidth, stalls (suspensions) and cut connections, all drawn
 * from a seeded random stream. Node and browser.
 */
import type { Random } from './random';
import { between } from './random';

export interface NetworkConditions {
  /** Bandwidth over all uploads, bytes per second; undefined: unlimited. */
  bytesPerSecond: number | undefined;
  /** Body bytes written at a time (each write draws a pause and a cut). */
  chunkBytes: number;
  /** Chance, per chunk, that the link stalls before it (the system suspends the upload). */
  pauseChance: number;
  /** A stall's length, ms: [min, max]. */
  pauseMs: readonly [number, number];
  /** Chance, per chunk, that the connection is cut after it. */
  cutChance: number;
  /** Most cuts one job suffers (so every job finishes). */
  maxCutsPerJob: number;
}

export const OPEN_NETWORK: NetworkConditions = {
  bytesPerSecond: undefined,
  chunkBytes: 64 * 1024,
  pauseChance: 0,
  pauseMs: [0, 0],
  cutChance: 0,
  maxCutsPerJob: 0,
};

export const LOCKED_NETWORK: NetworkConditions = {
  bytesPerSecond: 4 * 1024 * 1024,
  chunkBytes: 64 * 1024,
  pauseChance: 0.02,
  pauseMs: [100, 1500],
  cutChance: 0.02,
  maxCutsPerJob: 4,
};

/** The preset of the mode, with overrides. */
export function networkConditions(locked: boolean, overrides: Partial<NetworkConditions> = {}): NetworkConditions {
  const conditions = { ...(locked ? LOCKED_NETWORK : OPEN_NETWORK), ...overrides };
  if (!(conditions.chunkBytes >= 1)) throw new RangeError('chunkBytes must be at least 1');
  for (const name of ['pauseChance', 'cutChance'] as const) {
    if (!(conditions[name] >= 0 && conditions[name] <= 1)) throw new RangeError(`${name} is a probability, from 0 to 1`);
  }
  if (conditions.bytesPerSecond !== undefined && !(conditions.bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be positive');
  return conditions;
}

export interface LinkStep {
  /** Stall this long before the chunk (0: none). */
  pauseMs: number;
  /** Cut the connection after the chunk. */
  cut: boolean;
}

/** Draws what happens around each chunk of one job's body. */
export class LinkPlanner {
  readonly #conditions: NetworkConditions;
  readonly #random: Random;
  #cuts = 0;

  constructor(conditions: NetworkConditions, random: Random) {
    this.#conditions = conditions;
    this.#random = random;
  }

  get cuts(): number {
    return this.#cuts;
  }

  next(): LinkStep {
    const c = this.#conditions;
    const pause = c.pauseChance > 0 && this.#random() < c.pauseChance;
    const pauseMs = pause ? Math.round(between(this.#random, c.pauseMs[0], c.pauseMs[1])) : 0;
    const cut = this.#cuts < c.maxCutsPerJob && c.cutChance > 0 && this.#random() < c.cutChance;
    if (cut) this.#cuts += 1;
    return { pauseMs, cut };
  }
}
