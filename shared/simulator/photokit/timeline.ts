/**
 * The simulation's timeline: every job state change, extension launch, process() result, termination,
 * suspension, cut connection and resumption, stamped with the time since the run started. The CLI prints
 * it; a UI can subscribe and show job states next to the receiver's queue. Node and browser.
 */
import { TypedEmitter } from '../typed-emitter';
import type { SourceInfo } from '../upload-source';
import type { ProcessingResult } from './extension-types';
import type { JobChangeKind } from './job-store';
import type { JobError, JobState } from './job-types';

export interface JobEvent {
  type: 'job';
  /** ms since the run started */
  at: number;
  jobId: string;
  resource: SourceInfo;
  change: JobChangeKind;
  state: JobState;
  acknowledged: boolean;
  /** Final HTTP status (succeeded or failed with an answer). */
  status?: number;
  error?: JobError;
  /** Where the receiver filed it (Shoebox-Path, decoded), once succeeded. */
  path?: string;
}

export type ExtensionEventKind =
  | 'launched'
  | 'process'
  | 'terminated'
  /** A change block failed: too many unacknowledged jobs, or a job for a resource no longer in the library. */
  | 'limitExceeded'
  | 'missingResource'
  /** process() returned leaving presented jobs unacknowledged: error 50008, the system backs off. */
  | 'backoff'
  /** The extension used an API its iOS deprecates. */
  | 'deprecated'
  | 'log';

export interface ExtensionEvent {
  type: 'extension';
  at: number;
  /** Which extension process (1 for the first). */
  launch: number;
  what: ExtensionEventKind;
  result?: ProcessingResult;
  message?: string;
  /** terminated: the call the extension got (PHBackgroundResourceUploadExtension's or the iOS 27 protocol's). */
  via?: 'notifyTermination' | 'willTerminate';
  /** terminated: because process() ran past its time budget. */
  budget?: boolean;
  /** backoff: how long the system will not call the extension, ms. */
  ms?: number;
}

export type TransferEventKind =
  /** A request went out: POST/PUT (offset 0) or PATCH (from offset). */
  | 'request'
  /** 104 Upload Resumption Supported: the upload can be resumed at `location`. */
  | 'resumable'
  /** The link stalled (a locked phone's suspension) for `ms`. */
  | 'pause'
  /** The connection was cut after `offset` bytes of the body. */
  | 'cut'
  /** HEAD told the offset the receiver holds. */
  | 'offset'
  /** No way to resume (no Location, or the resource is gone): the upload starts over. */
  | 'restart'
  /** The receiver could not be reached; retrying after `ms`. */
  | 'network-error';

export interface TransferEvent {
  type: 'transfer';
  at: number;
  jobId: string;
  resource: SourceInfo;
  what: TransferEventKind;
  method?: string;
  offset?: number;
  ms?: number;
  location?: string;
  message?: string;
}

export type TimelineEvent = JobEvent | ExtensionEvent | TransferEvent;

/** Distributive Omit, so each member keeps its own fields. */
export type TimelineInput = TimelineEvent extends infer E ? (E extends TimelineEvent ? Omit<E, 'at'> : never) : never;

export class Timeline extends TypedEmitter<{ event: TimelineEvent }> {
  readonly events: TimelineEvent[] = [];
  readonly #now: () => number;
  readonly #start: number;
  readonly #keep: boolean;

  /** `keep: false` forwards events without keeping them (long runs). */
  constructor(now: () => number, options: { keep?: boolean } = {}) {
    super();
    this.#now = now;
    this.#start = now();
    this.#keep = options.keep ?? true;
  }

  /** ms since the start */
  elapsed(): number {
    return this.#now() - this.#start;
  }

  record(input: TimelineInput): TimelineEvent {
    const event = { ...input, at: Math.max(0, Math.round(this.elapsed())) };
    if (this.#keep) this.events.push(event);
    this.emit('event', event);
    return event;
  }
}
