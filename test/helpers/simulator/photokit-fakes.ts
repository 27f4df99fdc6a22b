/** Test doubles for the PhotoKit simulation: an in-memory receiver behind a fake transport, and sample libraries. */
import { memorySource } from '../../../shared/simulator/memory-source';
import type { JobError } from '../../../shared/simulator/photokit/job-types';
import type {
  TransferContext,
  TransferJob,
  TransferOutcome,
  UploadTransport,
} from '../../../shared/simulator/photokit/transport-types';
import type { UploadSource } from '../../../shared/simulator/upload-source';
import { bytesOf } from './helpers';

export interface FakeTransportOptions {
  /** Virtual ms each 64 KiB of body takes (so terminations can land mid-upload). */
  msPerChunk?: number;
  /** The receiver is away (every transfer fails with networkError) until this clock time, ms. */
  awayUntilMs?: number;
}

/** A failure to answer with: the error, and the answer's headers (default: Shoebox-Error when it has a status). */
export type FakeFailure = JobError & { headers?: Record<string, string> };

/**
 * A receiver in memory: the same bytes are stored once (201, then 200), answers carry Shoebox-Path and
 * Shoebox-Duplicate like the real one. `failNext(filename, ...errors)` makes the next attempts fail.
 */
export class FakeTransport implements UploadTransport {
  readonly name = 'fake';
  /** sha256 -> stored path */
  readonly stored = new Map<string, string>();
  /** Every transfer that reached the end: filename and status. */
  readonly answers: Array<{ filename: string; status: number; jobId: string }> = [];
  /** Transfers started, per filename. */
  readonly attempts = new Map<string, number>();
  readonly #failures = new Map<string, FakeFailure[]>();
  readonly #msPerChunk: number;
  readonly #awayUntilMs: number;
  /** Transfers refused because the receiver was away. */
  awayFailures = 0;

  constructor(options: FakeTransportOptions = {}) {
    this.#msPerChunk = options.msPerChunk ?? 0;
    this.#awayUntilMs = options.awayUntilMs ?? 0;
  }

  failNext(filename: string, ...errors: FakeFailure[]): void {
    this.#failures.set(filename, [...(this.#failures.get(filename) ?? []), ...errors]);
  }

  async transfer(job: TransferJob, source: UploadSource, ctx: TransferContext): Promise<TransferOutcome> {
    this.attempts.set(source.filename, (this.attempts.get(source.filename) ?? 0) + 1);
    ctx.event('request', { method: job.destination.method, offset: 0 });
    if (ctx.clock.now() < this.#awayUntilMs) {
      await ctx.clock.sleep(500, ctx.signal); // URLSession tries for a while, then gives up
      this.awayFailures += 1;
      return { ok: false, error: { code: 'networkError', message: 'the receiver is away', retryable: true } };
    }
    for (let offset = 0; offset < source.size; offset += 64 * 1024) {
      if (this.#msPerChunk > 0) await ctx.clock.sleep(this.#msPerChunk, ctx.signal);
      await source.read(offset, Math.min(64 * 1024, source.size - offset));
    }
    ctx.signal.throwIfAborted();
    const failure = this.#failures.get(source.filename)?.shift();
    if (failure) {
      const { headers, ...error } = failure;
      const answer = headers ?? (error.status ? { 'shoebox-error': error.code } : undefined);
      return { ok: false, error, ...(answer ? { headers: answer } : {}) };
    }
    const known = this.stored.get(source.sha256);
    const path = known ?? `2019/2019-08/${source.filename}`;
    if (!known) this.stored.set(source.sha256, path);
    const status = known ? 200 : 201;
    this.answers.push({ filename: source.filename, status, jobId: job.id });
    return { ok: true, status, headers: { 'Shoebox-Path': path, 'Shoebox-Duplicate': known ? '?1' : '?0' } };
  }
}

/** `count` distinct photos of `size` bytes each (a Live Photo pair when `livePhoto`). */
export async function sampleLibrary(count: number, size = 200_000, livePhoto = false): Promise<UploadSource[]> {
  const sources: UploadSource[] = [];
  for (let i = 0; i < count; i += 1) {
    sources.push(
      await memorySource({
        assetId: `ASSET-${i}/L0/001`,
        filename: `IMG_${1000 + i}.HEIC`,
        bytes: bytesOf(size, i + 1),
        contentType: 'image/heic',
        captureDate: '2019-08-21T10:57:23+02:00',
      }),
    );
  }
  if (livePhoto) {
    sources.push(
      await memorySource({
        assetId: 'ASSET-0/L0/001',
        resourceType: 'pairedVideo',
        filename: 'IMG_1000.MOV',
        bytes: bytesOf(size / 2, 999),
        contentType: 'video/quicktime',
      }),
    );
  }
  return sources;
}

export const DESTINATION = { baseUrl: 'http://127.0.0.1:47120', token: 'T'.repeat(43) };

export const RETRYABLE: JobError = { code: 'STORAGE_ERROR', message: 'could not write', status: 500, retryable: true };
export const PERMANENT: JobError = { code: 'BAD_FILENAME', message: 'unsafe name', status: 400, retryable: false };
