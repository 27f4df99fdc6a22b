/**
 * The system's half of PhotoKit background uploads (nsurlsessiond's part): it takes registered jobs,
 * marks them pending, reads the resource from the library and hands it to the transport, then marks the
 * job succeeded (2xx, with the answer's headers) or failed. It runs whether or not the extension is alive.
 * A cancelled job's upload stops; on stop() pending jobs stay pending with their resumption state, so a
 * restarted system resumes them. Node and browser.
 */
import { TokenBucket } from '../throttle';
import type { JobStore } from './job-store';
import type { JobRecord, TransferState } from './job-types';
import type { NetworkConditions } from './network-conditions';
import type { PhotoLibrary } from './photo-library';
import { deriveSeed, seededRandom } from './random';
import type { SimClock } from './sim-clock';
import type { Timeline } from './timeline';
import type { TransferContext, UploadTransport } from './transport-types';

export interface BackgroundUploaderOptions {
  store: JobStore;
  library: PhotoLibrary;
  transport: UploadTransport;
  timeline: Timeline;
  clock: SimClock;
  conditions: NetworkConditions;
  seed: number;
  /** Uploads at once; default 4. */
  concurrency?: number;
}

export class BackgroundUploader {
  readonly #options: BackgroundUploaderOptions;
  readonly #concurrency: number;
  readonly #throttle: TokenBucket | undefined;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #unsubscribe: () => void;
  #pumpQueued = false;
  #stopped = false;
  #started = false;

  constructor(options: BackgroundUploaderOptions) {
    this.#options = options;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    const rate = options.conditions.bytesPerSecond;
    this.#throttle =
      rate === undefined
        ? undefined
        : new TokenBucket(rate, {
            clock: options.clock,
            burstBytes: Math.max(options.conditions.chunkBytes, Math.floor(rate / 4)),
          });
    this.#unsubscribe = options.store.onChange(({ job }) => {
      if (job.state === 'cancelled') this.#active.get(job.id)?.controller.abort(new Error('the job was cancelled'));
      this.#schedulePump();
    });
  }

  start(): void {
    this.#started = true;
    this.#schedulePump();
  }

  /** Uploads running now. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Jobs uploading or waiting to. */
  hasWork(): boolean {
    return this.#active.size > 0 || this.#options.store.processable().length > 0;
  }

  /** Stops every upload; their jobs stay pending (resumable by a later run). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    const running = [...this.#active.values()];
    for (const { controller } of running) controller.abort(new Error('the system stopped'));
    await Promise.all(running.map(({ done }) => done));
    await this.#options.transport.close?.().catch(() => undefined);
  }

  #schedulePump(): void {
    if (this.#pumpQueued || !this.#started || this.#stopped) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#stopped) return;
    for (const job of this.#options.store.processable()) {
      if (this.#active.size >= this.#concurrency) return;
      if (this.#active.has(job.id)) continue;
      const controller = new AbortController();
      const entry = { controller, done: Promise.resolve() };
      this.#active.set(job.id, entry);
      entry.done = this.#run(job, controller).finally(() => {
        this.#active.delete(job.id);
        this.#schedulePump();
      });
    }
  }

  async #run(queued: JobRecord, controller: AbortController): Promise<void> {
    const { store, library, transport, timeline, clock, conditions, seed } = this.#options;
    const job = store.begin(queued.id);
    if (!job) return;
    const ctx: TransferContext = {
      clock,
      conditions,
      throttle: this.#throttle,
      signal: controller.signal,
      random: seededRandom(deriveSeed(seed, job.id, job.attempts)),
      event: (what, detail = {}) =>
        timeline.record({ type: 'transfer', jobId: job.id, resource: job.resource, what, ...detail }),
      saveTransfer: (state: TransferState) => store.setTransfer(job.id, state),
    };
    let source;
    try {
      source = await library.open(job.resource);
    } catch (error) {
      store.fail(job.id, {
        code: 'invalidResource',
        message: `cannot read the resource: ${(error as Error).message}`,
        retryable: false,
      });
      return;
    }
    try {
      const outcome = await transport.transfer(job, source, ctx);
      if (controller.signal.aborted) return;
      if (outcome.ok) store.succeed(job.id, outcome.status, outcome.headers);
      else store.fail(job.id, outcome.error, outcome.headers);
    } catch (error) {
      if (controller.signal.aborted) return; // cancelled, or the system stopped: the job stays as it is
      store.fail(job.id, {
        code: 'internalError',
        message: error instanceof Error ? error.message : String(error),
        retryable: true,
      });
    } finally {
      await source.close?.().catch(() => undefined);
    }
  }
}
