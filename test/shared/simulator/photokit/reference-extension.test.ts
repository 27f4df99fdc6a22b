/**
 * The reference extension end to end on every simulated iOS, with jobLimit 1 and 2, random
 * terminations and a receiver that is away for a while: every resource is backed up exactly once and
 * the run ends `completed`, without ever incurring the system's back-off.
 */
import { describe, expect, it } from 'vitest';
import { IOS_VERSIONS } from '../../../../shared/simulator/photokit/ios-surface';
import { runPhotoKitSimulation } from '../../../../shared/simulator/photokit/simulation';
import { VirtualClock } from '../../../../shared/simulator/photokit/sim-clock';
import { formatTimelineEvent } from '../../../../shared/simulator/photokit/timeline-format';
import type { TimelineEvent } from '../../../../shared/simulator/photokit/timeline';
import { DESTINATION, FakeTransport, PERMANENT, sampleLibrary } from '../../../helpers/simulator/photokit-fakes';

describe('the reference extension, receiver away for 20 s, terminations every ~0.3 s', () => {
  for (const ios of IOS_VERSIONS) {
    for (const jobLimit of [1, 2]) {
      it(
        `iOS ${ios}, jobLimit ${jobLimit}: ` + 'every resource once, re-created after network failures, ends completed',
        async () => {
          const transport = new FakeTransport({ msPerChunk: 10, awayUntilMs: 20_000 });
          const items = await sampleLibrary(5, 150_000, true);
          const events: TimelineEvent[] = [];
          const { summary } = await runPhotoKitSimulation({
            items,
            transport,
            destination: DESTINATION,
            clock: new VirtualClock(),
            ios,
            jobLimit,
            terminateEveryMs: 300,
            seed: 11,
            reference: { recreate: { baseMs: 1_000 } },
            onEvent: (e) => events.push(e),
          });
          expect(summary).toMatchObject({ resources: 6, succeeded: 6, stored: 6, failed: 0, unfinished: 0 });
          expect(summary.stats.stoppedBecause).toBeUndefined();
          expect(summary.stats.unacknowledgedBackoffs).toBe(0);
          expect(summary.stats.terminations).toBeGreaterThan(0);
          expect(summary.recreated).toBeGreaterThan(0);
          expect(transport.awayFailures).toBeGreaterThan(0);
          const created = transport.answers
            .filter((a) => a.status === 201)
            .map((a) => a.filename)
            .sort();
          expect(created).toEqual(items.map((i) => i.filename).sort());
          const lastProcess = events.filter((e) => e.type === 'extension' && e.what === 'process').at(-1);
          expect(lastProcess).toMatchObject({ result: 'completed' });
          const text = events.map((e) => formatTimelineEvent(e)).join('\n');
          expect(text).toMatch(ios === '27' ? /terminated \(willTerminate\)/ : /terminated \(notifyTermination\)/);
          // The reference extension uses only current API: nothing deprecated on its iOS.
          expect(events.filter((e) => e.type === 'extension' && e.what === 'deprecated')).toEqual([]);
        },
      );
    }
  }
});

describe("the reference extension and the receiver's error actions", () => {
  it(
    'before iOS 26.4 it cannot tell a permanent failure: it retries, re-creates with a growing back-off, and gives ' +
      'up after maxAttempts',
    async () => {
      const transport = new FakeTransport();
      const items = await sampleLibrary(2, 10_000);
      transport.failNext('IMG_1001.HEIC', ...Array.from({ length: 10 }, () => PERMANENT));
      const clock = new VirtualClock();
      const { summary, system } = await runPhotoKitSimulation({
        items,
        transport,
        destination: DESTINATION,
        clock,
        reference: { recreate: { baseMs: 1_000, maxAttempts: 3 } },
      });
      expect(summary).toMatchObject({ succeeded: 1, failed: 1, recreated: 3 });
      const jobs = system.store.all().filter((j) => j.resource.filename === 'IMG_1001.HEIC');
      expect(jobs).toHaveLength(4);
      const gaps = jobs.slice(1).map((job, i) => job.createdAt - jobs[i]!.updatedAt);
      expect(gaps.map((g) => Math.round(g / 1000))).toEqual([1, 2, 4]);
      expect(transport.attempts.get('IMG_1001.HEIC')).toBe(8); // each of the 4 jobs retried once
    },
  );

  it(
    'from iOS 26.4 it gives up at once on shoebox-error-action give-up ' + '(DEVICE_REVOKED, BAD_FILENAME, TOO_LARGE)',
    async () => {
      const transport = new FakeTransport();
      const items = await sampleLibrary(2, 10_000);
      transport.failNext('IMG_1001.HEIC', {
        ...PERMANENT,
        headers: { 'shoebox-error': 'BAD_FILENAME', 'shoebox-error-action': 'give-up' },
      });
      const { summary } = await runPhotoKitSimulation({
        items,
        transport,
        destination: DESTINATION,
        clock: new VirtualClock(),
        ios: '26.4',
      });
      expect(summary).toMatchObject({ succeeded: 1, failed: 1, recreated: 0, retried: 0 });
      expect(summary.outcomes.find((o) => o.state === 'failed')?.error).toMatchObject({
        code: 'BAD_FILENAME',
        status: 400,
      });
      expect(transport.attempts.get('IMG_1001.HEIC')).toBe(1);
    },
  );
});
