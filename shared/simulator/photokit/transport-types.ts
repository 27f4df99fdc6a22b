/** How the simulated system moves a job's bytes: the transport chosen per run. Node and browser. */
import type { TokenBucket } from '../throttle';
import type { SourceInfo, UploadSource } from '../upload-source';
import type { DestinationRequest, JobError, TransferState } from './job-types';
import type { NetworkConditions } from './network-conditions';
import type { Random } from './random';
import type { SimClock } from './sim-clock';
import type { TransferEvent } from './timeline';

/** The job as a transport sees it. */
export interface TransferJob {
  readonly id: string;
  readonly resource: SourceInfo;
  readonly destination: DestinationRequest;
  /** Saved by an earlier attempt (a restarted system resumes from it). */
  readonly transfer: TransferState;
}

export type TransferDetail = Omit<TransferEvent, 'type' | 'at' | 'jobId' | 'resource' | 'what'>;

export interface TransferContext {
  clock: SimClock;
  conditions: NetworkConditions;
  /** Draws for this job attempt only. */
  random: Random;
  /** The phone's bandwidth, shared by every upload; undefined: unlimited. */
  throttle: TokenBucket | undefined;
  /** Aborts when the job is cancelled or the system stops. */
  signal: AbortSignal;
  event(what: TransferEvent['what'], detail?: TransferDetail): void;
  /** Keeps resumption state with the job. */
  saveTransfer(state: TransferState): void;
}

export type TransferOutcome =
  | { ok: true; status: number; headers: Record<string, string> }
  | { ok: false; error: JobError; headers?: Record<string, string> };

export interface UploadTransport {
  /** `photokit-http` or `ws` */
  readonly name: string;
  /** Uploads the job's resource; resolves to the final answer. Rejects only when ctx.signal aborted. */
  transfer(job: TransferJob, source: UploadSource, ctx: TransferContext): Promise<TransferOutcome>;
  close?(): Promise<void>;
}
