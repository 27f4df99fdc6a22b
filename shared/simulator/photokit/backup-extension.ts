/**
 * A reference upload extension for Shoebox, written the way a careful iOS extension is (docs/IOS-EXTENSION.md
 * shows it in Swift): it keeps nothing in memory that matters, so a terminated-and-restarted instance
 * picks up from the job store and its own container (upload-ledger.ts). It identifies jobs by their
 * destination URL or response headers (job-identity.ts), never by job.resource (deprecated in iOS 27),
 * and branches on the phone's iOS where Swift would use `if #available`. Each call:
 *   1. settles every job fetchJobs presents (succeeded or failed) in the same call, as the system
 *      requires: succeeded ones are recorded, then acknowledged; failed ones are retried once, or
 *      acknowledged and re-created after an exponential back-off (or `retry-after`), or given up on
 *      (failure-policy.ts). A retry the system refuses (limitExceeded) becomes a re-creation;
 *   2. learns what is in flight: fetchJobs(.process) from iOS 26.5, its own records before;
 *   3. from 26.4, cancels redundant jobs (a resource already backed up, or a second job for one);
 *   4. creates jobs for resources that have none, as many as jobLimit leaves room for, within its own
 *      time budget (job-creation.ts).
 * It returns `processing` while resources wait for a slot, for their back-off or for time, else `completed`.
 * Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import { decodeHeaderPath, SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';
import type { DestinationConfig } from './destination';
import type {
  BackgroundUploadExtension,
  ExtensionEnvironment,
  ExtensionFactory,
  ProcessingResult,
} from './extension-types';
import { DEFAULT_RECREATE_POLICY, decideFailure, recreateDelay, type RecreatePolicy } from './failure-policy';
import { ShoeboxBackupJobExtension } from './ios27-extension';
import { iosAtLeast, isAvailable } from './ios-surface';
import { filenameOfJob, identifyJob } from './job-identity';
import { createJobs } from './job-creation';
import type { UploadJob } from './job-types';
import type { KeyValueStorage } from './key-value-storage';
import { resourceKey } from './photo-library';
import { isPhotosError, PhotosError } from './photos-error';
import { UploadLedger, type LedgerEntry, type LedgerSnapshot, type ResourceRef } from './upload-ledger';

export interface BackupExtensionOptions {
  destination: DestinationConfig;
  /** Send Repr-Digest (reads each resource once to hash it); default true. */
  digest?: boolean;
  /** Most jobs created in one performChanges; default jobLimit. */
  maxJobsPerBatch?: number;
  /**
   * The extension's own time budget per call, ms: past it, it stops describing and creating and
   * returns `processing`. Default 10 s, half the ~20 s the system allows.
   */
  timeBudgetMs?: number;
  /** Back-off of re-created jobs. */
  recreate?: Partial<RecreatePolicy>;
  /**
   * Which protocol to speak on iOS 27: `auto` (default) the iOS 27 one there and the old one before
   * (in Swift that is two builds: a principal class cannot switch protocols at run time), `legacy`
   * PHBackgroundResourceUploadExtension everywhere (still supported, deprecated, in iOS 27).
   */
  protocol?: 'auto' | 'legacy';
}

export const DEFAULT_EXTENSION_BUDGET_MS = 10_000;

/** The backup logic, shared by both protocols. */
export class ShoeboxBackup {
  readonly #env: ExtensionEnvironment;
  readonly #options: BackupExtensionOptions;
  readonly #policy: RecreatePolicy;
  #ledger: Promise<UploadLedger> | undefined;
  #terminated = false;

  constructor(env: ExtensionEnvironment, options: BackupExtensionOptions) {
    this.#env = env;
    this.#options = options;
    this.#policy = { ...DEFAULT_RECREATE_POLICY, ...options.recreate };
  }

  /** notifyTermination() / willTerminate(): stop at the next step. */
  stop(): void {
    this.#terminated = true;
  }

  async run(): Promise<ProcessingResult> {
    const deadline = this.#env.now() + (this.#options.timeBudgetMs ?? DEFAULT_EXTENSION_BUDGET_MS);
    try {
      this.#ledger ??= UploadLedger.open(this.#env.container as KeyValueStorage<LedgerSnapshot>);
      const ledger = await this.#ledger;
      await this.#settleFinished(ledger);
      this.#learnInFlight(ledger);
      await this.#cancelRedundant(ledger);
      return await this.#create(ledger, deadline);
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

  #headersOf(job: UploadJob): Readonly<Record<string, string>> | undefined {
    return isAvailable(this.#env.ios, 'PHAssetResourceUploadJob.responseHeaderFields')
      ? job.responseHeaderFields
      : undefined;
  }

  #entryFor(job: UploadJob, ref: ResourceRef, outcome: LedgerEntry['outcome'], error?: string): LedgerEntry {
    const headers = this.#headersOf(job) ?? {};
    const path = decodeHeaderPath(headers[SHOEBOX_HEADER_KEY.path]);
    return {
      assetId: ref.assetId,
      resourceType: ref.resourceType,
      filename: filenameOfJob(job) ?? ref.assetId,
      outcome,
      jobId: job.id,
      ...(path === undefined ? {} : { path }),
      ...(outcome === 'uploaded' && headers[SHOEBOX_HEADER_KEY.duplicate] !== undefined
        ? { duplicate: headers[SHOEBOX_HEADER_KEY.duplicate] === '?1' }
        : {}),
      ...(error === undefined ? {} : { error }),
    };
  }

  /** Step 1: every presented job is acknowledged or retried before this call returns. */
  async #settleFinished(ledger: UploadLedger): Promise<void> {
    const { library } = this.#env;
    const finished = library.fetchJobs('acknowledge');
    if (finished.length === 0) return;
    const retryable = new Set(library.fetchJobs('retry').map((job) => job.id));
    const now = this.#env.now();
    const records: LedgerEntry[] = [];
    const acknowledge: string[] = [];
    const retry: Array<{ id: string; ref: ResourceRef }> = [];
    for (const job of finished) {
      const ref = identifyJob({ destination: job.destination, responseHeaderFields: this.#headersOf(job) });
      if (!ref) {
        this.#env.log(`acknowledging ${job.id}: not a Shoebox job (${job.destination.url})`);
        acknowledge.push(job.id);
      } else if (job.state === 'succeeded') {
        records.push(this.#entryFor(job, ref, 'uploaded'));
        acknowledge.push(job.id);
      } else {
        const decision = decideFailure(
          { responseHeaderFields: this.#headersOf(job), error: job.error },
          {
            canRetry: retryable.has(job.id),
            attempts: ledger.waiting(ref)?.attempts ?? 0,
            policy: this.#policy,
            now,
          },
        );
        if (decision.kind === 'retry') retry.push({ id: job.id, ref });
        else {
          acknowledge.push(job.id);
          if (decision.kind === 'give-up') records.push(this.#entryFor(job, ref, 'failed', decision.why));
          else this.#scheduleRecreation(ledger, ref, job.id, now + decision.delayMs, decision.why);
        }
      }
    }
    ledger.settle(records);
    this.#check();
    await ledger.save(); // first the container, then acknowledge: a termination in between only repeats this
    this.#check();
    try {
      await library.performChanges((request) => {
        for (const id of acknowledge) request.acknowledge(id);
        for (const { id } of retry) request.retry(id);
      });
    } catch (error) {
      if (!isPhotosError(error, 'limitExceeded') || retry.length === 0) throw error;
      // The retries do not fit jobLimit: acknowledge those jobs too and re-create them later.
      for (const { id, ref } of retry) {
        const attempt = (ledger.waiting(ref)?.attempts ?? 0) + 1;
        this.#scheduleRecreation(
          ledger,
          ref,
          id,
          now + recreateDelay(this.#policy, attempt),
          'retry refused: limitExceeded',
        );
      }
      await ledger.save();
      this.#check();
      await library.performChanges((request) => {
        for (const id of [...acknowledge, ...retry.map((r) => r.id)]) request.acknowledge(id);
      });
    }
  }

  #scheduleRecreation(ledger: UploadLedger, ref: ResourceRef, jobId: string, notBefore: number, why: string): void {
    ledger.removeInFlight((record) => resourceKey(record) === resourceKey(ref));
    const { attempts } = ledger.schedule(ref, notBefore, why);
    this.#env.log(
      `${jobId} failed (${why}): re-creating ${ref.assetId} ${ref.resourceType} ` +
        `in ${Math.round((notBefore - this.#env.now()) / 1000)} s (attempt ${attempts})`,
    );
  }

  /**
   * Step 2: from iOS 26.5 the system lists registered and pending jobs; before, the container's
   * records (written at creation, dropped when the job is presented finished) are all there is.
   */
  #learnInFlight(ledger: UploadLedger): void {
    const { library } = this.#env;
    const now = this.#env.now();
    if (isAvailable(this.#env.ios, 'PHAssetResourceUploadJob.fetchJobs(action: .process)')) {
      const open = library.fetchJobs('process').flatMap((job) => {
        const ref = identifyJob(job);
        const since = ledger.inFlight().find((record) => record.url === job.destination.url)?.since ?? now;
        return ref ? [{ ...ref, url: job.destination.url, jobId: job.id, since }] : [];
      });
      ledger.replaceInFlight(open);
    }
  }

  /** Step 3 (iOS 26.4+, cancel()): jobs for resources already backed up, and second jobs for one resource. */
  async #cancelRedundant(ledger: UploadLedger): Promise<void> {
    if (!isAvailable(this.#env.ios, 'PHAssetResourceUploadJobChangeRequest.cancel()')) return;
    const seen = new Set<string>();
    const redundant: string[] = [];
    for (const record of ledger.inFlight()) {
      const key = resourceKey(record);
      if (record.jobId !== undefined && (ledger.get(record)?.outcome === 'uploaded' || seen.has(key)))
        redundant.push(record.jobId);
      else seen.add(key);
    }
    if (redundant.length === 0) return;
    this.#check();
    try {
      await this.#env.library.performChanges((request) => redundant.forEach((id) => request.cancel(id)));
      ledger.removeInFlight((record) => record.jobId !== undefined && redundant.includes(record.jobId));
      await ledger.save();
      this.#env.log(`cancelled ${redundant.length} redundant job(s)`);
    } catch (error) {
      if (!isPhotosError(error, 'changeNotSupported')) throw error;
      // One of them finished meanwhile: the next call sorts it out.
    }
  }

  /** Step 4. */
  async #create(ledger: UploadLedger, deadline: number): Promise<ProcessingResult> {
    const { library } = this.#env;
    const now = this.#env.now();
    const inFlight = ledger.inFlight();
    const busy = new Set(inFlight.map(resourceKey));
    const open = library.resources().filter((resource) => !ledger.get(resource) && !busy.has(resourceKey(resource)));
    const todo: SourceInfo[] = [];
    let waiting = 0;
    for (const resource of open) {
      if ((ledger.waiting(resource)?.notBefore ?? 0) > now) waiting += 1;
      else todo.push(resource);
    }
    if (todo.length === 0) return waiting > 0 ? 'processing' : 'completed';
    const free = library.jobLimit - inFlight.length;
    if (free <= 0) return 'processing'; // wait until finished jobs are acknowledged
    try {
      const { left } = await createJobs(this.#env, ledger, todo, free, {
        destination: this.#options.destination,
        digest: this.#options.digest !== false,
        maxJobsPerBatch: this.#options.maxJobsPerBatch ?? library.jobLimit,
        deadline,
        check: () => this.#check(),
      });
      return left > 0 || waiting > 0 ? 'processing' : 'completed';
    } catch (error) {
      if (isPhotosError(error, 'limitExceeded')) return 'processing';
      throw error;
    }
  }
}

/** The reference extension on PHBackgroundResourceUploadExtension (iOS 26.1+). */
export class ShoeboxBackupExtension implements BackgroundUploadExtension {
  readonly protocol = 'PHBackgroundResourceUploadExtension' as const;
  readonly #backup: ShoeboxBackup;

  constructor(env: ExtensionEnvironment, options: BackupExtensionOptions) {
    this.#backup = new ShoeboxBackup(env, options);
  }

  /** The reference extension, speaking the iOS 27 protocol where the phone has it (unless `protocol: 'legacy'`). */
  static factory(options: BackupExtensionOptions): ExtensionFactory {
    return (env) =>
      options.protocol !== 'legacy' && iosAtLeast(env.ios, '27')
        ? new ShoeboxBackupJobExtension(new ShoeboxBackup(env, options))
        : new ShoeboxBackupExtension(env, options);
  }

  process(): Promise<ProcessingResult> {
    return this.#backup.run();
  }

  notifyTermination(): void {
    this.#backup.stop();
  }
}
