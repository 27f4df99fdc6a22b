/**
 * The simulated system end to end on a virtual clock with an in-memory receiver: the process() loop,
 * jobLimit, retries, random terminations mid-upload, restarts from a saved job store, determinism.
 */
import { describe, expect, it } from 'vitest';
import type { JobStoreSnapshot } from '../../../../shared/simulator/photokit/job-types';
import { MemoryStorage } from '../../../../shared/simulator/photokit/key-value-storage';
import { runPhotoKitSimulation, type PhotoKitRunOptions } from '../../../../shared/simulator/photokit/simulation';
import { VirtualClock } from '../../../../shared/simulator/photokit/sim-clock';
import { formatTimelineEvent } from '../../../../shared/simulator/photokit/timeline-format';
import type { TimelineEvent } from '../../../../shared/simulator/photokit/timeline';
import type { UploadSource } from '../../../../shared/simulator/upload-source';
import { DESTINATION, FakeTransport, RETRYABLE, sampleLibrary } from '../../../helpers/simulator/photokit-fakes';

async function simulate(
  transport: FakeTransport,
  options: Partial<Omit<PhotoKitRunOptions, 'items'>> & { count?: number; items?: UploadSource[] } = {},
) {
  const { count = 6, ...rest } = options;
  const items = options.items ?? (await sampleLibrary(count, 300_000));
  const events: TimelineEvent[] = [];
  const result = await runPhotoKitSimulation({
    items,
    transport,
    destination: DESTINATION,
    clock: new VirtualClock(),
    onEvent: (e) => events.push(e),
    ...rest,
  });
  return { ...result, events, items };
}

/** Every resource ended with exactly one new copy on the receiver. */
function expectStoredOnce(transport: FakeTransport, filenames: string[]): void {
  expect([...transport.stored.values()].sort()).toEqual(filenames.map((f) => `2019/2019-08/${f}`).sort());
  const created = transport.answers.filter((a) => a.status === 201).map((a) => a.filename);
  expect(created.sort()).toEqual([...filenames].sort());
}

describe('PhotoKitSystem', () => {
  it('uploads every resource once: jobs registered, pending, succeeded, acknowledged', async () => {
    const transport = new FakeTransport({ msPerChunk: 5 });
    const { summary, system, events, items } = await simulate(transport);
    expect(summary).toMatchObject({
      resources: 6,
      succeeded: 6,
      stored: 6,
      alreadyStored: 0,
      failed: 0,
      unfinished: 0,
      jobsCreated: 6,
      retried: 0,
      cancelled: 0,
    });
    expect(summary.stats.stoppedBecause).toBeUndefined();
    expectStoredOnce(
      transport,
      items.map((i) => i.filename),
    );
    const job = system.store.all()[0]!;
    const states = events
      .filter((e) => e.type === 'job' && e.jobId === job.id)
      .map((e) => (e.type === 'job' ? `${e.change}:${e.state}` : ''));
    expect(states).toEqual(['created:registered', 'state:pending', 'state:succeeded', 'acknowledged:succeeded']);
    expect(system.store.unacknowledgedCount()).toBe(0);
  });

  it('never holds more than jobLimit unacknowledged jobs, and still gets through the library', async () => {
    const transport = new FakeTransport({ msPerChunk: 3 });
    const items = await sampleLibrary(12, 100_000);
    const result = await runPhotoKitSimulation({
      items,
      transport,
      destination: DESTINATION,
      clock: new VirtualClock(),
      jobLimit: 3,
      concurrency: 2,
    });
    expect(result.summary).toMatchObject({ succeeded: 12, jobsCreated: 12 });
    const unacked = new Set<string>();
    let peak = 0;
    for (const job of result.system.store.all()) expect(job.acknowledged).toBe(true);
    // Replay the timeline: created adds a slot, acknowledged frees it.
    for (const e of result.system.timeline.events) {
      if (e.type !== 'job') continue;
      if (e.change === 'created') unacked.add(e.jobId);
      if (e.acknowledged) unacked.delete(e.jobId);
      peak = Math.max(peak, unacked.size);
    }
    expect(peak).toBe(3);
    expect(result.summary.stats.limitExceeded).toBe(0); // the extension asks for no more than the free slots
    expectStoredOnce(
      transport,
      items.map((i) => i.filename),
    );
  });

  it('retries a failed job once; failing again it is re-created after a back-off and then succeeds', async () => {
    const transport = new FakeTransport();
    const items = await sampleLibrary(3, 10_000);
    transport.failNext('IMG_1001.HEIC', RETRYABLE, RETRYABLE);
    transport.failNext('IMG_1002.HEIC', RETRYABLE);
    const { summary, system } = await simulate(transport, { items, reference: { recreate: { baseMs: 2_000 } } });
    expect(summary).toMatchObject({ succeeded: 3, failed: 0, retried: 2, jobsCreated: 4, recreated: 1 });
    expect(summary.outcomes.find((o) => o.resource.filename === 'IMG_1001.HEIC')).toMatchObject({
      state: 'succeeded',
      jobs: 2,
      retried: false,
      status: 201,
    });
    expect(summary.outcomes.find((o) => o.resource.filename === 'IMG_1002.HEIC')).toMatchObject({
      state: 'succeeded',
      retried: true,
      status: 201,
    });
    expect(transport.attempts.get('IMG_1001.HEIC')).toBe(3);
    const [first, second] = system.store.all().filter((j) => j.resource.filename === 'IMG_1001.HEIC');
    expect(first).toMatchObject({ state: 'failed', retried: true, acknowledged: true, error: RETRYABLE });
    expect(second!.createdAt - first!.updatedAt).toBeGreaterThanOrEqual(2_000 - 5); // after the back-off
    expect(summary.stats.unacknowledgedBackoffs).toBe(0);
  });

  it(
    'survives random terminations mid-upload: the extension restarts, picks up, every photo committed exactly ' +
      'once',
    async () => {
      const transport = new FakeTransport({ msPerChunk: 40 });
      const { summary, items, events } = await simulate(transport, {
        count: 10,
        jobLimit: 4,
        terminateEveryMs: 60,
        seed: 42,
        timing: { relaunchDelayMs: 30 },
      });
      expect(summary).toMatchObject({ succeeded: 10, stored: 10, failed: 0, unfinished: 0, jobsCreated: 10 });
      expect(summary.stats.terminations).toBeGreaterThanOrEqual(2);
      expect(summary.stats.launches).toBeGreaterThan(summary.stats.terminations - 1);
      expectStoredOnce(
        transport,
        items.map((i) => i.filename),
      );
      // Terminations landed while uploads were running (the system's uploads go on without the extension).
      const pendingAt = new Set<string>();
      let terminatedMidUpload = 0;
      for (const e of events) {
        if (e.type === 'job' && e.state === 'pending') pendingAt.add(e.jobId);
        if (e.type === 'job' && e.state !== 'pending') pendingAt.delete(e.jobId);
        if (e.type === 'extension' && e.what === 'terminated' && pendingAt.size > 0) terminatedMidUpload += 1;
      }
      expect(terminatedMidUpload).toBeGreaterThan(0);
    },
  );

  it('is deterministic under a seed', async () => {
    const run = async (seed: number) => {
      const { events } = await simulate(new FakeTransport({ msPerChunk: 7 }), {
        count: 8,
        jobLimit: 3,
        terminateEveryMs: 50,
        seed,
        locked: true,
      });
      return events.map((e) => formatTimelineEvent(e, { verbose: true })).join('\n');
    };
    const a = await run(7);
    expect(await run(7)).toBe(a);
    expect(await run(8)).not.toBe(a);
  });

  it('a second run over the same library reports every job succeeded with 200 (already stored)', async () => {
    const transport = new FakeTransport();
    const items = await sampleLibrary(4, 50_000);
    await simulate(transport, { items });
    const { summary } = await simulate(transport, { items });
    expect(summary).toMatchObject({ succeeded: 4, stored: 0, alreadyStored: 4 });
    expect(summary.outcomes.every((o) => o.status === 200 && o.duplicate === true)).toBe(true);
  });

  it('picks up from a saved job store and container after the whole system stopped', async () => {
    const transport = new FakeTransport({ msPerChunk: 10 });
    const items = await sampleLibrary(8, 300_000);
    const jobStorage = new MemoryStorage<JobStoreSnapshot>();
    const container = new MemoryStorage<unknown>();
    const clock = new VirtualClock();
    const stop = new AbortController();
    const first = runPhotoKitSimulation({
      items,
      transport,
      destination: DESTINATION,
      clock,
      jobStorage,
      container,
      jobLimit: 5,
      concurrency: 2,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'job' && e.state === 'succeeded' && transport.answers.length === 3) stop.abort();
      },
    });
    const { summary: partial } = await first;
    expect(partial.stats.stoppedBecause).toBe('the run was aborted');
    expect(partial.unfinished).toBeGreaterThan(0);
    const saved = (await jobStorage.load())!;
    expect(saved.jobs.some((j) => j.state === 'pending' || j.state === 'registered')).toBe(true);

    const { summary, system } = await runPhotoKitSimulation({
      items,
      transport,
      destination: DESTINATION,
      clock: new VirtualClock(),
      jobStorage,
      container,
      jobLimit: 5,
    });
    expect(summary).toMatchObject({ succeeded: 8, failed: 0, unfinished: 0, jobsCreated: 8 });
    expect(new Set(system.store.all().map((j) => j.resource.filename)).size).toBe(8);
    expectStoredOnce(
      transport,
      items.map((i) => i.filename),
    );
  });
});
