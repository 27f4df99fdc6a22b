/**
 * A token bucket limiting bytes per second, shared by every upload of a client. Node and browser.
 * Callers take tokens before sending; a take larger than the bucket is allowed and paid back by waiting
 * (the bucket goes into debt), so any chunk size works with any rate.
 */
import { sleep } from './backoff';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  /** Takes are served in order: each waits for the one before it. */
  #queue: Promise<void> = Promise.resolve();

  constructor(bytesPerSecond: number, options: { burstBytes?: number; clock?: Clock } = {}) {
    if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond))
      throw new RangeError('bytesPerSecond must be a positive number');
    this.bytesPerSecond = bytesPerSecond;
    // Default burst: a quarter of a second worth of bytes, so a fresh bucket does not start with a big jump.
    this.burstBytes = options.burstBytes ?? Math.max(1, Math.floor(bytesPerSecond / 4));
    this.#clock = options.clock ?? realClock;
    this.#tokens = this.burstBytes;
    this.#updatedAt = this.#clock.now();
  }

  /** Resolves once `bytes` may be sent. */
  take(bytes: number): Promise<void> {
    const turn = this.#queue.then(() => this.#takeNow(bytes));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #takeNow(bytes: number): Promise<void> {
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens < 0) {
      await this.#clock.sleep(Math.ceil((-this.#tokens / this.bytesPerSecond) * 1000));
      this.#refill();
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#updatedAt = now;
    this.#tokens = Math.min(this.burstBytes, this.#tokens + elapsedSeconds * this.bytesPerSecond);
  }
}
