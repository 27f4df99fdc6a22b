/**
 * Time for the PhotoKit simulation. Node and browser. The real clock for runs against a receiver; a
 * virtual clock for unit tests, which jumps straight to the next timer once everything else has run,
 * so a simulated minute of suspensions and relaunches takes milliseconds and always goes the same way.
 */
import { sleep } from '../backoff';

export interface SimClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Wall-clock ms (Date.now()), for times kept across runs (an extension's back-off in its container);
   * absent on virtual clocks, whose now() serves instead.
   */
  wallNow?(): number;
}

/** Wall-clock time where the clock has it, else its own time. */
export function wallTime(clock: SimClock): number {
  return clock.wallNow ? clock.wallNow() : clock.now();
}

export const realSimClock: SimClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) => sleep(Math.max(0, ms), signal),
};

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time: sleeps never wait for real. Whenever the event loop has nothing left but timers (a
 * macrotask turn passed), the earliest timer fires and time jumps to it. Only for code whose other
 * asynchronous work is promise-based (fake transports): real I/O would see time race ahead.
 */
export class VirtualClock implements SimClock {
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];
  #ticking = false;

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, passed on as is
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: () => undefined };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, passed on as is
        reject(signal?.reason);
      };
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.#schedule();
    });
  }

  /** Timers not yet fired (for tests). */
  get pending(): number {
    return this.#timers.length;
  }

  #schedule(): void {
    if (this.#ticking) return;
    this.#ticking = true;
    setTimeout(() => this.#tick(), 0);
  }

  #tick(): void {
    this.#ticking = false;
    const timer = this.#timers.shift();
    if (!timer) return;
    this.#now = Math.max(this.#now, timer.at);
    timer.resolve();
    if (this.#timers.length > 0) this.#schedule();
  }
}
