/**
 * What the reference extension does with a failed job: retry it now (retry(destination:), once per
 * job), re-create it after a back-off, or give up on the resource for good.
 * - From iOS 26.4 the job carries the receiver's answer headers: `shoebox-error-action` says `retry`
 *   (retry now if the job was never retried, else re-create after the back-off), `recreate` (re-create
 *   after `retry-after` seconds), or `give-up` (e.g. BAD_FILENAME, TOO_LARGE, DEVICE_REVOKED);
 *   `retry-after` (seconds, or an HTTP date) sets the delay.
 * - Before 26.4 (or when the answer says nothing, e.g. the receiver was away) the extension sees no
 *   headers and no error: it retries once, then re-creates after an exponential back-off.
 * - After `maxAttempts` re-creations it gives up, so a failure that never heals ends the backup.
 * Node and browser.
 */
import type { UploadJob } from './job-types';
import { SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';

export interface RecreatePolicy {
  /** First re-creation delay, ms; doubled for each further one. */
  baseMs: number;
  /** Longest delay, ms (a Retry-After above it is capped too). */
  maxMs: number;
  /** Re-creations before giving up on a resource. */
  maxAttempts: number;
}

export const DEFAULT_RECREATE_POLICY: RecreatePolicy = { baseMs: 5_000, maxMs: 600_000, maxAttempts: 8 };

export type FailureDecision =
  { kind: 'retry' } | { kind: 'recreate'; delayMs: number; why: string } | { kind: 'give-up'; why: string };

export type ErrorAction = 'retry' | 'recreate' | 'give-up';

/** Delay before re-creation number `attempt` (1 for the first). */
export function recreateDelay(policy: RecreatePolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Retry-After as ms from `now`: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function errorAction(headers: Readonly<Record<string, string>> | undefined): ErrorAction | undefined {
  const value = headers?.[SHOEBOX_HEADER_KEY.errorAction]?.trim().toLowerCase();
  return value === 'retry' || value === 'recreate' || value === 'give-up' ? value : undefined;
}

export interface FailureInput {
  /** fetchJobs(.retry) returned the job: failed, unacknowledged, never retried. */
  canRetry: boolean;
  /** Re-creations of this resource so far. */
  attempts: number;
  policy: RecreatePolicy;
  /** Wall-clock ms, for an HTTP-date Retry-After. */
  now: number;
}

type FailedJob = Pick<UploadJob, 'responseHeaderFields' | 'error'>;

function describe(job: FailedJob): string {
  const headers = job.responseHeaderFields;
  const code = headers?.[SHOEBOX_HEADER_KEY.error];
  const error = job.error
    ? `${job.error.domain} ${job.error.code} (${job.error.name})`
    : 'no error visible (before iOS 26.4)';
  return code ? `${code}, ${error}` : error;
}

/** The decision for a failed job, from what the extension can see of it. */
export function decideFailure(job: FailedJob, input: FailureInput): FailureDecision {
  const headers = job.responseHeaderFields;
  const action = errorAction(headers);
  const why = describe(job);
  if (action === 'give-up') return { kind: 'give-up', why };
  // An unreadable resource (PHPhotosErrorDomain) is not helped by an immediate retry.
  const unreadable = job.error?.domain === 'PHPhotosErrorDomain';
  if (input.canRetry && action !== 'recreate' && !unreadable) return { kind: 'retry' };
  const attempt = input.attempts + 1;
  if (attempt > input.policy.maxAttempts)
    return { kind: 'give-up', why: `${why}; gave up after ${input.attempts} re-creations` };
  const asked = retryAfterMs(headers?.['retry-after'], input.now);
  const delayMs = Math.min(input.policy.maxMs, asked ?? recreateDelay(input.policy, attempt));
  return { kind: 'recreate', delayMs, why };
}
