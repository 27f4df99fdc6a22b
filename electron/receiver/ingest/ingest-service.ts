/**
 * The one ingest core behind every transport (the WebSocket stream and the PhotoKit HTTP uploads):
 * size and space checks, duplicate detection, staging, resumption, and handing finished files to the
 * committer. It owns an upload's life and says so in typed events (`upload`, `committed`; see
 * ingest-events.ts). Transports validate their own framing, call begin() / lease.markReady() /
 * lease.write() / lease.finish() (or interrupt() / fail() / cancel()), and map results and errors to
 * wire messages. The only record of an unfinished upload is its staging sidecar (StagingArea).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import { ShoeboxError } from '../../../shared/protocol';
import { resultFromRecord, type CommitResult, type Committer } from './committer';
import {
  asShoeboxError,
  resumableAfter,
  type IngestEvents,
  type UploadEvent,
  type UploadOrigin,
} from './ingest-events';
import { storageError, type StagingArea } from './staging-area';
import { KeyedLock } from '../util/keyed-lock';
import { UploadLease, type LeaseHost } from './upload-lease';
import { uploadKey, type UploadSpec } from './upload-spec';

export interface IngestOptions {
  staging: StagingArea;
  committer: Committer;
  maxUploadBytes: number;
  /** Space to leave free on the backup disk; uploads that would eat into it are refused (retryable). */
  minFreeBytes: number;
  ackEveryBytes?: number;
  ackDelayMs?: number;
  /** Bytes an upload writes between checks of the disk's reserve (default 64 MiB). */
  spaceCheckEveryBytes?: number;
  /** Free bytes on the disk holding `dir`; injectable for tests. */
  freeBytes?: (dir: string) => Promise<number>;
}

export type BeginResult = { kind: 'stored'; result: CommitResult } | { kind: 'open'; lease: UploadLease };

/** Who sends the upload, and transport-specific choices for begin(); the defaults are the WebSocket path's. */
export interface BeginOptions {
  origin: UploadOrigin;
  /** Called with each durable offset (WebSocket acks). */
  onDurable?: (offset: number) => void;
  /**
   * Staging key; default uploadKey(spec). HTTP upload resources use their own, so each resource has its own
   * partial.
   */
  key?: string;
  /**
   * false when the total size is only known at the end (chunked HTTP bodies): spec.size is then an upper
   * bound, only minFreeBytes is checked up front, and lease.setSize() fixes the size before finish().
   */
  sizeKnown?: boolean;
  /**
   * Whether the bytes so far are kept when the upload ends without a commit for this reason (undefined:
   * the connection went away). Default: always (resumable). Plain HTTP uploads keep nothing.
   */
  keepBytes?: (reason: ShoeboxError | undefined) => boolean;
}

async function statfsFreeBytes(dir: string): Promise<number> {
  const stats = await fs.statfs(dir);
  return stats.bavail * stats.bsize;
}

export class IngestService extends EventEmitter<IngestEvents> implements LeaseHost {
  readonly committer: Committer;
  readonly ackEveryBytes: number;
  readonly ackDelayMs: number;
  readonly spaceCheckEveryBytes: number;
  private readonly active = new Map<string, UploadLease>();
  private readonly byKey = new KeyedLock();
  private readonly freeBytes: (dir: string) => Promise<number>;

  constructor(private readonly options: IngestOptions) {
    super();
    this.committer = options.committer;
    this.ackEveryBytes = options.ackEveryBytes ?? 4 * 1024 * 1024;
    this.ackDelayMs = options.ackDelayMs ?? 200;
    this.spaceCheckEveryBytes = options.spaceCheckEveryBytes ?? 64 * 1024 * 1024;
    this.freeBytes = options.freeBytes ?? statfsFreeBytes;
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }

  activeLeases(): UploadLease[] {
    return [...this.active.values()];
  }

  /**
   * Opens (or resumes) an upload. Content already in the library is answered as stored at once (and
   * published as a duplicate). An upload still open elsewhere (a connection that dropped without the
   * receiver noticing yet) is taken over: its bytes so far are kept and the new owner continues from them.
   * A refusal (too large, no space...) is published as the upload's end, then thrown.
   */
  async begin(spec: UploadSpec, options: BeginOptions): Promise<BeginResult> {
    const key = options.key ?? uploadKey(spec);
    const ref = { key, spec, origin: options.origin };
    try {
      const begun = await this.open(key, spec, options);
      if (begun.kind === 'stored')
        this.publish({ ...ref, received: spec.size, state: 'duplicate', result: begun.result });
      return begun;
    } catch (error) {
      this.publish({
        ...ref,
        received: 0,
        state: resumableAfter(error) ? 'interrupted' : 'failed',
        error: asShoeboxError(error),
      });
      throw error;
    }
  }

  private async open(key: string, spec: UploadSpec, options: BeginOptions): Promise<BeginResult> {
    if (spec.size > this.options.maxUploadBytes) {
      throw new ShoeboxError(
        'TOO_LARGE',
        `The upload is ${spec.size} bytes; ` +
          `this receiver accepts at most ${this.options.maxUploadBytes} bytes per file.`,
      );
    }
    if (spec.sha256 !== null && options.sizeKnown !== false) {
      const stored = await this.committer.findStored(spec.sha256, spec.size);
      if (stored) return { kind: 'stored', result: resultFromRecord(stored, true) };
    }
    // One taker at a time per upload: two connections announcing it at once must not both open the partial.
    return this.byKey.run(key, async (): Promise<BeginResult> => {
      const previous = this.active.get(key);
      if (previous) {
        // Waits for whatever the previous owner was doing, a commit included: it may have stored it meanwhile.
        await previous.detachQuietly(
          new ShoeboxError('UPLOAD_BUSY', 'This upload was taken over by a newer connection from the same device.'),
        );
        const stored =
          spec.sha256 === null || options.sizeKnown === false
            ? null
            : await this.committer.findStored(spec.sha256, spec.size);
        if (stored) return { kind: 'stored', result: resultFromRecord(stored, true) };
      }
      const partial = await this.options.staging.open(key, spec);
      const lease = new UploadLease(partial, this, {
        origin: options.origin,
        onDurable: options.onDurable ?? (() => undefined),
        keepBytes: options.keepBytes ?? (() => true),
      });
      this.active.set(key, lease);
      try {
        await this.checkSpace(options.sizeKnown === false ? 0 : spec.size - partial.held);
      } catch (error) {
        await lease.detachQuietly();
        throw error;
      }
      return { kind: 'open', lease };
    });
  }

  /** LeaseHost: an upload event, and after a stored or duplicate one the committed event. */
  publish(event: UploadEvent): void {
    this.emit('upload', event);
    if (event.state === 'stored' || event.state === 'duplicate') {
      this.emit('committed', { device: event.origin.device, filename: event.spec.filename, result: event.result });
    }
  }

  checkRoom(): Promise<void> {
    return this.checkSpace(0);
  }

  private async checkSpace(needed: number): Promise<void> {
    let free: number;
    try {
      free = await this.freeBytes(this.options.staging.dir);
    } catch (error) {
      throw storageError(error, 'checking free space');
    }
    if (free - needed < this.options.minFreeBytes) {
      const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
      throw new ShoeboxError(
        'DISK_FULL',
        `The backup disk has ${mb(free)} free; ` +
          `this upload needs ${mb(needed)} more and ${mb(this.options.minFreeBytes)} stays free. ` +
          `Free some space, then the upload resumes.`,
      );
    }
  }

  async released(lease: UploadLease, outcome: 'detached' | 'committed' | 'cancelled'): Promise<void> {
    if (this.active.get(lease.key) === lease) this.active.delete(lease.key);
    if (this.active.has(lease.key)) return; // taken over meanwhile: the partial is the new owner's now
    if (outcome === 'cancelled') await this.options.staging.discard(lease.key);
  }

  /** Interrupts every open upload (shutdown): their bytes stay resumable. */
  async detachAll(reason: ShoeboxError): Promise<void> {
    await Promise.all([...this.active.values()].map((lease) => lease.interrupt(reason)));
  }
}
