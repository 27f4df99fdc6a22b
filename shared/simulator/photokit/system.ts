/**
 * The simulated iOS side of PhotoKit background uploads: it owns the job store, performs the uploads
 * itself (BackgroundUploader), and runs the app's extension (ExtensionHost): it calls process() while
 * the extension says `processing` or finished jobs wait to be acknowledged, ends the extension at random
 * moments (notifyTermination) and starts a new one later, which picks up from the job store. The run
 * ends when process() said `completed`, nothing is left to upload and nothing to acknowledge.
 *
 * The system's rules (extension-host.ts): each process() call has a time budget (`processBudgetMs`,
 * default 20 s) and the extension is ended past it; a call that returns leaving presented jobs
 * unacknowledged makes the system leave the extension alone for `timing.unacknowledgedBackoffMs`
 * (default 300 s, doubling while it happens run after run; devices log error 50008); the phone's iOS (`ios`,
 * default 26.1) decides what the extension may call and see (ios-surface.ts). Uploads go on meanwhile.
 * Node and browser; deterministic under a seed as far as the network's timing allows.
 */
import { BackgroundUploader } from './background-uploader';
import { decodeHeaderPath, SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';
import { ExtensionHost } from './extension-host';
import type { IosVersion } from './ios-surface';
import type { ExtensionFactory, ProcessingResult } from './extension-types';
import { JobStore, type JobChange } from './job-store';
import type { JobStoreSnapshot } from './job-types';
import { CoalescingWriter, MemoryStorage, type KeyValueStorage } from './key-value-storage';
import { networkConditions, type NetworkConditions } from './network-conditions';
import type { PhotoLibrary } from './photo-library';
import { deriveSeed, exponentialDelay, seededRandom } from './random';
import { realSimClock, type SimClock } from './sim-clock';
import { Timeline, type JobEvent } from './timeline';
import type { UploadTransport } from './transport-types';

export interface SystemTiming {
  /** Pause before calling process() again after `processing`, unless a job changes first. */
  processIntervalMs: number;
  /** How long after a termination the extension is started again. */
  relaunchDelayMs: number;
  /** How long a performChanges takes. */
  changeLatencyMs: number;
  /** Pause after a `failure` result. */
  failureDelayMs: number;
  /** `failure` results in a row before the system gives up on the extension. */
  maxFailures: number;
  /**
   * How long the system does not call an extension that left presented jobs unacknowledged (error
   * 50008), the first time; it doubles with each such run in a row, up to an hour. Apple documents no
   * figure; a public project measured about 300 s on iOS 26.6, growing with each failed attempt.
   */
  unacknowledgedBackoffMs: number;
  /** How long willTerminate() (iOS 27 protocol) may take before the process is ended anyway. */
  terminationGraceMs: number;
}

/** The 50008 back-off grows no longer than this. */
const MAX_UNACKNOWLEDGED_BACKOFF_MS = 60 * 60_000;

export const DEFAULT_TIMING: SystemTiming = {
  processIntervalMs: 100,
  relaunchDelayMs: 250,
  changeLatencyMs: 2,
  failureDelayMs: 500,
  maxFailures: 10,
  unacknowledgedBackoffMs: 300_000,
  terminationGraceMs: 1_000,
};

export interface PhotoKitSystemOptions {
  library: PhotoLibrary;
  transport: UploadTransport;
  extension: ExtensionFactory;
  /** The phone's iOS: the API surface the extension gets; default 26.1 (the oldest, the strictest). */
  ios?: IosVersion;
  /** Time budget of one process() call, ms; default 20 s. */
  processBudgetMs?: number;
  /** jobLimit; default 100 (or the saved store's). */
  jobLimit?: number;
  /** Uploads at once; default 4. */
  concurrency?: number;
  /** Phone locked: throttled bandwidth, suspensions, cut connections (see network-conditions.ts). */
  locked?: boolean;
  conditions?: Partial<NetworkConditions>;
  /** Mean time between terminations of the extension, ms; default never. */
  terminateEveryMs?: number;
  seed?: number;
  clock?: SimClock;
  /** Where the job store lives; default in memory. */
  jobStorage?: KeyValueStorage<JobStoreSnapshot>;
  /** The extension's container; default in memory. */
  container?: KeyValueStorage<unknown>;
  timing?: Partial<SystemTiming>;
  /** Keep every timeline event in memory (default true). */
  keepTimeline?: boolean;
}

export interface SystemRunStats {
  launches: number;
  terminations: number;
  /** Terminations because process() ran past its time budget. */
  budgetTerminations: number;
  /** Times the system backed the extension off for unacknowledged presented jobs (error 50008). */
  unacknowledgedBackoffs: number;
  processCalls: number;
  results: Record<ProcessingResult, number>;
  limitExceeded: number;
  cuts: number;
  pauses: number;
  resumes: number;
  restarts: number;
  networkErrors: number;
  elapsedMs: number;
  /** Set when the run ended early: the extension kept failing, or the run was aborted. */
  stoppedBecause?: string;
}

export function jobEventOf(change: JobChange): Omit<JobEvent, 'at'> {
  const { job } = change;
  const path =
    job.state === 'succeeded' ? decodeHeaderPath(job.responseHeaderFields?.[SHOEBOX_HEADER_KEY.path]) : undefined;
  return {
    type: 'job',
    jobId: job.id,
    resource: job.resource,
    change: change.kind,
    state: job.state,
    acknowledged: job.acknowledged,
    ...(job.status === undefined ? {} : { status: job.status }),
    ...(job.error ? { error: job.error } : {}),
    ...(path ? { path } : {}),
  };
}

export class PhotoKitSystem {
  readonly store: JobStore;
  readonly timeline: Timeline;
  readonly conditions: NetworkConditions;
  readonly #options: PhotoKitSystemOptions;
  readonly #clock: SimClock;
  readonly #timing: SystemTiming;
  readonly #host: ExtensionHost;
  readonly #uploader: BackgroundUploader;
  readonly #writer: CoalescingWriter<JobStoreSnapshot>;
  /** Bumped on every job store change; waiters wake on the next bump. */
  #version = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(options: PhotoKitSystemOptions, snapshot: JobStoreSnapshot | undefined) {
    this.#options = options;
    this.#clock = options.clock ?? realSimClock;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.conditions = networkConditions(options.locked ?? false, options.conditions);
    this.timeline = new Timeline(() => this.#clock.now(), { keep: options.keepTimeline ?? true });
    this.store = new JobStore({
      ...(options.jobLimit === undefined ? {} : { jobLimit: options.jobLimit }),
      ...(snapshot ? { snapshot } : {}),
      now: () => Math.round(this.timeline.elapsed()),
    });
    this.#writer = new CoalescingWriter(options.jobStorage ?? new MemoryStorage<JobStoreSnapshot>());
    this.#host = new ExtensionHost({
      store: this.store,
      library: options.library,
      factory: options.extension,
      container: options.container ?? new MemoryStorage<unknown>(),
      clock: this.#clock,
      timeline: this.timeline,
      changeLatencyMs: this.#timing.changeLatencyMs,
      terminationGraceMs: this.#timing.terminationGraceMs,
      ...(options.ios === undefined ? {} : { ios: options.ios }),
      ...(options.processBudgetMs === undefined ? {} : { processBudgetMs: options.processBudgetMs }),
    });
    this.#uploader = new BackgroundUploader({
      store: this.store,
      library: options.library,
      transport: options.transport,
      timeline: this.timeline,
      clock: this.#clock,
      conditions: this.conditions,
      seed: options.seed ?? 1,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
  }

  /** Loads the job store from its storage (a restarted system picks up its jobs). */
  static async create(options: PhotoKitSystemOptions): Promise<PhotoKitSystem> {
    const snapshot = await options.jobStorage?.load();
    return new PhotoKitSystem(options, snapshot?.version === 1 ? snapshot : undefined);
  }

  /** The phone's iOS. */
  get ios(): IosVersion {
    return this.#host.ios;
  }

  /** Ends the running extension now (as a random termination would). */
  terminateExtension(reason?: string): Promise<boolean> {
    return this.#host.terminate(reason);
  }

  async run(signal?: AbortSignal): Promise<SystemRunStats> {
    const stats: SystemRunStats = {
      launches: 0,
      terminations: 0,
      budgetTerminations: 0,
      unacknowledgedBackoffs: 0,
      processCalls: 0,
      results: { completed: 0, processing: 0, failure: 0 },
      limitExceeded: 0,
      cuts: 0,
      pauses: 0,
      resumes: 0,
      restarts: 0,
      networkErrors: 0,
      elapsedMs: 0,
    };
    const started = this.#clock.now();
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = [
      this.store.onChange((change) => {
        this.timeline.record(jobEventOf(change));
        this.#writer.write(this.store.snapshot());
        this.#version += 1;
        for (const wake of [...this.#waiters]) wake();
      }),
      this.timeline.on('event', (event) => {
        if (event.type === 'extension' && event.what === 'limitExceeded') stats.limitExceeded += 1;
        if (event.type !== 'transfer') return;
        if (event.what === 'cut') stats.cuts += 1;
        else if (event.what === 'pause') stats.pauses += 1;
        else if (event.what === 'offset') stats.resumes += 1;
        else if (event.what === 'restart') stats.restarts += 1;
        else if (event.what === 'network-error') stats.networkErrors += 1;
      }),
    ];
    this.#uploader.start();
    const terminations = this.#terminations(stop.signal);
    let last: ProcessingResult | 'terminated' | undefined;
    let failures = 0;
    let backoffsInARow = 0;
    try {
      while (!stop.signal.aborted) {
        const seen = this.#version;
        if (last !== 'completed' || this.store.fetchJobs('acknowledge').length > 0) {
          if (!this.#host.running && this.#host.terminations > 0)
            await this.#clock.sleep(this.#timing.relaunchDelayMs, stop.signal);
          const outcome = await this.#host.process();
          last = outcome.result;
          if (last === 'terminated') continue;
          stats.processCalls += 1;
          stats.results[last] += 1;
          if (outcome.unacknowledged.length > 0) {
            stats.unacknowledgedBackoffs += 1;
            backoffsInARow += 1;
            await this.#backOff(outcome.launch, outcome.unacknowledged, backoffsInARow, stop.signal);
          } else {
            backoffsInARow = 0;
          }
          if (last === 'failure') {
            failures += 1;
            if (failures >= this.#timing.maxFailures) {
              stats.stoppedBecause = `the extension's process() failed ${failures} times in a row`;
              break;
            }
            await this.#clock.sleep(this.#timing.failureDelayMs, stop.signal);
          } else {
            failures = 0;
            if (last === 'processing') await this.#waitForChange(seen, this.#timing.processIntervalMs, stop.signal);
          }
          continue;
        }
        if (!this.#uploader.hasWork()) break;
        await this.#waitForChange(seen, Infinity, stop.signal);
      }
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    } finally {
      if (stop.signal.aborted && !stats.stoppedBecause) stats.stoppedBecause = 'the run was aborted';
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
      await terminations;
      await this.#uploader.stop();
      for (const off of unsubscribe) off();
      await this.#writer.flush();
    }
    stats.launches = this.#host.launches;
    stats.terminations = this.#host.terminations;
    stats.budgetTerminations = this.#host.budgetTerminations;
    stats.elapsedMs = this.#clock.now() - started;
    return stats;
  }

  /** Error 50008: the extension left presented jobs unacknowledged; it is not called for a while. */
  async #backOff(launch: number, jobs: readonly string[], inARow: number, stop: AbortSignal): Promise<void> {
    const ms = Math.min(MAX_UNACKNOWLEDGED_BACKOFF_MS, this.#timing.unacknowledgedBackoffMs * 2 ** (inARow - 1));
    const list = jobs.length > 3 ? `${jobs.slice(0, 3).join(', ')}, ...` : jobs.join(', ');
    this.timeline.record({
      type: 'extension',
      launch,
      what: 'backoff',
      ms,
      message:
        `error 50008: process() returned leaving ${jobs.length} presented job(s) unacknowledged (${list}); ` +
        `not called again for ${ms / 1000} s`,
    });
    await this.#clock.sleep(ms, stop);
  }

  /** Resolves once the store changed after version `seen`, after `ms`, or when stopped. */
  async #waitForChange(seen: number, ms: number, stop: AbortSignal): Promise<void> {
    if (this.#version !== seen || stop.aborted) return;
    const timer = new AbortController();
    let wake: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    const onStop = () => wake();
    this.#waiters.add(wake);
    stop.addEventListener('abort', onStop, { once: true });
    try {
      await (Number.isFinite(ms)
        ? Promise.race([changed, this.#clock.sleep(ms, timer.signal).catch(() => undefined)])
        : changed);
    } finally {
      this.#waiters.delete(wake);
      stop.removeEventListener('abort', onStop);
      timer.abort();
    }
  }

  /** Ends the running extension at random moments, `terminateEveryMs` apart on average. */
  async #terminations(stop: AbortSignal): Promise<void> {
    const mean = this.#options.terminateEveryMs;
    if (mean === undefined || !(mean > 0)) return;
    const random = seededRandom(deriveSeed(this.#options.seed ?? 1, 'terminations'));
    try {
      for (;;) {
        await this.#clock.sleep(Math.max(1, exponentialDelay(random, mean)), stop);
        void this.#host.terminate('random termination');
      }
    } catch {
      // the run ended
    }
  }
}
