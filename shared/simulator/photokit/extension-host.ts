/**
 * Starts the app's upload extension, calls its process(), and ends it (notifyTermination) when the
 * simulated system decides to. Each launch gets a fresh instance and a fresh view of the photo library;
 * after termination that view refuses every call (PhotosError operationInterrupted), as the process is
 * gone. Node and browser.
 */
import type { BackgroundUploadExtension, ExtensionFactory, ExtensionPhotoLibrary, ProcessingResult } from './extension-types';
import type { JobStore } from './job-store';
import type { JobRecord, UploadJob } from './job-types';
import type { KeyValueStorage } from './key-value-storage';
import type { PhotoLibrary } from './photo-library';
import { isPhotosError, PhotosError } from './photos-error';
import type { SimClock } from './sim-clock';
import type { Timeline } from './timeline';

export interface ExtensionHostOptions {
  store: JobStore;
  library: PhotoLibrary;
  factory: ExtensionFactory;
  container: KeyValueStorage<unknown>;
  clock: SimClock;
  timeline: Timeline;
  /** How long a performChanges takes (the photo library's own work); default 2 ms. */
  changeLatencyMs?: number;
}

interface Instance {
  launch: number;
  extension: BackgroundUploadExtension;
  revoked: boolean;
  terminated: Promise<'terminated'>;
  end: () => void;
}

/** What the extension may see of a job: PHAssetResourceUploadJob's properties, nothing of the system's. */
function publicView(job: JobRecord): UploadJob {
  const { id, state, resource, destination, responseHeaderFields, error, retried, acknowledged } = job;
  return { id, state, resource, destination, responseHeaderFields, error, retried, acknowledged };
}

export class ExtensionHost {
  readonly #options: ExtensionHostOptions;
  #instance: Instance | undefined;
  #launches = 0;
  #terminations = 0;

  constructor(options: ExtensionHostOptions) {
    this.#options = options;
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

  /** Calls process() on the running instance (launching one first); 'terminated' when it was ended meanwhile. */
  async process(): Promise<ProcessingResult | 'terminated'> {
    const instance = this.#instance ?? this.#launch();
    const processing = Promise.resolve().then(() => instance.extension.process()).catch(() => 'failure' as const);
    const result = await Promise.race([processing, instance.terminated]);
    if (result !== 'terminated') this.#options.timeline.record({ type: 'extension', launch: instance.launch, what: 'process', result });
    return result;
  }

  /** notifyTermination(), then the process is gone. False when no instance runs. */
  terminate(reason = 'the system ended the extension'): boolean {
    const instance = this.#instance;
    if (!instance) return false;
    instance.revoked = true;
    this.#instance = undefined;
    this.#terminations += 1;
    this.#options.timeline.record({ type: 'extension', launch: instance.launch, what: 'terminated', message: reason });
    try {
      instance.extension.notifyTermination();
    } finally {
      instance.end();
    }
    return true;
  }

  #launch(): Instance {
    const { store, library, factory, container, clock, timeline } = this.#options;
    const latency = this.#options.changeLatencyMs ?? 2;
    const launch = ++this.#launches;
    let end: () => void = () => undefined;
    const terminated = new Promise<'terminated'>((resolve) => (end = () => resolve('terminated')));
    const instance = { launch, revoked: false, terminated, end } as Instance;
    const guard = () => {
      if (instance.revoked) throw new PhotosError('operationInterrupted', `extension process ${launch} was terminated`);
    };
    const view: ExtensionPhotoLibrary = {
      jobLimit: store.jobLimit,
      fetchJobs: (action) => {
        guard();
        return store.fetchJobs(action).map(publicView);
      },
      performChanges: async (block) => {
        guard();
        await clock.sleep(latency);
        guard();
        try {
          store.performChanges(block);
        } catch (error) {
          if (isPhotosError(error, 'limitExceeded')) timeline.record({ type: 'extension', launch, what: 'limitExceeded', message: error.message });
          throw error;
        }
      },
      resources: () => {
        guard();
        return library.resources();
      },
      describe: async (resource) => {
        guard();
        const description = await library.describe(resource);
        guard();
        return description;
      },
    };
    timeline.record({ type: 'extension', launch, what: 'launched' });
    instance.extension = factory({ library: view, container, launch, log: (message) => timeline.record({ type: 'extension', launch, what: 'log', message }) });
    this.#instance = instance;
    return instance;
  }
}
