/**
 * The system's rules on a virtual clock: the process() time budget, the back-off for presented jobs
 * left unacknowledged (error 50008), a retry counting toward jobLimit, a deleted resource failing the
 * change block, and "Optimize iPhone Storage" downloads inside process().
 */
import { describe, expect, it } from 'vitest';
import { ShoeboxBackupExtension } from '../../../../shared/simulator/photokit/backup-extension';
import { buildDestination } from '../../../../shared/simulator/photokit/destination';
import type { ExtensionFactory } from '../../../../shared/simulator/photokit/extension-types';
import { JobStore } from '../../../../shared/simulator/photokit/job-store';
import { PhotoLibrary } from '../../../../shared/simulator/photokit/photo-library';
import { isPhotosError } from '../../../../shared/simulator/photokit/photos-error';
import { runPhotoKitSimulation } from '../../../../shared/simulator/photokit/simulation';
import { PhotoKitSystem } from '../../../../shared/simulator/photokit/system';
import { VirtualClock } from '../../../../shared/simulator/photokit/sim-clock';
import { formatPhotoKitSummary, formatTimelineEvent } from '../../../../shared/simulator/photokit/timeline-format';
import type { TimelineEvent } from '../../../../shared/simulator/photokit/timeline';
import { DESTINATION, FakeTransport, RETRYABLE, sampleLibrary } from '../../../helpers/simulator/photokit-fakes';

function lines(events: TimelineEvent[]): string[] {
  return events.map((e) => formatTimelineEvent(e)).filter((l): l is string => l !== undefined);
}

describe('the process() time budget', () => {
  it('terminates a call that runs past it (notifyTermination), records it, and counts it', async () => {
    const clock = new VirtualClock();
    let created = false;
    const slow: ExtensionFactory = (env) => ({
      protocol: 'PHBackgroundResourceUploadExtension',
      process: async () => {
        if (env.launch < 3) await clock.sleep(5_000);
        const [resource] = env.library.resources();
        const finished = env.library.fetchJobs('acknowledge');
        await env.library.performChanges((r) => {
          finished.forEach((job) => r.acknowledge(job.id));
          if (!created) r.createJob(buildDestination(DESTINATION, resource!), resource!);
        });
        created = true;
        return 'completed';
      },
      notifyTermination: () => undefined,
    });
    const events: TimelineEvent[] = [];
    const { summary } = await runPhotoKitSimulation({
      items: await sampleLibrary(1, 1000),
      transport: new FakeTransport(),
      destination: DESTINATION,
      clock,
      extension: slow,
      processBudgetMs: 1_000,
      onEvent: (e) => events.push(e),
    });
    expect(summary.stats).toMatchObject({ budgetTerminations: 2, terminations: 2, launches: 3 });
    expect(summary.succeeded).toBe(1);
    const terminated = events.filter((e) => e.type === 'extension' && e.what === 'terminated');
    expect(terminated.map((e) => e.at)).toEqual([1_000, 1_000 + 250 + 1_000]);
    expect(lines(events)).toContain(
      '   1.00s  extension #1  terminated (notifyTermination): process() ran past its 1 s budget',
    );
    expect(formatPhotoKitSummary(summary)).toMatch(
      /extension\s+3 launches, 2 terminations \(2 past the process\(\) budget\)/,
    );
  });
});

/** An extension that creates one job, and acknowledges what it was shown only from call `from` on. */
function acknowledgingFromCall(from: number): ExtensionFactory {
  let calls = 0;
  return (env) => ({
    protocol: 'PHBackgroundResourceUploadExtension',
    process: async () => {
      calls += 1;
      const finished = env.library.fetchJobs('acknowledge');
      const [resource] = env.library.resources();
      if (calls === 1)
        await env.library.performChanges((r) => r.createJob(buildDestination(DESTINATION, resource!), resource!));
      if (calls >= from) await env.library.performChanges((r) => finished.forEach((job) => r.acknowledge(job.id)));
      return finished.length > 0 && calls < from ? 'processing' : 'completed';
    },
    notifyTermination: () => undefined,
  });
}

describe('presented jobs must be acknowledged in the same run (error 50008)', () => {
  it('backs off an extension that leaves them, logs 50008, and calls it again only after the back-off', async () => {
    const clock = new VirtualClock();
    const sloppy = acknowledgingFromCall(3);
    const events: TimelineEvent[] = [];
    const { summary } = await runPhotoKitSimulation({
      items: await sampleLibrary(1, 1000),
      transport: new FakeTransport(),
      destination: DESTINATION,
      clock,
      extension: sloppy,
      timing: { unacknowledgedBackoffMs: 7_000 },
      onEvent: (e) => events.push(e),
    });
    expect(summary.stats.unacknowledgedBackoffs).toBe(1);
    const backoff = events.find((e) => e.type === 'extension' && e.what === 'backoff')!;
    expect(formatTimelineEvent(backoff)).toMatch(
      /extension #1\s+error 50008: process\(\) returned leaving 1 presented job\(s\) unacknowledged \(job-0001\); not called again for 7 s$/,
    );
    const processAt = events.filter((e) => e.type === 'extension' && e.what === 'process').map((e) => e.at);
    expect(processAt[2]! - processAt[1]!).toBeGreaterThanOrEqual(7_000);
    expect(summary).toMatchObject({ succeeded: 1 });
    expect(formatPhotoKitSummary(summary)).toMatch(/1 back-offs \(error 50008\)/);
  });

  it('doubles the 50008 back-off while the extension keeps leaving jobs unacknowledged, run after run', async () => {
    const stubborn = acknowledgingFromCall(5);
    const events: TimelineEvent[] = [];
    const { summary } = await runPhotoKitSimulation({
      items: await sampleLibrary(1, 1000),
      transport: new FakeTransport(),
      destination: DESTINATION,
      clock: new VirtualClock(),
      extension: stubborn,
      timing: { unacknowledgedBackoffMs: 7_000 },
      onEvent: (e) => events.push(e),
    });
    const waits = events
      .filter((e) => e.type === 'extension' && e.what === 'backoff')
      .map((e) => (e.type === 'extension' ? e.ms : undefined));
    expect(waits).toEqual([7_000, 14_000, 28_000]);
    expect(summary).toMatchObject({ succeeded: 1 });
  });

  it('the reference extension never incurs it, even with failures, terminations and jobLimit 2', async () => {
    const transport = new FakeTransport({ msPerChunk: 20 });
    for (const name of ['IMG_1001.HEIC', 'IMG_1003.HEIC']) transport.failNext(name, RETRYABLE, RETRYABLE);
    const { summary } = await runPhotoKitSimulation({
      items: await sampleLibrary(6, 200_000),
      transport,
      destination: DESTINATION,
      clock: new VirtualClock(),
      jobLimit: 2,
      terminateEveryMs: 150,
      seed: 3,
      reference: { recreate: { baseMs: 500 } },
    });
    expect(summary).toMatchObject({ succeeded: 6, failed: 0, unfinished: 0 });
    expect(summary.stats.unacknowledgedBackoffs).toBe(0);
    expect(summary.stats.terminations).toBeGreaterThan(0);
  });
});

describe('a retry counts toward jobLimit', () => {
  it(
    'fails the block with limitExceeded when unacknowledged + retried jobs pass jobLimit; acknowledging in the ' +
      'same block makes room',
    () => {
      const store = new JobStore({ jobLimit: 2 });
      const [a, b] = [0, 1].map((i) => ({
        assetId: `A${i}`,
        resourceType: 'photo' as const,
        filename: `IMG_${i}.HEIC`,
        size: 10,
      }));
      store.performChanges((r) => {
        r.creationRequestForJob(buildDestination(DESTINATION, a!), a!);
        r.creationRequestForJob(buildDestination(DESTINATION, b!), b!);
      });
      for (const id of ['job-0001', 'job-0002']) store.begin(id);
      store.fail('job-0001', RETRYABLE);
      store.succeed('job-0002', 201, {});
      let refused: unknown;
      try {
        store.performChanges((r) => r.retry('job-0001'));
      } catch (error) {
        refused = error;
      }
      expect(isPhotosError(refused, 'limitExceeded')).toBe(true);
      expect((refused as Error).message).toMatch(
        /retrying 1 job\(s\) would make 2 unacknowledged jobs \+ 1 retried; jobLimit is 2/,
      );
      expect(store.job('job-0001')).toMatchObject({ state: 'failed', retried: false });
      store.performChanges((r) => {
        r.acknowledge('job-0002');
        r.retry('job-0001');
      });
      expect(store.job('job-0001')).toMatchObject({ state: 'registered', retried: true });
    },
  );

  it(
    'with jobLimit 1 a retry never fits: ' + 'the reference extension re-creates the job instead, and finishes',
    async () => {
      const transport = new FakeTransport();
      transport.failNext('IMG_1001.HEIC', RETRYABLE);
      const { summary } = await runPhotoKitSimulation({
        items: await sampleLibrary(3, 10_000),
        transport,
        destination: DESTINATION,
        clock: new VirtualClock(),
        jobLimit: 1,
        reference: { recreate: { baseMs: 300 } },
      });
      expect(summary).toMatchObject({ succeeded: 3, failed: 0, retried: 0, recreated: 1, jobsCreated: 4 });
      expect(summary.stats.limitExceeded).toBe(1);
      expect(summary.stats.unacknowledgedBackoffs).toBe(0);
    },
  );
});

describe('a resource deleted from the library', () => {
  it(
    'fails the change block that creates a job for it (missingResource); the reference extension creates the ' +
      'others',
    async () => {
      const clock = new VirtualClock();
      // All three are in iCloud: describing each takes 1 s, time enough to delete one meanwhile.
      const library = new PhotoLibrary(await sampleLibrary(3, 2_000_000), {
        clock,
        optimized: () => true,
        iCloudBytesPerSecond: 2_000_000,
      });
      const transport = new FakeTransport();
      const system = await PhotoKitSystem.create({
        library,
        transport,
        clock,
        extension: ShoeboxBackupExtension.factory({ destination: DESTINATION }),
      });
      const [, deleted] = library.resources();
      void clock.sleep(2_500).then(() => library.remove(deleted!));
      const stats = await system.run();
      expect(system.store.all().map((j) => j.resource.filename)).toEqual(['IMG_1000.HEIC', 'IMG_1002.HEIC']);
      const text = lines(system.timeline.events);
      expect(text).toContainEqual(
        expect.stringMatching(/extension #1\s+missingResource: no longer in the photo library: IMG_1001\.HEIC/),
      );
      expect(text).toContainEqual(
        expect.stringMatching(/1 resource\(s\) left the library meanwhile \(IMG_1001\.HEIC\): creating the others/),
      );
      expect(stats.stoppedBecause).toBeUndefined();
      expect([...transport.stored.values()].sort()).toEqual([
        '2019/2019-08/IMG_1000.HEIC',
        '2019/2019-08/IMG_1002.HEIC',
      ]);
    },
  );
});

describe('"Optimize iPhone Storage": downloads inside process() count against its budget', () => {
  const run = async (timeBudgetMs?: number) => {
    const transport = new FakeTransport();
    const result = await runPhotoKitSimulation({
      items: await sampleLibrary(4, 1_500_000),
      transport,
      destination: DESTINATION,
      clock: new VirtualClock(),
      processBudgetMs: 4_000,
      optimizedStorage: { optimized: () => true, iCloudBytesPerSecond: 1_000_000 },
      ...(timeBudgetMs === undefined ? {} : { reference: { timeBudgetMs } }),
    });
    return { ...result, transport };
  };

  it(
    'the reference extension budgets its own time: never terminated, some jobs go without Repr-Digest, all backed ' +
      'up once',
    async () => {
      const { summary, system, transport } = await run();
      expect(summary.stats.budgetTerminations).toBe(0);
      expect(summary).toMatchObject({ succeeded: 4, failed: 0, jobsCreated: 4 });
      const digests = system.store.all().map((j) => 'Repr-Digest' in j.destination.headers);
      expect(digests).toContain(true);
      expect(digests).toContain(false);
      expect(transport.answers.filter((a) => a.status === 201)).toHaveLength(4);
      expect(lines(system.timeline.events)).toContainEqual(
        expect.stringMatching(/reading IMG_\d+\.HEIC \(in iCloud\) did not fit the time budget/),
      );
    },
  );

  it('an extension that ignores the time it spends downloading is terminated past the budget', async () => {
    const { summary } = await run(Number.POSITIVE_INFINITY);
    expect(summary.stats.budgetTerminations).toBeGreaterThan(0);
    expect(summary.succeeded).toBe(4); // downloads that finished stay on the phone, so it gets there in the end
  });
});
