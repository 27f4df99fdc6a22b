/**
 * The reference extension's process() loop, driven by hand: the test plays the system (begin, succeed,
 * fail) and calls process() through the ExtensionHost, on a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { ShoeboxBackupExtension } from '../../../shared/simulator/photokit/backup-extension';
import { buildDestination } from '../../../shared/simulator/photokit/destination';
import { ExtensionHost } from '../../../shared/simulator/photokit/extension-host';
import { JobStore } from '../../../shared/simulator/photokit/job-store';
import { MemoryStorage } from '../../../shared/simulator/photokit/key-value-storage';
import { PhotoLibrary } from '../../../shared/simulator/photokit/photo-library';
import { VirtualClock } from '../../../shared/simulator/photokit/sim-clock';
import { Timeline } from '../../../shared/simulator/photokit/timeline';
import type { LedgerSnapshot } from '../../../shared/simulator/photokit/upload-ledger';
import { DESTINATION, PERMANENT, RETRYABLE, sampleLibrary } from './fakes';

async function setup(count: number, jobLimit = 100, options: { livePhoto?: boolean } = {}) {
  const clock = new VirtualClock();
  const timeline = new Timeline(() => clock.now());
  const store = new JobStore({ jobLimit });
  const sources = await sampleLibrary(count, 1000, options.livePhoto ?? false);
  const library = new PhotoLibrary(sources);
  const container = new MemoryStorage<unknown>();
  const host = new ExtensionHost({ store, library, container, clock, timeline, factory: ShoeboxBackupExtension.factory({ destination: DESTINATION }) });
  /** The system's part: every registered job is uploaded with `status`. */
  const uploadAll = (status = 201) => {
    for (const job of store.fetchJobs('process')) {
      store.begin(job.id);
      store.succeed(job.id, status, { 'shoebox-path': `2019/2019-08/${encodeURIComponent(job.resource.filename)}`, 'shoebox-duplicate': status === 200 ? '?1' : '?0' });
    }
  };
  return { clock, timeline, store, library, container, host, sources, uploadAll };
}

describe('ShoeboxBackupExtension.process()', () => {
  it('creates jobs up to jobLimit (processing), acknowledges succeeded jobs after recording their headers, then completes', async () => {
    const { store, host, container, uploadAll, sources } = await setup(5, 2);
    expect(await host.process()).toBe('processing');
    expect(store.fetchJobs('process').map((j) => j.resource.filename)).toEqual(['IMG_1000.HEIC', 'IMG_1001.HEIC']);
    expect(await host.process()).toBe('processing'); // full: nothing more to do until jobs finish
    expect(store.all()).toHaveLength(2);

    uploadAll();
    expect(await host.process()).toBe('processing'); // acknowledged 2, created 2 more (1 left)
    expect(store.all().filter((j) => j.acknowledged)).toHaveLength(2);
    expect(store.fetchJobs('process')).toHaveLength(2);
    uploadAll(200);
    expect(await host.process()).toBe('completed'); // the last one created
    uploadAll();
    expect(await host.process()).toBe('completed');
    expect(store.fetchJobs('acknowledge')).toEqual([]);
    expect(store.all()).toHaveLength(5);
    expect(store.all().every((j) => j.state === 'succeeded' && j.acknowledged)).toBe(true);

    const ledger = (await container.load()) as LedgerSnapshot;
    expect(ledger.entries).toHaveLength(5);
    expect(ledger.entries.find((e) => e.filename === 'IMG_1002.HEIC')).toMatchObject({ outcome: 'uploaded', path: '2019/2019-08/IMG_1002.HEIC', duplicate: true });
    expect(ledger.entries.find((e) => e.filename === 'IMG_1000.HEIC')).toMatchObject({ outcome: 'uploaded', duplicate: false });

    // Each job's destination is what the receiver expects: raw body, metadata in the URL and headers.
    const job = store.all()[0]!;
    expect(job.destination).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:47120/v1/photokit/ASSET-0%2FL0%2F001/photo',
      headers: {
        Authorization: `Bearer ${DESTINATION.token}`,
        'Shoebox-Filename': 'IMG_1000.HEIC',
        'Content-Type': 'image/heic',
        'Shoebox-Creation-Date': '2019-08-21T10:57:23+02:00',
        'Repr-Digest': expect.stringMatching(/^sha-256=:[A-Za-z0-9+/]{43}=:$/),
      },
    });
    expect(sources).toHaveLength(5);
  });

  it('makes a Live Photo two jobs with the same asset id: photo and pairedVideo', async () => {
    const { store, host } = await setup(1, 10, { livePhoto: true });
    expect(await host.process()).toBe('completed');
    expect(store.all().map((j) => [j.resource.assetId, j.resource.resourceType, j.destination.url.split('/v1/photokit/')[1]])).toEqual([
      ['ASSET-0/L0/001', 'photo', 'ASSET-0%2FL0%2F001/photo'],
      ['ASSET-0/L0/001', 'pairedVideo', 'ASSET-0%2FL0%2F001/pairedVideo'],
    ]);
  });

  it('retries a failed job once, then acknowledges it as failed', async () => {
    const { store, host, container } = await setup(1);
    await host.process();
    const [job] = store.all();
    store.begin(job!.id);
    store.fail(job!.id, RETRYABLE);
    expect(await host.process()).toBe('completed');
    expect(store.job(job!.id)).toMatchObject({ state: 'registered', retried: true, acknowledged: false });
    store.begin(job!.id);
    store.fail(job!.id, RETRYABLE);
    await host.process();
    expect(store.job(job!.id)).toMatchObject({ state: 'failed', retried: true, acknowledged: true });
    expect(store.all()).toHaveLength(1); // and no new job for it in this container's lifetime
    await host.process();
    expect(store.all()).toHaveLength(1);
    expect(((await container.load()) as LedgerSnapshot).entries[0]).toMatchObject({ outcome: 'failed', error: 'STORAGE_ERROR: could not write' });
  });

  it('acknowledges a job that failed for good without retrying it', async () => {
    const { store, host } = await setup(1);
    await host.process();
    const [job] = store.all();
    store.begin(job!.id);
    store.fail(job!.id, PERMANENT);
    await host.process();
    expect(store.job(job!.id)).toMatchObject({ state: 'failed', retried: false, acknowledged: true });
  });

  it('cancels redundant jobs: a second job for one resource, and a job for a resource already backed up', async () => {
    const { store, host, container, library } = await setup(3);
    const [r0, r1] = library.resources();
    await container.save({ version: 1, entries: [{ assetId: r1!.assetId, resourceType: r1!.resourceType, filename: r1!.filename, outcome: 'uploaded', jobId: 'job-0000' }] } satisfies LedgerSnapshot);
    const ids: string[] = [];
    store.performChanges((request) => {
      ids.push(request.createJob(buildDestination(DESTINATION, r0!), r0!));
      ids.push(request.createJob(buildDestination(DESTINATION, r0!), r0!)); // e.g. created by an older version of the app
      ids.push(request.createJob(buildDestination(DESTINATION, r1!), r1!)); // uploaded meanwhile by the app itself
    });
    expect(await host.process()).toBe('completed');
    expect(ids.map((id) => store.job(id)!.state)).toEqual(['registered', 'cancelled', 'cancelled']);
    expect(store.fetchJobs('process').map((j) => j.resource.filename).sort()).toEqual(['IMG_1000.HEIC', 'IMG_1002.HEIC']);
  });

  it('stops at termination: the dead process cannot touch the store, the next one picks up without duplicates', async () => {
    const { store, host, clock, timeline } = await setup(4, 100);
    const first = host.process();
    await clock.sleep(0); // the extension is inside performChanges (2 ms of latency)
    expect(host.terminate('test')).toBe(true);
    expect(await first).toBe('terminated');
    expect(store.all()).toHaveLength(0); // the change never landed
    expect(timeline.events.map((e) => (e.type === 'extension' ? `${e.launch}:${e.what}` : e.type))).toEqual(['1:launched', '1:terminated']);

    expect(await host.process()).toBe('completed');
    expect(host.launches).toBe(2);
    expect(store.all()).toHaveLength(4);
    expect(await host.process()).toBe('completed');
    expect(store.all()).toHaveLength(4);
    expect(new Set(store.all().map((j) => j.resource.filename)).size).toBe(4);
  });
});
