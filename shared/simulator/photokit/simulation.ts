/**
 * One simulated PhotoKit backup, start to finish: the photo library from upload items, the reference
 * Shoebox extension, the system with the chosen transport, and a summary of what became of every
 * resource. Node and browser.
 *
 *   const transport = new PhotoKitHttpTransport({ http: fetchHttpClient() });
 *   const { summary } = await runPhotoKitSimulation({ items, transport, destination: { baseUrl, token },
 *     locked: true, terminateEveryMs: 2000, seed: 7, onEvent: (e) => show(e) });
 */
import type { UploadItem } from '../upload-all';
import { infoOf } from '../upload-all';
import type { SourceInfo } from '../upload-source';
import { ShoeboxBackupExtension, type BackupExtensionOptions } from './backup-extension';
import { decodeHeaderPath, SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';
import type { DestinationConfig } from './destination';
import type { ExtensionFactory } from './extension-types';
import type { JobStore } from './job-store';
import type { JobError, JobRecord, JobState } from './job-types';
import { PhotoLibrary, resourceKey, type PhotoLibraryOptions } from './photo-library';
import { PhotoKitSystem, type PhotoKitSystemOptions, type SystemRunStats } from './system';
import type { TimelineEvent } from './timeline';

export interface PhotoKitRunOptions extends Omit<PhotoKitSystemOptions, 'library' | 'extension'> {
  items: readonly UploadItem[];
  /** Where the reference extension sends jobs (the receiver and the device token). */
  destination: DestinationConfig;
  /** Send Repr-Digest with every job (default true). */
  digest?: boolean;
  /** Another extension instead of the reference one. */
  extension?: ExtensionFactory;
  /**
   * Settings of the reference extension beyond destination and digest. Its own time budget defaults to
   * half of `processBudgetMs` when that is given (a developer tunes it to what devices allow).
   */
  reference?: Omit<BackupExtensionOptions, 'destination' | 'digest'>;
  /** "Optimize iPhone Storage": which resources are in iCloud only, and how fast they download. */
  optimizedStorage?: Pick<PhotoLibraryOptions, 'optimized' | 'iCloudBytesPerSecond'>;
  onEvent?: (event: TimelineEvent) => void;
  signal?: AbortSignal;
}

export interface ResourceOutcome {
  resource: SourceInfo;
  /** The state of the resource's last job; 'none' when no job was ever created for it. */
  state: JobState | 'none';
  jobId?: string;
  /** Jobs created for this resource (a redundant one cancelled counts too). */
  jobs: number;
  retried: boolean;
  status?: number;
  /** Where the receiver filed it. */
  path?: string;
  /** The receiver already had these bytes (200). */
  duplicate?: boolean;
  error?: JobError;
}

export interface PhotoKitSummary {
  transport: string;
  resources: number;
  bytes: number;
  succeeded: number;
  /** 201: newly stored. */
  stored: number;
  /** 200: already stored. */
  alreadyStored: number;
  failed: number;
  /** No job succeeded or failed (the run stopped early). */
  unfinished: number;
  jobsCreated: number;
  /** Jobs created for a resource that had one before (re-created after a failure). */
  recreated: number;
  retried: number;
  cancelled: number;
  stats: SystemRunStats;
  outcomes: ResourceOutcome[];
}

export function summarizeJobs(
  resources: readonly SourceInfo[],
  store: JobStore,
  stats: SystemRunStats,
  transport: string,
): PhotoKitSummary {
  const jobsOf = new Map<string, JobRecord[]>();
  for (const job of store.all()) {
    const key = resourceKey(job.resource);
    jobsOf.set(key, [...(jobsOf.get(key) ?? []), job]);
  }
  const outcomes = resources.map((resource): ResourceOutcome => {
    const jobs = jobsOf.get(resourceKey(resource)) ?? [];
    const last = [...jobs].reverse().find((job) => job.state !== 'cancelled') ?? jobs.at(-1);
    if (!last) return { resource, state: 'none', jobs: 0, retried: false };
    const headers = last.responseHeaderFields ?? {};
    const path = decodeHeaderPath(headers[SHOEBOX_HEADER_KEY.path]);
    return {
      resource,
      state: last.state,
      jobId: last.id,
      jobs: jobs.length,
      retried: last.retried,
      ...(last.status === undefined ? {} : { status: last.status }),
      ...(path === undefined ? {} : { path }),
      ...(last.state === 'succeeded' ? { duplicate: headers[SHOEBOX_HEADER_KEY.duplicate] === '?1' } : {}),
      ...(last.error ? { error: last.error } : {}),
    };
  });
  const all = store.all();
  const count = (state: ResourceOutcome['state']) => outcomes.filter((o) => o.state === state).length;
  return {
    transport,
    resources: resources.length,
    bytes: resources.reduce((sum, r) => sum + r.size, 0),
    succeeded: count('succeeded'),
    stored: outcomes.filter((o) => o.state === 'succeeded' && !o.duplicate).length,
    alreadyStored: outcomes.filter((o) => o.state === 'succeeded' && o.duplicate).length,
    failed: count('failed'),
    unfinished: outcomes.filter((o) => o.state !== 'succeeded' && o.state !== 'failed').length,
    jobsCreated: all.length,
    recreated: [...jobsOf.values()].reduce(
      (sum, jobs) => sum + Math.max(0, jobs.filter((job) => job.state !== 'cancelled').length - 1),
      0,
    ),
    retried: all.filter((job) => job.retried).length,
    cancelled: all.filter((job) => job.state === 'cancelled').length,
    stats,
    outcomes,
  };
}

export async function runPhotoKitSimulation(
  options: PhotoKitRunOptions,
): Promise<{ summary: PhotoKitSummary; system: PhotoKitSystem }> {
  const { items, destination, digest, extension, reference, optimizedStorage, onEvent, signal, ...systemOptions } =
    options;
  const library = new PhotoLibrary(items, { ...optimizedStorage, ...(options.clock ? { clock: options.clock } : {}) });
  const budget = options.processBudgetMs === undefined ? {} : { timeBudgetMs: options.processBudgetMs / 2 };
  const factory =
    extension ??
    ShoeboxBackupExtension.factory({
      ...budget,
      ...reference,
      destination,
      ...(digest === undefined ? {} : { digest }),
    });
  const system = await PhotoKitSystem.create({ ...systemOptions, library, extension: factory });
  const stopListening = onEvent ? system.timeline.on('event', onEvent) : undefined;
  try {
    const stats = await system.run(signal);
    return { summary: summarizeJobs(items.map(infoOf), system.store, stats, options.transport.name), system };
  } finally {
    stopListening?.();
  }
}
