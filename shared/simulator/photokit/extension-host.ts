/**
 * Starts the app's upload extension, calls it, and ends it when the simulated system decides to. Each
 * launch gets a fresh instance and a fresh view of the photo library (extension-view.ts); after
 * termination that view refuses every call (PhotosError operationInterrupted), as the process is gone.
 *
 * - Both protocols: PHBackgroundResourceUploadExtension (process(), notifyTermination()) and, from
 *   iOS 27, PHBackgroundResourceUploadJobExtension (processJobs(), async willTerminate(), awaited for
 *   at most `terminationGraceMs`). An extension of the iOS 27 protocol on an older iOS is refused.
 * - Time budget: each call has `processBudgetMs` (default 20 s; Apple documents no figure). A call
 *   still running past it ends the extension (notifyTermination / willTerminate), recorded as such.
 * - Acknowledge in the same run: the outcome of a call that returned lists the jobs it was presented
 *   (fetchJobs .acknowledge / .retry) and left unacknowledged; the system backs the extension off for
 *   them (error 50008 on devices). A terminated call is not held to it: the system ended it.
 * Node and browser.
 */
import type { ExtensionFactory, ProcessingResult, UploadExtension } from './extension-types';
import { extensionView, newRunTracker, unsettled, type RunTracker } from './extension-view';
import { ApiUnavailableError, DEFAULT_IOS, iosAtLeast, isDeprecated, type IosVersion } from './ios-surface';
import type { JobStore } from './job-store';
import type { KeyValueStorage } from './key-value-storage';
import type { PhotoLibrary } from './photo-library';
import { wallTime, type SimClock } from './sim-clock';
import type { Timeline } from './timeline';

export const DEFAULT_PROCESS_BUDGET_MS = 20_000;

export interface ExtensionHostOptions {
  store: JobStore;
  library: PhotoLibrary;
  factory: ExtensionFactory;
  container: KeyValueStorage<unknown>;
  clock: SimClock;
  timeline: Timeline;
  /** The phone's iOS; default 26.1. */
  ios?: IosVersion;
  /** How long a performChanges takes (the photo library's own work); default 2 ms. */
  changeLatencyMs?: number;
  /** Time budget of one process() call, ms; default 20 s. Infinity: none. */
  processBudgetMs?: number;
  /** How long willTerminate() may take before the process is ended anyway; default 1 s. */
  terminationGraceMs?: number;
}

export interface ProcessOutcome {
  result: ProcessingResult | 'terminated';
  /** Which extension process ran the call. */
  launch: number;
  /** Presented jobs the call left unacknowledged (empty for a terminated call). */
  unacknowledged: string[];
}

interface Instance {
  launch: number;
  extension: UploadExtension;
  /** Aborts when the process is terminated. */
  stop: AbortController;
  run: RunTracker | undefined;
  terminated: Promise<'terminated'>;
  end: () => void;
}

function call(extension: UploadExtension): Promise<ProcessingResult> {
  return extension.protocol === 'PHBackgroundResourceUploadJobExtension'
    ? extension.processJobs()
    : extension.process();
}

export class ExtensionHost {
  readonly ios: IosVersion;
  readonly #options: ExtensionHostOptions;
  readonly #budgetMs: number;
  #instance: Instance | undefined;
  #launches = 0;
  #terminations = 0;
  #budgetTerminations = 0;

  constructor(options: ExtensionHostOptions) {
    this.#options = options;
    this.ios = options.ios ?? DEFAULT_IOS;
    this.#budgetMs = options.processBudgetMs ?? DEFAULT_PROCESS_BUDGET_MS;
    if (!(this.#budgetMs > 0)) throw new RangeError('processBudgetMs must be positive');
  }

  get running(): boolean {
    return this.#instance !== undefined;
  }

  get launches(): number {
    return this.#launches;
  }

  get terminations(): number {
    return this.#terminations;
  }

  /** Terminations because a call ran past its time budget. */
  get budgetTerminations(): number {
    return this.#budgetTerminations;
  }

  /** Calls process() / processJobs() on the running instance (launching one first). */
  async process(): Promise<ProcessOutcome> {
    const instance = this.#instance ?? this.#launch();
    const tracker = newRunTracker();
    instance.run = tracker;
    const budget = new AbortController();
    const overrun = Number.isFinite(this.#budgetMs)
      ? this.#options.clock.sleep(this.#budgetMs, budget.signal).then(
          () => 'overrun' as const,
          () => new Promise<never>(() => undefined),
        )
      : new Promise<never>(() => undefined);
    const processing = Promise.resolve()
      .then(() => call(instance.extension))
      .catch((error: unknown) => {
        if (!instance.stop.signal.aborted)
          this.#log(
            instance.launch,
            `process() threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
          );
        return 'failure' as const;
      });
    const result = await Promise.race([processing, instance.terminated, overrun]);
    budget.abort();
    instance.run = undefined;
    if (result === 'overrun') {
      await this.#end(instance, `process() ran past its ${this.#budgetMs / 1000} s budget`, true);
      return { result: 'terminated', launch: instance.launch, unacknowledged: [] };
    }
    if (result === 'terminated') return { result, launch: instance.launch, unacknowledged: [] };
    this.#options.timeline.record({ type: 'extension', launch: instance.launch, what: 'process', result });
    return { result, launch: instance.launch, unacknowledged: unsettled(tracker, this.#options.store) };
  }

  /** Ends the running extension (notifyTermination, or willTerminate on the iOS 27 protocol). False when none runs. */
  async terminate(reason = 'the system ended the extension'): Promise<boolean> {
    const instance = this.#instance;
    if (!instance) return false;
    await this.#end(instance, reason, false);
    return true;
  }

  async #end(instance: Instance, reason: string, budget: boolean): Promise<void> {
    if (this.#instance !== instance) return;
    this.#instance = undefined;
    instance.stop.abort(new Error('terminated'));
    this.#terminations += 1;
    if (budget) this.#budgetTerminations += 1;
    const { extension } = instance;
    const via = extension.protocol === 'PHBackgroundResourceUploadJobExtension' ? 'willTerminate' : 'notifyTermination';
    this.#options.timeline.record({
      type: 'extension',
      launch: instance.launch,
      what: 'terminated',
      message: reason,
      via,
      ...(budget ? { budget } : {}),
    });
    try {
      if (extension.protocol === 'PHBackgroundResourceUploadJobExtension') {
        const grace = new AbortController();
        await Promise.race([
          extension.willTerminate().catch(() => undefined),
          this.#options.clock.sleep(this.#options.terminationGraceMs ?? 1000, grace.signal).catch(() => undefined),
        ]);
        grace.abort();
      } else {
        extension.notifyTermination();
      }
    } finally {
      instance.end();
    }
  }

  #log(launch: number, message: string): void {
    this.#options.timeline.record({ type: 'extension', launch, what: 'log', message });
  }

  #launch(): Instance {
    const { store, library, factory, container, clock, timeline } = this.#options;
    const launch = ++this.#launches;
    let end: () => void = () => undefined;
    const terminated = new Promise<'terminated'>((resolve) => (end = () => resolve('terminated')));
    const stop = new AbortController();
    const instance = { launch, stop, run: undefined, terminated, end } as Instance;
    const view = extensionView({
      ios: this.ios,
      store,
      library,
      clock,
      timeline,
      launch,
      changeLatencyMs: this.#options.changeLatencyMs ?? 2,
      terminated: stop.signal,
      currentRun: () => instance.run,
    });
    timeline.record({ type: 'extension', launch, what: 'launched' });
    instance.extension = factory({
      ios: this.ios,
      library: view,
      container,
      launch,
      now: () => wallTime(clock),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      log: (message) => this.#log(launch, message),
    });
    if (instance.extension.protocol === 'PHBackgroundResourceUploadJobExtension' && !iosAtLeast(this.ios, '27')) {
      throw new ApiUnavailableError('PHBackgroundResourceUploadJobExtension', this.ios);
    }
    if (
      instance.extension.protocol === 'PHBackgroundResourceUploadExtension' &&
      launch === 1 &&
      isDeprecated(this.ios, 'PHBackgroundResourceUploadExtension')
    ) {
      timeline.record({
        type: 'extension',
        launch,
        what: 'deprecated',
        message:
          'PHBackgroundResourceUploadExtension is deprecated in iOS 27: ' +
          'implement PHBackgroundResourceUploadJobExtension',
      });
    }
    this.#instance = instance;
    return instance;
  }
}
