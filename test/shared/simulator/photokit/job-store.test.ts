/** The job store's state machine: PHAssetResourceUploadJob states, jobLimit, acknowledge, retry once, cancel. */
import { describe, expect, it } from 'vitest';
import { buildDestination } from '../../../../shared/simulator/photokit/destination';
import { JobStore } from '../../../../shared/simulator/photokit/job-store';
import type { JobStoreSnapshot } from '../../../../shared/simulator/photokit/job-types';
import { PhotosError } from '../../../../shared/simulator/photokit/photos-error';
import type { SourceInfo } from '../../../../shared/simulator/upload-source';
import { DESTINATION } from '../../../helpers/simulator/photokit-fakes';

function resource(i: number): SourceInfo {
  return { assetId: `ASSET-${i}/L0/001`, resourceType: 'photo', filename: `IMG_${i}.HEIC`, size: 1000 + i };
}

function create(store: JobStore, ...indexes: number[]): string[] {
  const ids: string[] = [];
  store.performChanges((request) => {
    for (const i of indexes)
      ids.push(request.creationRequestForJob(buildDestination(DESTINATION, resource(i)), resource(i)));
  });
  return ids;
}

function photosError(run: () => void): PhotosError {
  try {
    run();
  } catch (error) {
    if (error instanceof PhotosError) return error;
    throw error;
  }
  throw new Error('expected a PhotosError');
}

describe('JobStore', () => {
  it('creates registered jobs that the system moves through pending to succeeded, keeping lowercased headers', () => {
    const store = new JobStore();
    const [id] = create(store, 1);
    expect(store.job(id!)).toMatchObject({
      state: 'registered',
      acknowledged: false,
      retried: false,
      resource: resource(1),
    });
    expect(store.fetchJobs('process').map((j) => j.id)).toEqual([id]);
    expect(store.begin(id!)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(store.fetchJobs('process').map((j) => j.id)).toEqual([id]);
    store.succeed(id!, 201, { 'Shoebox-Path': '2019/2019-08/IMG_1.HEIC', 'Repr-Digest': 'sha-256=:x:' });
    const job = store.job(id!)!;
    expect(job.state).toBe('succeeded');
    expect(job.responseHeaderFields).toEqual({
      'shoebox-path': '2019/2019-08/IMG_1.HEIC',
      'repr-digest': 'sha-256=:x:',
    });
    expect(store.fetchJobs('process')).toEqual([]);
    expect(store.fetchJobs('acknowledge').map((j) => j.id)).toEqual([id]);
  });

  it('refuses to create past jobLimit with limitExceeded, as a whole, and acknowledging frees slots', () => {
    const store = new JobStore({ jobLimit: 3 });
    expect(photosError(() => create(store, 1, 2, 3, 4)).code).toBe('limitExceeded');
    expect(store.all()).toEqual([]); // nothing of the failed block was applied
    const ids = create(store, 1, 2, 3);
    expect(store.unacknowledgedCount()).toBe(3);
    expect(photosError(() => create(store, 4)).code).toBe('limitExceeded');

    // Finished but unacknowledged jobs still hold their slots.
    store.begin(ids[0]!);
    store.succeed(ids[0]!, 201, {});
    store.begin(ids[1]!);
    store.fail(ids[1]!, { code: 'networkError', message: 'gone', retryable: true });
    expect(photosError(() => create(store, 4)).code).toBe('limitExceeded');

    store.performChanges((request) => request.acknowledge(ids[0]!));
    expect(store.unacknowledgedCount()).toBe(2);
    create(store, 4);
    expect(photosError(() => create(store, 5)).code).toBe('limitExceeded');
    store.performChanges((request) => request.acknowledge(ids[1]!));
    create(store, 5);
    expect(store.unacknowledgedCount()).toBe(3);
    expect(store.all()).toHaveLength(5);
  });

  it('acknowledges only succeeded or failed jobs, once', () => {
    const store = new JobStore();
    const [id] = create(store, 1);
    expect(photosError(() => store.performChanges((r) => r.acknowledge(id!))).code).toBe('changeNotSupported');
    store.begin(id!);
    expect(photosError(() => store.performChanges((r) => r.acknowledge(id!))).code).toBe('changeNotSupported');
    store.succeed(id!, 200, {});
    store.performChanges((r) => r.acknowledge(id!));
    expect(store.job(id!)).toMatchObject({ state: 'succeeded', acknowledged: true });
    expect(photosError(() => store.performChanges((r) => r.acknowledge(id!))).code).toBe('changeNotSupported');
    expect(store.fetchJobs('acknowledge')).toEqual([]);
    expect(photosError(() => store.performChanges((r) => r.acknowledge('job-9999'))).code).toBe('identifierNotFound');
  });

  it('retries a failed job only once', () => {
    const store = new JobStore();
    const [id] = create(store, 1);
    store.begin(id!);
    store.fail(id!, { code: 'STORAGE_ERROR', message: 'disk', status: 500, retryable: true }, { 'Retry-After': '5' });
    expect(store.job(id!)).toMatchObject({
      state: 'failed',
      status: 500,
      responseHeaderFields: { 'retry-after': '5' },
    });
    expect(store.fetchJobs('retry').map((j) => j.id)).toEqual([id]);

    store.performChanges((r) => r.retry(id!));
    expect(store.job(id!)).toMatchObject({
      state: 'registered',
      retried: true,
      error: undefined,
      responseHeaderFields: undefined,
    });
    expect(store.fetchJobs('retry')).toEqual([]);

    store.begin(id!);
    store.fail(id!, { code: 'STORAGE_ERROR', message: 'disk again', status: 500, retryable: true });
    expect(store.fetchJobs('retry')).toEqual([]);
    expect(store.fetchJobs('acknowledge').map((j) => j.id)).toEqual([id]);
    const second = photosError(() => store.performChanges((r) => r.retry(id!)));
    expect(second.code).toBe('changeNotSupported');
    expect(second.message).toMatch(/retried before/);
    store.performChanges((r) => r.acknowledge(id!));
    expect(store.job(id!)).toMatchObject({ state: 'failed', acknowledged: true, retried: true, attempts: 2 });
  });

  it('retry takes a new destination when given one; succeeded jobs cannot be retried', () => {
    const store = new JobStore();
    const [failed, succeeded] = create(store, 1, 2);
    store.begin(failed!);
    store.fail(failed!, { code: 'AUTH_FAILED', message: 'token', status: 401, retryable: false });
    store.begin(succeeded!);
    store.succeed(succeeded!, 201, {});
    const fresh = buildDestination({ ...DESTINATION, token: 'N'.repeat(43) }, resource(1));
    store.performChanges((r) => r.retry(failed!, fresh));
    expect(store.job(failed!)!.destination.headers['Shoebox-Token']).toBe('N'.repeat(43));
    expect(photosError(() => store.performChanges((r) => r.retry(succeeded!))).code).toBe('changeNotSupported');
  });

  it(
    'cancels registered or pending jobs (acknowledged at once, freeing the slot); a cancelled upload cannot ' +
      'succeed',
    () => {
      const store = new JobStore({ jobLimit: 2 });
      const [a, b] = create(store, 1, 2);
      store.begin(b!);
      store.performChanges((r) => {
        r.cancel(a!);
        r.cancel(b!);
      });
      expect(store.job(a!)).toMatchObject({ state: 'cancelled', acknowledged: true });
      expect(store.job(b!)).toMatchObject({ state: 'cancelled', acknowledged: true });
      expect(store.unacknowledgedCount()).toBe(0);
      expect(store.succeed(b!, 201, {})).toBeUndefined();
      expect(store.job(b!)!.state).toBe('cancelled');
      create(store, 3, 4);
      const [c] = store.fetchJobs('process').map((j) => j.id);
      store.begin(c!);
      store.succeed(c!, 201, {});
      expect(photosError(() => store.performChanges((r) => r.cancel(c!))).code).toBe('changeNotSupported');
    },
  );

  it('applies a change block all or nothing', () => {
    const store = new JobStore();
    const [a, b] = create(store, 1, 2);
    store.begin(a!);
    store.succeed(a!, 201, {});
    expect(
      photosError(() =>
        store.performChanges((r) => {
          r.acknowledge(a!);
          r.creationRequestForJob(buildDestination(DESTINATION, resource(3)), resource(3));
          r.acknowledge(b!); // registered: refused
        }),
      ).code,
    ).toBe('changeNotSupported');
    expect(store.job(a!)!.acknowledged).toBe(false);
    expect(store.all()).toHaveLength(2);
  });

  it('round-trips through a snapshot (a restarted system keeps its jobs, ids continue)', () => {
    const store = new JobStore({ jobLimit: 7 });
    const [a] = create(store, 1, 2);
    store.begin(a!);
    store.setTransfer(a!, { location: 'http://127.0.0.1:1/v1/uploads/abc' });
    const copy = new JobStore({ snapshot: JSON.parse(JSON.stringify(store.snapshot())) as JobStoreSnapshot });
    expect(copy.jobLimit).toBe(7);
    expect(copy.all()).toEqual(store.all());
    expect(copy.job(a!)!.transfer.location).toBe('http://127.0.0.1:1/v1/uploads/abc');
    const [next] = create(copy, 3);
    expect(next).toBe('job-0003');
  });

  it('tells listeners about every change', () => {
    const store = new JobStore();
    const kinds: string[] = [];
    store.onChange((change) => kinds.push(`${change.kind}:${change.job.state}`));
    const [id] = create(store, 1);
    store.begin(id!);
    store.fail(id!, { code: 'x', message: 'y', retryable: true });
    store.performChanges((r) => r.retry(id!));
    expect(kinds).toEqual(['created:registered', 'state:pending', 'state:failed', 'retried:registered']);
  });
});
