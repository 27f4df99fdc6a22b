/**
 * The reference extension's process() loop, driven by hand: the test plays the system (begin, succeed,
 * fail) and calls process() through the ExtensionHost, on a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import {
  ShoeboxBackupExtension,
  type BackupExtensionOptions,
} from '../../../../shared/simulator/photokit/backup-extension';
import { buildDestination } from '../../../../shared/simulator/photokit/destination';
import { ExtensionHost } from '../../../../shared/simulator/photokit/extension-host';
import type { IosVersion } from '../../../../shared/simulator/photokit/ios-surface';
import { JobStore } from '../../../../shared/simulator/photokit/job-store';
import { MemoryStorage } from '../../../../shared/simulator/photokit/key-value-storage';
import { PhotoLibrary } from '../../../../shared/simulator/photokit/photo-library';
import { VirtualClock } from '../../../../shared/simulator/photokit/sim-clock';
import { Timeline } from '../../../../shared/simulator/photokit/timeline';
import type { LedgerSnapshot } from '../../../../shared/simulator/photokit/upload-ledger';
import { DESTINATION, PERMANENT, RETRYABLE, sampleLibrary } from '../../../helpers/simulator/photokit-fakes';

async function setup(
  count: number,
  jobLimit = 100,
  options: { livePhoto?: boolean; ios?: IosVersion; extension?: Partial<BackupExtensionOptions> } = {},
) {
  const clock = new VirtualClock();
  const timeline = new Timeline(() => clock.now());
  const store = new JobStore({ jobLimit });
  const sources = await sampleLibrary(count, 1000, options.livePhoto ?? false);
  const library = new PhotoLibrary(sources);
  const container = new MemoryStorage<unknown>();
  const host = new ExtensionHost({
    store,
    library,
    container,
    clock,
    timeline,
    ios: options.ios ?? '26.1',
    factory: ShoeboxBackupExtension.factory({ destination: DESTINATION, ...options.extension }),
  });
  const process = async () => (await host.process()).result;
  /** The system's part: every registered job is uploaded with `status`. */
  const uploadAll = (status = 201) => {
    for (const job of store.fetchJobs('process')) {
      store.begin(job.id);
      store.succeed(job.id, status, {
        'shoebox-path': `2019/2019-08/${encodeURIComponent(job.resource.filename)}`,
        'shoebox-duplicate': status === 200 ? '?1' : '?0',
      });
    }
  };
  return { clock, timeline, store, library, container, host, sources, uploadAll, process };
}

describe('ShoeboxBackupExtension.process()', () => {
  it(
    'creates jobs up to jobLimit (processing), acknowledges succeeded jobs after recording their headers ' +
      '(iOS 26.4), then completes',
    async () => {
      const { store, container, uploadAll, sources, process } = await setup(5, 2, { ios: '26.4' });
      expect(await process()).toBe('processing');
      expect(store.fetchJobs('process').map((j) => j.resource.filename)).toEqual(['IMG_1000.HEIC', 'IMG_1001.HEIC']);
      expect(await process()).toBe('processing'); // full: nothing more to do until jobs finish
      expect(store.all()).toHaveLength(2);

      uploadAll();
      expect(await process()).toBe('processing'); // acknowledged 2, created 2 more (1 left)
      expect(store.all().filter((j) => j.acknowledged)).toHaveLength(2);
      expect(store.fetchJobs('process')).toHaveLength(2);
      uploadAll(200);
      expect(await process()).toBe('completed'); // the last one created
      uploadAll();
      expect(await process()).toBe('completed');
      expect(store.fetchJobs('acknowledge')).toEqual([]);
      expect(store.all()).toHaveLength(5);
      expect(store.all().every((j) => j.state === 'succeeded' && j.acknowledged)).toBe(true);

      const ledger = (await container.load()) as LedgerSnapshot;
      expect(ledger.entries).toHaveLength(5);
      expect(ledger.entries.find((e) => e.filename === 'IMG_1002.HEIC')).toMatchObject({
        outcome: 'uploaded',
        path: '2019/2019-08/IMG_1002.HEIC',
        duplicate: true,
      });
      expect(ledger.entries.find((e) => e.filename === 'IMG_1000.HEIC')).toMatchObject({
        outcome: 'uploaded',
        duplicate: false,
      });

      // Each job's destination is what the receiver expects: raw body, metadata in the URL and headers.
      const job = store.all()[0]!;
      expect(job.destination).toEqual({
        method: 'POST',
        url: 'http://127.0.0.1:47120/v1/photokit/ASSET-0%2FL0%2F001/photo',
        headers: {
          'Shoebox-Token': DESTINATION.token,
          'Shoebox-Filename': 'IMG_1000.HEIC',
          'Content-Type': 'image/heic',
          'Shoebox-Creation-Date': '2019-08-21T10:57:23+02:00',
          'Repr-Digest': expect.stringMatching(/^sha-256=:[A-Za-z0-9+/]{43}=:$/) as unknown,
        },
      });
      expect(sources).toHaveLength(5);
    },
  );

  it(
    'on iOS 26.1 sees no response headers: ' + 'records the upload without path or duplicate, by its destination URL',
    async () => {
      const { store, container, uploadAll, process, timeline } = await setup(1, 2);
      expect(await process()).toBe('completed');
      uploadAll(200);
      expect(await process()).toBe('completed');
      expect(store.all()[0]).toMatchObject({
        state: 'succeeded',
        acknowledged: true,
        responseHeaderFields: { 'shoebox-duplicate': '?1' },
      });
      expect(((await container.load()) as LedgerSnapshot).entries).toEqual([
        {
          assetId: 'ASSET-0/L0/001',
          resourceType: 'photo',
          filename: 'IMG_1000.HEIC',
          outcome: 'uploaded',
          jobId: 'job-0001',
        },
      ]);
      // createJob is current on 26.1
      expect(timeline.events.filter((e) => e.type === 'extension' && e.what === 'deprecated')).toEqual([]);
    },
  );

  it('makes a Live Photo two jobs with the same asset id: photo and pairedVideo', async () => {
    const { store, process } = await setup(1, 10, { livePhoto: true });
    expect(await process()).toBe('completed');
    expect(
      store
        .all()
        .map((j) => [j.resource.assetId, j.resource.resourceType, j.destination.url.split('/v1/photokit/')[1]]),
    ).toEqual([
      ['ASSET-0/L0/001', 'photo', 'ASSET-0%2FL0%2F001/photo'],
      ['ASSET-0/L0/001', 'pairedVideo', 'ASSET-0%2FL0%2F001/pairedVideo'],
    ]);
  });

  it(
    'on iOS 26.1 (no error visible) retries a failed job once, then acknowledges it and re-creates it after a ' +
      'back-off kept in the container',
    async () => {
      const { store, container, clock, process } = await setup(1, 100, { extension: { recreate: { baseMs: 1_000 } } });
      await process();
      const [job] = store.all();
      store.begin(job!.id);
      store.fail(job!.id, RETRYABLE);
      expect(await process()).toBe('completed');
      expect(store.job(job!.id)).toMatchObject({ state: 'registered', retried: true, acknowledged: false });
      store.begin(job!.id);
      store.fail(job!.id, RETRYABLE);
      expect(await process()).toBe('processing'); // acknowledged; the resource waits for its back-off
      expect(store.job(job!.id)).toMatchObject({ state: 'failed', retried: true, acknowledged: true });
      const saved = (await container.load()) as LedgerSnapshot;
      expect(saved.entries).toEqual([]);
      expect(saved.inFlight).toEqual([]);
      expect(saved.waiting).toMatchObject([
        { assetId: 'ASSET-0/L0/001', resourceType: 'photo', attempts: 1, notBefore: clock.now() + 1_000 - 2 },
      ]);
      expect(await process()).toBe('processing');
      expect(store.all()).toHaveLength(1); // not before the back-off
      await clock.sleep(1_000);
      expect(await process()).toBe('completed');
      expect(store.all()).toHaveLength(2);
      const again = store.all()[1]!;
      expect(again.destination.url).toBe(job!.destination.url);
      store.begin(again.id);
      store.succeed(again.id, 201, { 'shoebox-path': '2019/2019-08/IMG_1000.HEIC' });
      expect(await process()).toBe('completed');
      expect((await container.load()) as LedgerSnapshot).toMatchObject({
        entries: [{ outcome: 'uploaded', jobId: again.id, filename: 'IMG_1000.HEIC' }],
        waiting: [],
        inFlight: [],
      });
    },
  );

  it(
    'on iOS 26.4 reads shoebox-error-action: ' + 'give-up records the resource as failed for good, without a retry',
    async () => {
      const { store, container, process } = await setup(1, 100, { ios: '26.4' });
      await process();
      const [job] = store.all();
      store.begin(job!.id);
      store.fail(job!.id, PERMANENT, { 'Shoebox-Error': 'BAD_FILENAME', 'Shoebox-Error-Action': 'give-up' });
      expect(await process()).toBe('completed');
      expect(store.job(job!.id)).toMatchObject({ state: 'failed', retried: false, acknowledged: true });
      expect(((await container.load()) as LedgerSnapshot).entries[0]).toMatchObject({
        outcome: 'failed',
        error: expect.stringContaining('BAD_FILENAME') as unknown,
      });
      expect(await process()).toBe('completed');
      expect(store.all()).toHaveLength(1);
    },
  );

  it(
    'on iOS 26.4 re-creates after retry-after for shoebox-error-action recreate, ' + 'and retries at once for retry',
    async () => {
      const { store, clock, process } = await setup(2, 100, { ios: '26.4' });
      await process();
      const [a, b] = store.all();
      for (const job of [a!, b!]) store.begin(job.id);
      store.fail(a!.id, RETRYABLE, { 'shoebox-error-action': 'recreate', 'retry-after': '30' });
      store.fail(b!.id, RETRYABLE, { 'shoebox-error-action': 'retry', 'retry-after': '30' });
      expect(await process()).toBe('processing');
      expect(store.job(a!.id)).toMatchObject({ acknowledged: true, retried: false });
      expect(store.job(b!.id)).toMatchObject({ state: 'registered', retried: true });
      await clock.sleep(29_000);
      await process();
      expect(store.all()).toHaveLength(2);
      await clock.sleep(1_000);
      expect(await process()).toBe('completed');
      expect(store.all()).toHaveLength(3);
    },
  );

  it(
    'cancels redundant jobs (iOS 26.5: fetchJobs(.process) and cancel()): a second job for one resource, and a job ' +
      'for a resource already backed up',
    async () => {
      const { store, container, library, process } = await setup(3, 100, { ios: '26.5' });
      const [r0, r1] = library.resources();
      await container.save({
        version: 1,
        entries: [
          {
            assetId: r1!.assetId,
            resourceType: r1!.resourceType,
            filename: r1!.filename,
            outcome: 'uploaded',
            jobId: 'job-0000',
          },
        ],
      });
      const ids: string[] = [];
      store.performChanges((request) => {
        ids.push(request.creationRequestForJob(buildDestination(DESTINATION, r0!), r0!));
        // e.g. created by an older version of the app
        ids.push(request.creationRequestForJob(buildDestination(DESTINATION, r0!), r0!));
        // uploaded meanwhile by the app itself
        ids.push(request.creationRequestForJob(buildDestination(DESTINATION, r1!), r1!));
      });
      expect(await process()).toBe('completed');
      expect(ids.map((id) => store.job(id)!.state)).toEqual(['registered', 'cancelled', 'cancelled']);
      expect(
        store
          .fetchJobs('process')
          .map((j) => j.resource.filename)
          .sort(),
      ).toEqual(['IMG_1000.HEIC', 'IMG_1002.HEIC']);
    },
  );

  it(
    'before iOS 26.5 knows its in-flight jobs from its container only: a fresh container sees none and creates for ' +
      'everything',
    async () => {
      const { store, container, process } = await setup(2, 100, { ios: '26.4' });
      expect(await process()).toBe('completed');
      const saved = (await container.load()) as LedgerSnapshot;
      expect(saved.inFlight.map((r) => [r.url.split('/v1/photokit/')[1], r.jobId])).toEqual([
        ['ASSET-0%2FL0%2F001/photo', 'job-0001'],
        ['ASSET-1%2FL0%2F001/photo', 'job-0002'],
      ]);
      expect(await process()).toBe('completed');
      expect(store.all()).toHaveLength(2); // its records say both are in flight
    },
  );

  it(
    'stops at termination: the dead process cannot touch the store, ' + 'the next one picks up without duplicates',
    async () => {
      const { store, host, clock, timeline, process } = await setup(4, 100);
      const first = host.process();
      await clock.sleep(0); // the extension is inside performChanges (2 ms of latency)
      expect(await host.terminate('test')).toBe(true);
      expect((await first).result).toBe('terminated');
      expect(store.all()).toHaveLength(0); // the change never landed
      expect(timeline.events.map((e) => (e.type === 'extension' ? `${e.launch}:${e.what}` : e.type))).toEqual([
        '1:launched',
        '1:terminated',
      ]);

      expect(await process()).toBe('completed');
      expect(host.launches).toBe(2);
      expect(store.all()).toHaveLength(4);
      expect(await process()).toBe('completed');
      expect(store.all()).toHaveLength(4);
      expect(new Set(store.all().map((j) => j.resource.filename)).size).toBe(4);
    },
  );
});
