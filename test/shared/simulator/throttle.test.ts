import { afterEach, describe, expect, it } from 'vitest';
import { TokenBucket, type Clock } from '../../../shared/simulator/throttle';
import { backoffDelay } from '../../../shared/simulator/backoff';
import { FakeReceiver } from '../../helpers/simulator/fake-receiver';
import { clientFor, source } from '../../helpers/simulator/helpers';

/** A clock whose sleep() advances virtual time at once. */
function virtualClock(): Clock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(1000, { burstBytes: 1000, clock });
    await bucket.take(1000);
    expect(clock.time).toBe(0);
    for (let i = 0; i < 9; i++) await bucket.take(1000);
    expect(clock.time).toBeGreaterThanOrEqual(9000);
    expect(clock.time).toBeLessThanOrEqual(9010);
  });

  it('serves concurrent takes in order and keeps the overall rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(500, { burstBytes: 100, clock });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => bucket.take(250).then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3, 4]);
    // 1000 bytes, 100 free: 900 bytes at 500 B/s = 1.8 s
    expect(clock.time).toBeGreaterThanOrEqual(1800);
    expect(clock.time).toBeLessThan(1810);
  });

  it('accepts takes larger than the bucket (debt paid by waiting)', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(100, { burstBytes: 10, clock });
    await bucket.take(510);
    expect(clock.time).toBe(5000);
  });

  it('refills with elapsed time but never beyond the burst', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(100, { burstBytes: 50, clock });
    await bucket.take(50);
    clock.time += 60_000; // idle for a minute
    const before = clock.time;
    await bucket.take(150);
    expect(clock.time - before).toBe(1000);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, capped, with bounded jitter', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, opts, () => 0.5)).toBe(100);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
    expect(backoffDelay(10, opts, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, opts, () => 0)).toBe(150);
    expect(backoffDelay(2, opts, () => 0.999)).toBeLessThanOrEqual(250);
  });
});

describe('bandwidth limit in the client', () => {
  let receiver: FakeReceiver | undefined;
  afterEach(async () => receiver?.close());

  it('a limited upload takes about size / rate, far longer than an unlimited one', async () => {
    receiver = await FakeReceiver.start();
    const size = 384 * 1024;
    const rate = 1024 * 1024; // burst is a quarter second: 256 KiB free, 128 KiB paced = ~125 ms
    const timed = async (bytesPerSecond?: number) => {
      const client = clientFor(receiver!, { chunkBytes: 16 * 1024, ...(bytesPerSecond ? { bytesPerSecond } : {}) });
      const src = await source(`r${bytesPerSecond ?? 0}.jpg`, size, bytesPerSecond ? 2 : 3);
      const started = performance.now();
      const result = await client.upload(src);
      const elapsed = performance.now() - started;
      await client.close();
      expect(result.status).toBe('committed');
      return elapsed;
    };
    const unlimited = await timed();
    const limited = await timed(rate / 2); // 128 KiB free, 256 KiB paced at 512 KiB/s = ~500 ms
    expect(limited).toBeGreaterThan(400);
    expect(limited).toBeGreaterThan(unlimited * 2);
  });
});
