/**
 * The link the simulated system uploads over. Unlocked: as fast as it goes. Locked: the phone performs
 * uploads in the background with throttled bandwidth, stalls (suspensions) and cut connections (mid-body
 * and right after the 104), all drawn from a seeded random stream. Either way the receiver may be away
 * (the computer asleep, or off the Wi-Fi) for planned stretches: connections then fail. Node and browser.
 */
import type { Random } from './random';
import { between } from './random';
import type { SimClock } from './sim-clock';

/** A stretch of time the receiver cannot be reached, from `afterMs` (since the first upload) for `forMs`. */
export interface Outage {
  afterMs: number;
  forMs: number;
}

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
  /** Chance that the connection is cut right after the 104 arrives, before any more of the body. */
  cutAfterInterimChance: number;
  /** Most cuts one job suffers (so every job finishes). */
  maxCutsPerJob: number;
  /** When the receiver is away. */
  outages: readonly Outage[];
}

export const OPEN_NETWORK: NetworkConditions = {
  bytesPerSecond: undefined,
  chunkBytes: 64 * 1024,
  pauseChance: 0,
  pauseMs: [0, 0],
  cutChance: 0,
  cutAfterInterimChance: 0,
  maxCutsPerJob: 0,
  outages: [],
};

export const LOCKED_NETWORK: NetworkConditions = {
  bytesPerSecond: 4 * 1024 * 1024,
  chunkBytes: 64 * 1024,
  pauseChance: 0.02,
  pauseMs: [100, 1500],
  cutChance: 0.02,
  cutAfterInterimChance: 0.05,
  maxCutsPerJob: 4,
  outages: [],
};

/** The preset of the mode, with overrides. */
export function networkConditions(locked: boolean, overrides: Partial<NetworkConditions> = {}): NetworkConditions {
  const conditions = { ...(locked ? LOCKED_NETWORK : OPEN_NETWORK), ...overrides };
  if (!(conditions.chunkBytes >= 1)) throw new RangeError('chunkBytes must be at least 1');
  for (const outage of conditions.outages) {
    if (!(outage.afterMs >= 0 && outage.forMs > 0))
      throw new RangeError('an outage starts at 0 ms or later and lasts more than 0 ms');
  }
  for (const name of ['pauseChance', 'cutChance', 'cutAfterInterimChance'] as const) {
    if (!(conditions[name] >= 0 && conditions[name] <= 1))
      throw new RangeError(`${name} is a probability, from 0 to 1`);
  }
  if (conditions.bytesPerSecond !== undefined && !(conditions.bytesPerSecond > 0))
    throw new RangeError('bytesPerSecond must be positive');
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
    return { pauseMs, cut: this.#drawCut(c.cutChance) };
  }

  /** Whether the connection drops right after a 104 (drawn once per 104). */
  cutAfterInterim(): boolean {
    return this.#drawCut(this.#conditions.cutAfterInterimChance);
  }

  #drawCut(chance: number): boolean {
    const cut = this.#cuts < this.#conditions.maxCutsPerJob && chance > 0 && this.#random() < chance;
    if (cut) this.#cuts += 1;
    return cut;
  }
}

/** A connection refused while the receiver is away. */
export class ReceiverAway extends Error {
  override readonly name = 'ReceiverAway';
  readonly code = 'ECONNREFUSED';
}

/** The outages on one clock, counted from the first time anyone asks. */
export class OutageSchedule {
  readonly #outages: readonly Outage[];
  readonly #clock: SimClock;
  readonly #start: number;

  constructor(outages: readonly Outage[], clock: SimClock) {
    this.#outages = outages;
    this.#clock = clock;
    this.#start = clock.now();
  }

  /** Whether the receiver is away now. */
  down(): boolean {
    const t = this.#clock.now() - this.#start;
    return this.#outages.some((o) => t >= o.afterMs && t < o.afterMs + o.forMs);
  }

  /** Throws ReceiverAway while the receiver is away. */
  check(): void {
    if (this.down()) throw new ReceiverAway('the receiver is away (asleep, or off the network): connection refused');
  }
}
