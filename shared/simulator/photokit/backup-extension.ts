/**
 * A reference upload extension for Shoebox, written the way a careful iOS extension would be: it keeps
 * nothing in memory that matters, so a terminated-and-restarted instance picks up from the job store
 * and its own container. Each process() call:
 *   1. reads finished jobs: records succeeded ones (from their response headers) in the container, then
 *      acknowledges them; retries a failed job once when its error is worth it, else records and
 *      acknowledges it as failed;
 *   2. cancels redundant jobs (a resource already backed up, or a second job for one resource);
 *   3. creates jobs for resources that have none, as many as jobLimit leaves room for.
 * It returns `processing` while resources still wait for a free slot, else `completed`.
 * Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import { buildDestination, decodeShoeboxPath, type DestinationConfig } from './destination';
import type { BackgroundUploadExtension, ExtensionEnvironment, ProcessingResult } from './extension-types';
import type { DestinationRequest, UploadJob } from './job-types';
import type { KeyValueStorage } from './key-value-storage';
import { resourceKey } from './photo-library';
import { isPhotosError, PhotosError } from './photos-error';
import { UploadLedger, type LedgerEntry, type LedgerSnapshot } from './upload-ledger';

export interface BackupExtensionOptions {
  destination: DestinationConfig;
  /** Send Repr-Digest (reads each resource once to hash it); default true. */
  digest?: boolean;
  /** Most jobs created in one performChanges; default jobLimit. */
  maxJobsPerBatch?: number;
}

function entryFor(job: UploadJob, outcome: LedgerEntry['outcome']): LedgerEntry {
  const headers = job.responseHeaderFields ?? {};
  const path = decodeShoeboxPath(headers['shoebox-path']);
  return {
    assetId: job.resource.assetId,
    resourceType: job.resource.resourceType,
    filename: job.resource.filename,
    outcome,
    jobId: job.id,
    ...(path === undefined ? {} : { path }),
    ...(outcome === 'uploaded' ? { duplicate: headers['shoebox-duplicate'] === '?1' } : {}),
    ...(job.error ? { error: `${job.error.code}: ${job.error.message}` } : {}),
  };
}

export class ShoeboxBackupExtension implements BackgroundUploadExtension {
  readonly #env: ExtensionEnvironment;
  readonly #options: BackupExtensionOptions;
  #ledger: Promise<UploadLedger> | undefined;
  #terminated = false;

  constructor(env: ExtensionEnvironment, options: BackupExtensionOptions) {
    this.#env = env;
    this.#options = options;
  }

  static factory(options: BackupExtensionOptions): (env: ExtensionEnvironment) => ShoeboxBackupExtension {
    return (env) => new ShoeboxBackupExtension(env, options);
  }

  notifyTermination(): void {
    this.#terminated = true;
  }

  async process(): Promise<ProcessingResult> {
    try {
      this.#ledger ??= UploadLedger.open(this.#env.container as KeyValueStorage<LedgerSnapshot>);
      const ledger = await this.#ledger;
      await this.#handleFinished(ledger);
      await this.#cancelRedundant(ledger);
      return await this.#createJobs(ledger);
    } catch (error) {
      if (!this.#terminated && !isPhotosError(error, 'operationInterrupted')) {
        this.#env.log(`process() failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return 'failure';
    }
  }

  #check(): void {
    if (this.#terminated) throw new PhotosError('operationInterrupted', 'the extension was terminated');
  }

  async #handleFinished(ledger: UploadLedger): Promise<void> {
    const { library } = this.#env;
    const finished = library.fetchJobs('acknowledge');
    if (finished.length === 0) return;
    const retryable = new Set(library.fetchJobs('retry').map((job) => job.id));
    const records: LedgerEntry[] = [];
    const acknowledge: string[] = [];
    const retry: string[] = [];
    for (const job of finished) {
      if (job.state === 'succeeded') {
        records.push(entryFor(job, 'uploaded'));
        acknowledge.push(job.id);
      } else if (retryable.has(job.id) && job.error?.retryable) {
        retry.push(job.id);
      } else {
        records.push(entryFor(job, 'failed'));
        acknowledge.push(job.id);
      }
    }
    this.#check();
    await ledger.record(records); // first the container, then acknowledge: a termination in between only repeats this
    this.#check();
    await library.performChanges((request) => {
      for (const id of acknowledge) request.acknowledge(id);
      for (const id of retry) request.retry(id);
    });
  }

  async #cancelRedundant(ledger: UploadLedger): Promise<void> {
    const { library } = this.#env;
    const seen = new Set<string>();
    const redundant: string[] = [];
    for (const job of library.fetchJobs('process')) {
      const key = resourceKey(job.resource);
      if (ledger.get(job.resource)?.outcome === 'uploaded' || seen.has(key)) redundant.push(job.id);
      else seen.add(key);
    }
    if (redundant.length === 0) return;
    this.#check();
    try {
      await library.performChanges((request) => redundant.forEach((id) => request.cancel(id)));
      this.#env.log(`cancelled ${redundant.length} redundant job(s)`);
    } catch (error) {
      if (!isPhotosError(error, 'changeNotSupported')) throw error;
      // One of them finished meanwhile: the next process() sorts it out.
    }
  }

  async #createJobs(ledger: UploadLedger): Promise<ProcessingResult> {
    const { library } = this.#env;
    const open = [...library.fetchJobs('process'), ...library.fetchJobs('acknowledge')];
    const inFlight = new Set(open.map((job) => resourceKey(job.resource)));
    const todo = library.resources().filter((resource) => !ledger.get(resource) && !inFlight.has(resourceKey(resource)));
    if (todo.length === 0) return 'completed';
    const free = library.jobLimit - open.length;
    if (free <= 0) return 'processing'; // wait until finished jobs are acknowledged
    const batch = todo.slice(0, Math.min(free, this.#options.maxJobsPerBatch ?? library.jobLimit));
    const destinations: Array<{ resource: SourceInfo; destination: DestinationRequest }> = [];
    for (const resource of batch) {
      this.#check();
      const description = this.#options.digest === false ? resource : await library.describe(resource);
      destinations.push({ resource: description as SourceInfo, destination: buildDestination(this.#options.destination, description) });
    }
    this.#check();
    try {
      await library.performChanges((request) => {
        for (const { resource, destination } of destinations) request.createJob(destination, resource);
      });
    } catch (error) {
      if (isPhotosError(error, 'limitExceeded')) return 'processing';
      throw error;
    }
    return todo.length > batch.length ? 'processing' : 'completed';
  }
}
