/**
 * The PhotoKit upload job model, named after Apple's API (PHAssetResourceUploadJob and friends).
 * Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import type { SanitizedError } from './url-error';

/** PHAssetResourceUploadJob.State */
export const JOB_STATES = ['registered', 'pending', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * PHAssetResourceUploadJob.Action, for fetchJobs(action:):
 * - process: registered or pending;
 * - acknowledge: succeeded or failed, not yet acknowledged;
 * - retry: failed, not acknowledged, never retried.
 */
export type JobAction = 'process' | 'acknowledge' | 'retry';

/** The destination URLRequest an extension gives a job: URL, method and the app's own headers. */
export interface DestinationRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Readonly<Record<string, string>>;
}

import type { JobError } from './url-error';

export type { JobError };

/** What every job has, in the extension's view and in the system's record alike. */
interface JobBase {
  /** The job's local identifier. */
  readonly id: string;
  readonly state: JobState;
  /**
   * The PHAssetResource this job promises to upload. Deprecated in iOS 27 (Apple's page: 26.1-27.2,
   * replaced by PHAssetResource.assetResource(forUploadJob:)): identify a job by its destination URL
   * or its response headers instead.
   */
  readonly resource: SourceInfo;
  readonly destination: DestinationRequest;
}

/**
 * What the extension sees of a job (PHAssetResourceUploadJob), as the phone's iOS shows it:
 * `responseHeaderFields` and `error` only from iOS 26.4 (undefined before), set for succeeded and
 * failed jobs alike; `error` sanitized (url-error.ts).
 */
export interface UploadJob extends JobBase {
  /** The final answer's headers, names lowercased; undefined before iOS 26.4, or without an answer. */
  readonly responseHeaderFields: Readonly<Record<string, string>> | undefined;
  /** Why the job failed, sanitized; undefined before iOS 26.4, or unless failed. */
  readonly error: SanitizedError | undefined;
}

/** Where the system's own upload of a job stands, kept so an interrupted upload resumes (URLSession's part). */
export interface TransferState {
  /** The upload resource's URL from `104 Upload Resumption Supported`. */
  location?: string;
}

/** A job as the store keeps it: everything, including what iOS never shows the extension. */
export interface JobRecord extends JobBase {
  /** The final answer's headers, names lowercased; set once the job succeeded or failed with an answer. */
  readonly responseHeaderFields: Readonly<Record<string, string>> | undefined;
  /** Why the job failed, in full (the Shoebox-Error code, the message, the status): the timeline's and summary's. */
  readonly error: JobError | undefined;
  /** retry(destination:) was used (a job is retried at most once). */
  readonly retried: boolean;
  /** acknowledge() was called, or the job was cancelled (cancelled jobs are acknowledged automatically). */
  readonly acknowledged: boolean;
  /** HTTP status of the final answer (iOS does not show it to the extension; the timeline does). */
  readonly status: number | undefined;
  /** Upload attempts the system started for this job (resumptions of one attempt not counted). */
  readonly attempts: number;
  readonly transfer: TransferState;
  /** Clock times (ms) of creation and of the last state change. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface JobStoreSnapshot {
  version: 1;
  jobLimit: number;
  nextNumber: number;
  jobs: JobRecord[];
}

export function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
