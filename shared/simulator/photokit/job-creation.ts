/**
 * The reference extension's last step in each process() call: create jobs for resources that have
 * none, as many as jobLimit leaves room for, within the extension's own time budget.
 * - Describing a resource (hashing it for Repr-Digest) may download an "Optimize iPhone Storage"
 *   original: the extension stops describing at its deadline, and a download still running then is
 *   abandoned and that one job is created without Repr-Digest (the digest is optional), so a big
 *   optimized video cannot get the extension killed every run.
 * - iOS 26.4+: creationRequestForJob (the job's local identifier is recorded); before, createJob
 *   (deprecated in 26.4), which gives none: the destination URL is the record.
 * - The jobs are recorded in the container (destination URL, and local identifier when iOS gives one)
 *   as soon as the change block went through.
 * - A change block that fails because a resource was deleted meanwhile (missingResource) is tried
 *   again once without the resources no longer in the library.
 * Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import { buildDestination, type DestinationConfig } from './destination';
import type { ExtensionEnvironment } from './extension-types';
import { isAvailable } from './ios-surface';
import type { DestinationRequest } from './job-types';
import { resourceKey } from './photo-library';
import { isPhotosError } from './photos-error';
import type { UploadLedger } from './upload-ledger';

export interface CreationOptions {
  destination: DestinationConfig;
  digest: boolean;
  maxJobsPerBatch: number;
  /** Wall-clock ms past which the extension stops describing and creating. */
  deadline: number;
  /** Throws once the extension was terminated. */
  check(): void;
}

interface Planned {
  resource: SourceInfo;
  destination: DestinationRequest;
}

export interface CreationResult {
  created: number;
  /** Resources left for a later call (no slot, or out of time). */
  left: number;
}

/**
 * Describes `batch` until the deadline; a description cut short by the deadline yields a job without digest, then
 * stops.
 */
async function plan(
  env: ExtensionEnvironment,
  batch: readonly SourceInfo[],
  options: CreationOptions,
): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const resource of batch) {
    options.check();
    const remaining = options.deadline - env.now();
    if (remaining <= 0) break;
    if (!options.digest) {
      planned.push({ resource, destination: buildDestination(options.destination, resource) });
      continue;
    }
    const giveUp = new AbortController();
    const timer = new AbortController();
    env.sleep(remaining, timer.signal).then(
      () => giveUp.abort(new Error('out of time')),
      () => undefined,
    );
    try {
      const description = await env.library.describe(resource, giveUp.signal);
      planned.push({ resource, destination: buildDestination(options.destination, description) });
    } catch (error) {
      options.check();
      if (!giveUp.signal.aborted) throw error;
      env.log(`reading ${resource.filename} (in iCloud) did not fit the time budget: its job goes without Repr-Digest`);
      planned.push({ resource, destination: buildDestination(options.destination, resource) });
      break;
    } finally {
      timer.abort();
    }
  }
  return planned;
}

async function commit(
  env: ExtensionEnvironment,
  ledger: UploadLedger,
  planned: readonly Planned[],
  options: CreationOptions,
): Promise<void> {
  const placeholders = isAvailable(
    env.ios,
    'PHAssetResourceUploadJobChangeRequest.creationRequestForJob(destination:resource:)',
  );
  const ids: Array<string | undefined> = [];
  options.check();
  await env.library.performChanges((request) => {
    for (const { resource, destination } of planned) {
      if (placeholders) ids.push(request.creationRequestForJob(destination, resource));
      else request.createJob(destination, resource);
    }
  });
  // Recorded once the change went through. A termination before the write loses the records: the
  // resource may then get a second job later, which the receiver answers 200 (already stored).
  const since = env.now();
  ledger.addInFlight(
    planned.map(({ resource, destination }, i) => ({
      assetId: resource.assetId,
      resourceType: resource.resourceType,
      url: destination.url,
      since,
      ...(ids[i] === undefined ? {} : { jobId: ids[i] }),
    })),
  );
  await ledger.save();
}

/** Creates jobs for `todo` in up to `free` slots. Throws PhotosError limitExceeded when the system refused them. */
export async function createJobs(
  env: ExtensionEnvironment,
  ledger: UploadLedger,
  todo: readonly SourceInfo[],
  free: number,
  options: CreationOptions,
): Promise<CreationResult> {
  const batch = todo.slice(0, Math.min(free, options.maxJobsPerBatch));
  let planned = await plan(env, batch, options);
  if (planned.length === 0) return { created: 0, left: todo.length };
  try {
    await commit(env, ledger, planned, options);
  } catch (error) {
    if (!isPhotosError(error, 'missingResource') && !isPhotosError(error, 'invalidResource')) throw error;
    const present = new Set(env.library.resources().map(resourceKey));
    const gone = planned.filter(({ resource }) => !present.has(resourceKey(resource)));
    env.log(
      `${gone.length} resource(s) left the library meanwhile ` +
        `(${gone.map((p) => p.resource.filename).join(', ')}): creating the others`,
    );
    planned = planned.filter(({ resource }) => present.has(resourceKey(resource)));
    if (gone.length === 0) throw error;
    if (planned.length > 0) await commit(env, ledger, planned, options);
    return { created: planned.length, left: todo.length - planned.length - gone.length };
  }
  return { created: planned.length, left: todo.length - planned.length };
}
