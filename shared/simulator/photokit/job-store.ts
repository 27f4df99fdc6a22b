/**
 * The simulated system's job store: PHAssetResourceUploadJob records and the changes
 * PHAssetResourceUploadJobChangeRequest allows on them. Node and browser.
 *
 * - At most `jobLimit` unacknowledged jobs (registered, pending, succeeded, failed) exist at once
 *   (Apple's jobLimit page: "This includes jobs that are in-flight and those that have succeeded or
 *   failed"). A change block that creates or retries jobs fails as a whole with PhotosError
 *   limitExceeded when, after it, unacknowledged jobs + jobs it retried exceed jobLimit: a retry counts
 *   toward jobLimit on top of the slot its job already holds, so a block can only retry while it
 *   also frees slots (acknowledges) or the store has room. Apple documents limitExceeded for creation
 *   only, and says of retry(destination:) "Successful retries also free up space for jobLimit"; that
 *   a retry counts is what devices show (issue 9), and this model is the strict reading of both.
 *   Blocks that only acknowledge or cancel never fail with limitExceeded.
 * - acknowledge(): succeeded or failed jobs only; frees their slot.
 * - retry(destination:): failed, unacknowledged jobs never retried before; the job goes back to registered.
 * - cancel(): registered or pending jobs only; cancelled jobs count as acknowledged.
 * The system side (begin, succeed, fail) moves jobs through pending to their outcome.
 */
import { sourceInfo, type SourceInfo } from '../upload-source';
import type {
  DestinationRequest,
  JobAction,
  JobError,
  JobRecord,
  JobState,
  JobStoreSnapshot,
  TransferState,
} from './job-types';
import { PhotosError } from './photos-error';

export const DEFAULT_JOB_LIMIT = 100;

/** The calls a change block may make (PHAssetResourceUploadJobChangeRequest). */
export interface JobChangeRequest {
  /**
   * creationRequestForJob(destination:resource:) (iOS 26.4+): creates a job; returns its local
   * identifier (placeholderForCreatedAssetResourceUploadJob's).
   */
  creationRequestForJob(destination: DestinationRequest, resource: SourceInfo): string;
  /** createJob(destination:resource:), deprecated in iOS 26.4: creates a job and returns nothing (no placeholder). */
  createJob(destination: DestinationRequest, resource: SourceInfo): void;
  acknowledge(jobId: string): void;
  /** Retries a failed job once, with a new destination or the same one. */
  retry(jobId: string, destination?: DestinationRequest): void;
  cancel(jobId: string): void;
}

export type JobChangeKind = 'created' | 'state' | 'acknowledged' | 'retried' | 'transfer';

export interface JobChange {
  kind: JobChangeKind;
  job: JobRecord;
  previous: JobRecord | undefined;
}

export interface JobStoreOptions {
  jobLimit?: number;
  /** Clock for createdAt/updatedAt. */
  now?: () => number;
  /** Start from a saved store (a restarted system). */
  snapshot?: JobStoreSnapshot;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function copyJob(job: JobRecord): JobRecord {
  return {
    ...job,
    resource: sourceInfo(job.resource),
    destination: { ...job.destination, headers: { ...job.destination.headers } },
    responseHeaderFields: job.responseHeaderFields ? { ...job.responseHeaderFields } : undefined,
    error: job.error ? { ...job.error } : undefined,
    transfer: { ...job.transfer },
  };
}

export class JobStore {
  readonly jobLimit: number;
  readonly #now: () => number;
  #jobs = new Map<string, JobRecord>();
  #nextNumber = 1;
  readonly #listeners = new Set<(change: JobChange) => void>();

  constructor(options: JobStoreOptions = {}) {
    const limit = options.jobLimit ?? options.snapshot?.jobLimit ?? DEFAULT_JOB_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('jobLimit must be a whole number of at least 1');
    this.jobLimit = limit;
    this.#now = options.now ?? (() => Date.now());
    if (options.snapshot) {
      for (const job of options.snapshot.jobs) this.#jobs.set(job.id, copyJob(job));
      this.#nextNumber = Math.max(options.snapshot.nextNumber, this.#jobs.size + 1);
    }
  }

  /** Calls `listener` after every change; returns a function that removes it. */
  onChange(listener: (change: JobChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  job(id: string): JobRecord | undefined {
    return this.#jobs.get(id);
  }

  /** Every job ever created, acknowledged ones included, oldest first. */
  all(): JobRecord[] {
    return [...this.#jobs.values()];
  }

  unacknowledgedCount(): number {
    let count = 0;
    for (const job of this.#jobs.values()) if (!job.acknowledged) count += 1;
    return count;
  }

  /** PHAssetResourceUploadJob.fetchJobs(action:options:) */
  fetchJobs(action: JobAction): JobRecord[] {
    return this.all().filter((job) => {
      if (job.acknowledged) return false;
      if (action === 'process') return job.state === 'registered' || job.state === 'pending';
      if (action === 'acknowledge') return job.state === 'succeeded' || job.state === 'failed';
      return job.state === 'failed' && !job.retried;
    });
  }

  /**
   * PHPhotoLibrary.performChanges for upload jobs: the block's changes apply together or not at all.
   * Throws PhotosError (limitExceeded, changeNotSupported, identifierNotFound); the store is then unchanged.
   */
  performChanges(block: (request: JobChangeRequest) => void): void {
    const draft = new Map(this.#jobs);
    const changes: JobChange[] = [];
    let nextNumber = this.#nextNumber;
    let created = 0;
    let retried = 0;
    const now = this.#now();
    const existing = (id: string, what: string): JobRecord => {
      const job = draft.get(id);
      if (!job) throw new PhotosError('identifierNotFound', `${what}: no upload job ${id}`);
      return job;
    };
    const put = (kind: JobChangeKind, previous: JobRecord | undefined, job: JobRecord) => {
      draft.set(job.id, job);
      changes.push({ kind, job, previous });
    };
    const create = (destination: DestinationRequest, resource: SourceInfo): string => {
      const id = `job-${String(nextNumber++).padStart(4, '0')}`;
      created += 1;
      put('created', undefined, {
        id,
        state: 'registered',
        resource: sourceInfo(resource),
        destination: { ...destination, headers: { ...destination.headers } },
        responseHeaderFields: undefined,
        error: undefined,
        retried: false,
        acknowledged: false,
        status: undefined,
        attempts: 0,
        transfer: {},
        createdAt: now,
        updatedAt: now,
      });
      return id;
    };
    block({
      creationRequestForJob: create,
      createJob: (destination, resource) => {
        create(destination, resource);
      },
      acknowledge: (id) => {
        const job = existing(id, 'acknowledge');
        if (job.acknowledged || (job.state !== 'succeeded' && job.state !== 'failed')) {
          throw new PhotosError(
            'changeNotSupported',
            `acknowledge: job ${id} is ${job.state}${job.acknowledged ? ' and already acknowledged' : ''}; ` +
              'only succeeded or failed jobs are acknowledged',
          );
        }
        put('acknowledged', job, { ...job, acknowledged: true, updatedAt: now });
      },
      retry: (id, destination) => {
        const job = existing(id, 'retry');
        if (job.state !== 'failed' || job.acknowledged || job.retried) {
          const why = job.retried ? 'was retried before' : job.acknowledged ? 'is acknowledged' : `is ${job.state}`;
          throw new PhotosError(
            'changeNotSupported',
            `retry: job ${id} ${why}; only failed, unacknowledged jobs are retried, once`,
          );
        }
        retried += 1;
        put('retried', job, {
          ...job,
          state: 'registered',
          retried: true,
          destination: destination ? { ...destination, headers: { ...destination.headers } } : job.destination,
          error: undefined,
          responseHeaderFields: undefined,
          status: undefined,
          transfer: {},
          updatedAt: now,
        });
      },
      cancel: (id) => {
        const job = existing(id, 'cancel');
        if (job.state !== 'registered' && job.state !== 'pending') {
          throw new PhotosError(
            'changeNotSupported',
            `cancel: job ${id} is ${job.state}; only registered or pending jobs are cancelled`,
          );
        }
        put('state', job, { ...job, state: 'cancelled', acknowledged: true, updatedAt: now });
      },
    });
    if (created > 0 || retried > 0) {
      let unacknowledged = 0;
      for (const job of draft.values()) if (!job.acknowledged) unacknowledged += 1;
      if (unacknowledged + retried > this.jobLimit) {
        const what = [created > 0 ? `creating ${created}` : '', retried > 0 ? `retrying ${retried}` : '']
          .filter(Boolean)
          .join(' and ');
        throw new PhotosError(
          'limitExceeded',
          `${what} job(s) would make ${unacknowledged} unacknowledged jobs` +
            `${retried > 0 ? ` + ${retried} retried` : ''}; ` +
            `jobLimit is ${this.jobLimit}: acknowledge finished jobs first`,
        );
      }
    }
    this.#jobs = draft;
    this.#nextNumber = nextNumber;
    for (const change of changes) this.#emit(change);
  }

  // The system's side.

  /** Registered and pending jobs, oldest first. */
  processable(): JobRecord[] {
    return this.fetchJobs('process');
  }

  /** The system starts uploading: registered (or pending, after a restart) becomes pending. */
  begin(id: string): JobRecord | undefined {
    return this.#update(
      id,
      ['registered', 'pending'],
      (job) => ({ state: 'pending', attempts: job.attempts + 1 }),
      'state',
    );
  }

  setTransfer(id: string, transfer: TransferState): void {
    this.#update(id, ['pending'], () => ({ transfer: { ...transfer } }), 'transfer');
  }

  /** A 2xx answer; ignored unless the job is still pending (it may have been cancelled meanwhile). */
  succeed(id: string, status: number, headers: Record<string, string>): JobRecord | undefined {
    return this.#update(
      id,
      ['pending'],
      () => ({ state: 'succeeded', status, responseHeaderFields: lowercased(headers), transfer: {} }),
      'state',
    );
  }

  fail(id: string, error: JobError, headers?: Record<string, string>): JobRecord | undefined {
    return this.#update(
      id,
      ['pending'],
      () => ({
        state: 'failed',
        error: { ...error },
        ...(error.status === undefined ? {} : { status: error.status }),
        responseHeaderFields: headers ? lowercased(headers) : undefined,
        transfer: {},
      }),
      'state',
    );
  }

  snapshot(): JobStoreSnapshot {
    return { version: 1, jobLimit: this.jobLimit, nextNumber: this.#nextNumber, jobs: this.all().map(copyJob) };
  }

  #update(
    id: string,
    from: JobState[],
    patch: (job: JobRecord) => Partial<Mutable<JobRecord>>,
    kind: JobChangeKind,
  ): JobRecord | undefined {
    const job = this.#jobs.get(id);
    if (!job || job.acknowledged || !from.includes(job.state)) return undefined;
    const next: JobRecord = { ...job, ...patch(job), updatedAt: this.#now() };
    this.#jobs.set(id, next);
    this.#emit({ kind, job: next, previous: job });
    return next;
  }

  #emit(change: JobChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}

export function lowercased(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
