/**
 * `photokit-http`: what iOS sends for a PhotoKit upload job, and how URLSession resumes it.
 *  1. OPTIONS to the destination (once per origin): a 200 with Upload-Limit means resumable uploads.
 *  2. The destination request (POST/PUT) with the app's headers, the whole resource as the raw body and,
 *     when resumable, the interop version's fields (iOS 26: Upload-Draft-Interop-Version: 8,
 *     Upload-Complete: ?1, Upload-Length). A `104 Upload Resumption Supported` gives the Location.
 *  3. Only a dropped connection is resumed: HEAD the Location for Upload-Offset, then PATCH the rest.
 *     Neither carries the app's headers (no Authorization, no Shoebox-Token): the URL is the capability.
 *     Without a Location the upload starts over.
 *  4. Any final answer decides the job, to any of these requests: 2xx succeeded (its headers kept),
 *     anything else (a 408, 409 or 503 included) failed, with no further HEAD or PATCH.
 * Connection failures are retried with backoff for `giveUpAfterMs` (the receiver asleep or away), then
 * the job fails with a network error. Node and browser (the HttpClient is injected).
 */
import { backoffDelay, type BackoffOptions } from '../backoff';
import type { UploadSource } from '../upload-source';
import { SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';
import { UPLOAD_HEADER } from '../../protocol/resumable-interop';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client';
import type { JobError } from './job-types';
import { LinkPlanner, OutageSchedule } from './network-conditions';
import {
  answeredComplete,
  appendFields,
  creationFields,
  DEFAULT_INTEROP_VERSION,
  headFields,
  uploadOffset,
  type InteropVersion,
} from './resumable-fields';
import type { TransferContext, TransferJob, TransferOutcome, UploadTransport } from './transport-types';

export interface PhotoKitHttpOptions {
  http: HttpClient;
  /** Interop version offered; false: plain uploads only. Default 8 (iOS 26). */
  interopVersion?: InteropVersion | false;
  /** Ask OPTIONS first (feature detection); default true. */
  probe?: boolean;
  /** How long connection failures in a row are retried before the job fails; default 10 minutes. */
  giveUpAfterMs?: number;
  /** At most this many connection failures in a row, whatever the time; default unlimited. */
  maxNetworkFailures?: number;
  /** Resumptions in a row whose HEAD shows no progress before the job fails; default 8. */
  maxStalls?: number;
  backoff?: BackoffOptions;
}

/** The abort reason of a connection the simulated link cut on purpose. */
class LinkCut extends Error {
  override readonly name = 'LinkCut';
}

type Step =
  | { kind: 'answer'; response: HttpResponse }
  /** The connection dropped; resume (or restart) from what the receiver holds. */
  | { kind: 'cut' };

/** The job's outcome from a final answer. */
export function outcomeOf(response: HttpResponse): TransferOutcome {
  if (response.status >= 200 && response.status < 300)
    return { ok: true, status: response.status, headers: response.headers };
  let message = `HTTP ${response.status}`;
  try {
    const body = JSON.parse(response.body) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const error: JobError = {
    code: response.headers[SHOEBOX_HEADER_KEY.error] ?? `HTTP_${response.status}`,
    message,
    status: response.status,
    retryable: response.headers['retry-after'] !== undefined || response.status >= 500,
  };
  return { ok: false, error, headers: response.headers };
}

/** URLSession's kind of failure for a connection error: cannotConnect, timedOut or networkError. */
export function networkFailureCode(error: unknown): JobError['code'] {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND')
    return 'cannotConnect';
  if (code === 'ETIMEDOUT' || (error instanceof Error && /no progress from/.test(error.message))) return 'timedOut';
  return 'networkError';
}

export class PhotoKitHttpTransport implements UploadTransport {
  readonly name = 'photokit-http';
  readonly #http: HttpClient;
  readonly #version: InteropVersion | false;
  readonly #probe: boolean;
  readonly #giveUpAfterMs: number;
  readonly #maxFailures: number;
  readonly #maxStalls: number;
  readonly #backoff: BackoffOptions;
  readonly #support = new Map<string, Promise<boolean>>();
  #outages: OutageSchedule | undefined;

  constructor(options: PhotoKitHttpOptions) {
    this.#http = options.http;
    this.#version = options.interopVersion ?? DEFAULT_INTEROP_VERSION;
    this.#probe = options.probe ?? true;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 10 * 60_000;
    this.#maxFailures = options.maxNetworkFailures ?? Infinity;
    this.#maxStalls = options.maxStalls ?? 8;
    this.#backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  }

  async transfer(job: TransferJob, source: UploadSource, ctx: TransferContext): Promise<TransferOutcome> {
    this.#outages ??= new OutageSchedule(ctx.conditions.outages, ctx.clock);
    const planner = new LinkPlanner(ctx.conditions, ctx.random);
    let version: InteropVersion | undefined;
    let probed = false;
    let location: string | undefined;
    let failures = 0;
    let firstFailureAt = 0;
    let stalls = 0;
    let lastOffset = -1;
    for (;;) {
      ctx.signal.throwIfAborted();
      let step: Step;
      try {
        this.#outages.check();
        if (!probed) {
          version = (await this.#resumable(job, ctx)) ? (this.#version as InteropVersion) : undefined;
          location = version === undefined ? undefined : job.transfer.location;
          probed = true;
        }
        if (location === undefined || version === undefined) {
          step = await this.#create(job, source, version, planner, ctx, (found) => (location = found));
        } else {
          const resumed = await this.#resume(source, version, location, planner, ctx);
          if (resumed.offset !== undefined) {
            stalls = resumed.offset > lastOffset ? 0 : stalls + 1;
            lastOffset = Math.max(lastOffset, resumed.offset);
            if (stalls > this.#maxStalls)
              return {
                ok: false,
                error: {
                  code: 'networkError',
                  message: `resumed ${stalls} times in a row without progress`,
                  retryable: true,
                },
              };
          }
          step = resumed.step;
        }
      } catch (error) {
        ctx.signal.throwIfAborted();
        if (failures === 0) firstFailureAt = ctx.clock.now();
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        const failingFor = ctx.clock.now() - firstFailureAt;
        if (failures > this.#maxFailures || failingFor >= this.#giveUpAfterMs) {
          return {
            ok: false,
            error: {
              code: networkFailureCode(error),
              message: `gave up after ${failures} failed connections in ${Math.round(failingFor / 1000)} s: ${message}`,
              retryable: true,
            },
          };
        }
        const delay = backoffDelay(failures, this.#backoff, ctx.random);
        ctx.event('network-error', { message, ms: delay });
        await ctx.clock.sleep(delay, ctx.signal);
        continue;
      }
      failures = 0;
      if (step.kind === 'answer') return outcomeOf(step.response);
      if (location === undefined) ctx.event('restart', { message: 'no Location to resume at' });
    }
  }

  /**
   * OPTIONS once per origin: resumable when the receiver answers 200 with Upload-Limit. A connection failure
   * throws.
   */
  #resumable(job: TransferJob, ctx: TransferContext): Promise<boolean> {
    if (this.#version === false || !this.#http.seesInterimResponses) return Promise.resolve(false);
    if (!this.#probe) return Promise.resolve(true);
    const origin = new URL(job.destination.url).origin;
    let known = this.#support.get(origin);
    if (!known) {
      known = this.#http
        .request({
          method: 'OPTIONS',
          url: job.destination.url,
          headers: headFields(this.#version),
          signal: ctx.signal,
        })
        .then((answer) => answer.status === 200 && answer.headers[UPLOAD_HEADER.limit] !== undefined);
      known.catch(() => this.#support.delete(origin)); // ask again next time
      this.#support.set(origin, known);
    }
    return known;
  }

  async #create(
    job: TransferJob,
    source: UploadSource,
    version: InteropVersion | undefined,
    planner: LinkPlanner,
    ctx: TransferContext,
    foundLocation: (location: string) => void,
  ): Promise<Step> {
    const { url, method } = job.destination;
    const headers = {
      ...job.destination.headers,
      ...(version === undefined ? {} : creationFields(version, { complete: true, length: source.size })),
    };
    ctx.event('request', { method, offset: 0 });
    let cutAfterInterim = false;
    return this.#send(
      source,
      0,
      planner,
      ctx,
      {
        method,
        url,
        headers,
        onInterim: (status, fields) => {
          if (status !== 104 || version === undefined || !fields.location) return;
          const location = new URL(fields.location, url).href;
          foundLocation(location);
          ctx.saveTransfer({ location });
          ctx.event('resumable', { location });
          cutAfterInterim = planner.cutAfterInterim();
        },
      },
      () => cutAfterInterim,
    );
  }

  /** HEAD for the offset, then PATCH from there; no app headers on either. */
  async #resume(
    source: UploadSource,
    version: InteropVersion,
    location: string,
    planner: LinkPlanner,
    ctx: TransferContext,
  ): Promise<{ step: Step; offset?: number }> {
    const state = await this.#http.request({
      method: 'HEAD',
      url: location,
      headers: headFields(version),
      signal: ctx.signal,
    });
    if (state.status < 200 || state.status >= 300) return { step: { kind: 'answer', response: state } };
    if (answeredComplete(version, state.headers)) {
      // The whole body arrived but the answer was lost: the resource's headers carry the outcome.
      return {
        step: {
          kind: 'answer',
          response: {
            status: state.headers[SHOEBOX_HEADER_KEY.duplicate] === '?1' ? 200 : 201,
            headers: state.headers,
            body: '',
          },
        },
      };
    }
    const offset = uploadOffset(state.headers);
    if (offset === undefined || offset > source.size) {
      return {
        step: {
          kind: 'answer',
          response: { status: 502, headers: state.headers, body: 'HEAD gave no usable Upload-Offset' },
        },
      };
    }
    ctx.event('offset', { offset, message: 'HEAD Upload-Offset' });
    ctx.event('request', { method: 'PATCH', offset });
    const step = await this.#send(source, offset, planner, ctx, {
      method: 'PATCH',
      url: location,
      headers: appendFields(version, offset, true),
    });
    return { step, offset };
  }

  /** One request whose body is the source from `offset`, through the simulated link (pauses, cuts, bandwidth). */
  async #send(
    source: UploadSource,
    offset: number,
    planner: LinkPlanner,
    ctx: TransferContext,
    request: Omit<HttpRequest, 'body' | 'signal'>,
    cutBeforeNextChunk: () => boolean = () => false,
  ): Promise<Step> {
    const outages = this.#outages!;
    const link = new AbortController();
    const onAbort = () => link.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#http.request({
        ...request,
        body: {
          length: source.size - offset,
          chunks: bodyChunks(source, offset, planner, ctx, link, () => cutBeforeNextChunk() || outages.down()),
        },
        signal: link.signal,
      });
      return { kind: 'answer', response };
    } catch (error) {
      if (link.signal.reason instanceof LinkCut && !ctx.signal.aborted) return { kind: 'cut' };
      throw error;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      // The answer may come before the whole body went out: stop the body from reading any further.
      if (!link.signal.aborted) link.abort(new Error('the request is over'));
    }
  }
}

/**
 * The body from `from` to the end, chunk by chunk, stalling and cutting as the planner draws; cut at
 * once when `cutNow` says so (right after a 104, or the receiver went away).
 */
async function* bodyChunks(
  source: UploadSource,
  from: number,
  planner: LinkPlanner,
  ctx: TransferContext,
  link: AbortController,
  cutNow: () => boolean,
): AsyncGenerator<Uint8Array> {
  const chunkBytes = ctx.conditions.chunkBytes;
  let offset = from;
  while (offset < source.size) {
    if (cutNow()) {
      ctx.event('cut', { offset, message: 'the connection dropped' });
      link.abort(new LinkCut(`cut after ${offset} bytes`));
      return;
    }
    const step = planner.next();
    if (step.pauseMs > 0) {
      ctx.event('pause', { ms: step.pauseMs, offset });
      await ctx.clock.sleep(step.pauseMs, link.signal);
    }
    const length = Math.min(chunkBytes, source.size - offset);
    await ctx.throttle?.take(length);
    link.signal.throwIfAborted();
    const bytes = await source.read(offset, length);
    if (bytes.byteLength !== length)
      throw new Error(`${source.filename}: read ${bytes.byteLength} bytes at ${offset}, expected ${length}`);
    offset += length;
    yield bytes;
    if (step.cut) {
      // Cut after this chunk; after the last one this loses the answer instead (HEAD finds it complete).
      ctx.event('cut', { offset });
      link.abort(new LinkCut(`cut after ${offset} bytes`));
      return;
    }
  }
}
