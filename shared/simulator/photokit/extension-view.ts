/**
 * The photo library one extension process sees (ExtensionPhotoLibrary), on the phone's iOS:
 * - jobs as PHAssetResourceUploadJob shows them: no responseHeaderFields nor error before iOS 26.4,
 *   a sanitized error from 26.4 (url-error.ts), nothing of the system's own record;
 * - only the calls that iOS has (ios-surface.ts): cancel() and creationRequestForJob from 26.4,
 *   fetchJobs(.process) from 26.5; uses of deprecated ones are noted in the timeline once per process;
 * - a job for a resource no longer in the library fails the whole change block (missingResource);
 * - which jobs fetchJobs presented for acknowledge/retry in the current process() call, and which the
 *   extension acknowledged or retried, for the system's "acknowledge in the same run" rule;
 * - after termination, every call fails with operationInterrupted.
 * Node and browser.
 */
import { sourceInfo } from '../upload-source';
import type { ExtensionPhotoLibrary } from './extension-types';
import {
  isAvailable,
  isDeprecated,
  requireApi,
  API_DEPRECATED,
  type DeprecatedApi,
  type IosVersion,
} from './ios-surface';
import type { JobChangeRequest, JobStore } from './job-store';
import type { JobRecord, UploadJob } from './job-types';
import type { PhotoLibrary } from './photo-library';
import { isPhotosError, PhotosError } from './photos-error';
import type { SimClock } from './sim-clock';
import type { Timeline } from './timeline';
import { sanitizeJobError } from './url-error';

/** What one process() call was shown and what it settled. */
export interface RunTracker {
  /** Jobs fetchJobs returned for .acknowledge or .retry during the call. */
  readonly presented: Set<string>;
  /** Jobs acknowledged or retried by a change block that went through. */
  readonly handled: Set<string>;
}

export function newRunTracker(): RunTracker {
  return { presented: new Set(), handled: new Set() };
}

/** Presented jobs the call left finished and unacknowledged (neither acknowledged nor retried). */
export function unsettled(tracker: RunTracker, store: JobStore): string[] {
  return [...tracker.presented].filter((id) => {
    if (tracker.handled.has(id)) return false;
    const job = store.job(id);
    return job !== undefined && !job.acknowledged && (job.state === 'succeeded' || job.state === 'failed');
  });
}

export interface ExtensionViewOptions {
  ios: IosVersion;
  store: JobStore;
  library: PhotoLibrary;
  clock: SimClock;
  timeline: Timeline;
  launch: number;
  /** How long a performChanges takes. */
  changeLatencyMs: number;
  /** Aborts when the process is terminated. */
  terminated: AbortSignal;
  /** The tracker of the process() call under way, if any. */
  currentRun(): RunTracker | undefined;
}

export function extensionView(options: ExtensionViewOptions): ExtensionPhotoLibrary {
  const { ios, store, library, clock, timeline, launch, changeLatencyMs, terminated } = options;
  const noted = new Set<DeprecatedApi>();
  const deprecated = (api: DeprecatedApi) => {
    if (!isDeprecated(ios, api) || noted.has(api)) return;
    noted.add(api);
    timeline.record({
      type: 'extension',
      launch,
      what: 'deprecated',
      message: `${api} is deprecated in iOS ${API_DEPRECATED[api]}`,
    });
  };
  const guard = () => {
    if (terminated.aborted) throw new PhotosError('operationInterrupted', `extension process ${launch} was terminated`);
  };
  const headersVisible = isAvailable(ios, 'PHAssetResourceUploadJob.responseHeaderFields');

  const publicView = (job: JobRecord): UploadJob => {
    const view = {
      id: job.id,
      state: job.state,
      destination: { ...job.destination, headers: { ...job.destination.headers } },
      responseHeaderFields: headersVisible && job.responseHeaderFields ? { ...job.responseHeaderFields } : undefined,
      error: headersVisible && job.state === 'failed' && job.error ? sanitizeJobError(job.error) : undefined,
    } as UploadJob;
    const resource = sourceInfo(job.resource);
    Object.defineProperty(view, 'resource', {
      enumerable: true,
      get: () => {
        deprecated('PHAssetResourceUploadJob.resource');
        return resource;
      },
    });
    return view;
  };

  return {
    jobLimit: store.jobLimit,
    fetchJobs: (action) => {
      guard();
      if (action === 'process') requireApi(ios, 'PHAssetResourceUploadJob.fetchJobs(action: .process)');
      const jobs = store.fetchJobs(action);
      if (action !== 'process') for (const job of jobs) options.currentRun()?.presented.add(job.id);
      return jobs.map(publicView);
    },
    performChanges: async (block) => {
      guard();
      await clock.sleep(changeLatencyMs);
      guard();
      const settled: string[] = [];
      try {
        store.performChanges((inner) => {
          const missing: string[] = [];
          const check = (resource: Parameters<JobChangeRequest['createJob']>[1]) => {
            if (!library.has(resource))
              missing.push(`${resource.filename} (${resource.assetId} ${resource.resourceType})`);
          };
          const request: JobChangeRequest = {
            creationRequestForJob: (destination, resource) => {
              requireApi(ios, 'PHAssetResourceUploadJobChangeRequest.creationRequestForJob(destination:resource:)');
              check(resource);
              return inner.creationRequestForJob(destination, resource);
            },
            createJob: (destination, resource) => {
              deprecated('PHAssetResourceUploadJobChangeRequest.createJob(destination:resource:)');
              check(resource);
              inner.createJob(destination, resource);
            },
            acknowledge: (id) => {
              inner.acknowledge(id);
              settled.push(id);
            },
            retry: (id, destination) => {
              inner.retry(id, destination);
              settled.push(id);
            },
            cancel: (id) => {
              requireApi(ios, 'PHAssetResourceUploadJobChangeRequest.cancel()');
              inner.cancel(id);
            },
          };
          block(request);
          if (missing.length > 0)
            throw new PhotosError('missingResource', `no longer in the photo library: ${missing.join(', ')}`);
        });
      } catch (error) {
        if (isPhotosError(error, 'limitExceeded') || isPhotosError(error, 'missingResource')) {
          timeline.record({
            type: 'extension',
            launch,
            what: error.code === 'limitExceeded' ? 'limitExceeded' : 'missingResource',
            message: error.message,
          });
        }
        throw error;
      }
      const run = options.currentRun();
      for (const id of settled) run?.handled.add(id);
    },
    resources: () => {
      guard();
      return library.resources();
    },
    describe: async (resource, signal) => {
      guard();
      const description = await library.describe(resource, signal ? AbortSignal.any([signal, terminated]) : terminated);
      guard();
      return description;
    },
  };
}
