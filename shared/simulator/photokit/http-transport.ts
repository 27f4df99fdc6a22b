/**
 * `photokit-http`: exactly what iOS sends for a PhotoKit upload job, and how URLSession resumes it.
 *  1. OPTIONS to the destination (once per origin): a 200 with Upload-Limit means resumable uploads.
 *  2. The destination request (POST/PUT) with the app's headers, the whole resource as the raw body and,
 *     when resumable, Upload-Draft-Interop-Version + Upload-Complete: ?1 (v3 Upload-Incomplete: ?0).
 *     A `104 Upload Resumption Supported` gives the upload's Location.
 *  3. Cut mid-body (or the answer lost): HEAD the Location for Upload-Offset, then PATCH the rest from
 *     there; a 409 means HEAD again; a vanished resource means start over. Without a Location the
 *     upload starts over.
 * The final answer decides the job: 2xx succeeded (its headers kept), anything else failed.
 * Node and browser (the HttpClient is injected).
 */
import { backoffDelay, type BackoffOptions } from '../backoff';
import type { UploadSource } from '../upload-source';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client';
import type { JobError } from './job-types';
import { LinkPlanner } from './network-conditions';
import { answeredComplete, appendFields, creationFields, DEFAULT_INTEROP_VERSION, uploadOffset, type InteropVersion } from './resumable-fields';
import type { TransferContext, TransferJob, TransferOutcome, UploadTransport } from './transport-types';

export interface PhotoKitHttpOptions {
  http: HttpClient;
  /** Interop version offered; false: plain uploads only. Default 6. */
  interopVersion?: InteropVersion | false;
  /** Ask OPTIONS first (feature detection); default true. */
  probe?: boolean;
  /** Failed connections in a row before the job fails (URLSession gives up); default 6. */
  maxNetworkFailures?: number;
  /** HEAD/PATCH rounds without progress before the job fails; default 12. */
  maxStalls?: number;
  backoff?: BackoffOptions;
}

/** The abort reason of a connection the simulated link cut on purpose. */
class LinkCut extends Error {
  override readonly name = 'LinkCut';
}

type Step =
  | { kind: 'answer'; response: HttpResponse }
  /** The connection was cut; resume (or restart) from what the receiver holds. */
  | { kind: 'cut' }
  /** No progress this round (409, busy): ask again. */
  | { kind: 'again' }
  /** The upload resource is gone: start over. */
  | { kind: 'gone' };

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The job's outcome from a final answer. */
export function outcomeOf(response: HttpResponse): TransferOutcome {
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, headers: response.headers };
  let message = `HTTP ${response.status}`;
  try {
    const body = JSON.parse(response.body) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const error: JobError = {
    code: response.headers['shoebox-error'] ?? `HTTP_${response.status}`,
    message,
    status: response.status,
    retryable: response.headers['retry-after'] !== undefined || response.status >= 500,
  };
  return { ok: false, error, headers: response.headers };
}

/** A transient answer to a resumption request: back off and ask again. */
function transient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class PhotoKitHttpTransport implements UploadTransport {
  readonly name = 'photokit-http';
  readonly #http: HttpClient;
  readonly #version: InteropVersion | false;
  readonly #probe: boolean;
  readonly #maxFailures: number;
  readonly #maxStalls: number;
  readonly #backoff: BackoffOptions;
  readonly #support = new Map<string, Promise<boolean>>();

  constructor(options: PhotoKitHttpOptions) {
    this.#http = options.http;
    this.#version = options.interopVersion ?? DEFAULT_INTEROP_VERSION;
    this.#probe = options.probe ?? true;
    this.#maxFailures = options.maxNetworkFailures ?? 6;
    this.#maxStalls = options.maxStalls ?? 12;
    this.#backoff = options.backoff ?? { baseMs: 200, maxMs: 5000 };
  }

  async transfer(job: TransferJob, source: UploadSource, ctx: TransferContext): Promise<TransferOutcome> {
    const planner = new LinkPlanner(ctx.conditions, ctx.random);
    const version = (await this.#resumable(job, ctx)) ? (this.#version as InteropVersion) : undefined;
    let location = version === undefined ? undefined : job.transfer.location;
    let failures = 0;
    let stalls = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      let step: Step;
      try {
        step = location === undefined || version === undefined
          ? await this.#create(job, source, version, planner, ctx, (found) => (location = found))
          : await this.#resume(job, source, version, location, planner, ctx);
      } catch (error) {
        ctx.signal.throwIfAborted();
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        if (failures > this.#maxFailures) return { ok: false, error: { code: 'networkError', message: `gave up after ${failures - 1} failed connections: ${message}`, retryable: true } };
        const delay = backoffDelay(failures, this.#backoff, ctx.random);
        ctx.event('network-error', { message, ms: delay });
        await ctx.clock.sleep(delay, ctx.signal);
        continue;
      }
      failures = 0;
      if (step.kind === 'answer') return outcomeOf(step.response);
      if (step.kind === 'cut') {
        if (location === undefined) ctx.event('restart', { message: 'no Location to resume at' });
        continue;
      }
      if (step.kind === 'gone') {
        location = undefined;
        ctx.saveTransfer({});
        ctx.event('restart', { message: 'the upload resource is gone' });
        continue;
      }
      stalls += 1;
      if (stalls > this.#maxStalls) return { ok: false, error: { code: 'NO_PROGRESS', message: `resumed ${stalls - 1} times without progress`, retryable: true } };
      await ctx.clock.sleep(backoffDelay(stalls, this.#backoff, ctx.random), ctx.signal);
    }
  }

  /** OPTIONS once per origin: resumable when the receiver answers 200 with Upload-Limit. */
  #resumable(job: TransferJob, ctx: TransferContext): Promise<boolean> {
    if (this.#version === false || !this.#http.seesInterimResponses) return Promise.resolve(false);
    if (!this.#probe) return Promise.resolve(true);
    const origin = new URL(job.destination.url).origin;
    let known = this.#support.get(origin);
    if (!known) {
      known = this.#http
        .request({ method: 'OPTIONS', url: job.destination.url, headers: { 'upload-draft-interop-version': String(this.#version) }, signal: ctx.signal })
        .then((answer) => answer.status === 200 && answer.headers['upload-limit'] !== undefined);
      known.catch(() => this.#support.delete(origin)); // ask again next time
      this.#support.set(origin, known);
    }
    return known.catch(() => false);
  }

  async #create(
    job: TransferJob, source: UploadSource, version: InteropVersion | undefined, planner: LinkPlanner,
    ctx: TransferContext, foundLocation: (location: string) => void,
  ): Promise<Step> {
    const { url, method } = job.destination;
    const headers = { ...job.destination.headers, ...(version === undefined ? {} : creationFields(version, true)) };
    ctx.event('request', { method, offset: 0 });
    return this.#send(source, 0, planner, ctx, {
      method, url, headers,
      onInterim: (status, fields) => {
        if (status !== 104 || version === undefined || !fields.location) return;
        const location = new URL(fields.location, url).href;
        foundLocation(location);
        ctx.saveTransfer({ location });
        ctx.event('resumable', { location });
      },
    });
  }

  async #resume(job: TransferJob, source: UploadSource, version: InteropVersion, location: string, planner: LinkPlanner, ctx: TransferContext): Promise<Step> {
    const authorization = header(job.destination.headers, 'authorization');
    const base = { ...(authorization ? { authorization } : {}), 'upload-draft-interop-version': String(version) };
    const state = await this.#http.request({ method: 'HEAD', url: location, headers: base, signal: ctx.signal });
    if (state.status === 404 || state.status === 410) return { kind: 'gone' };
    if (transient(state.status)) throw new Error(`HEAD answered ${state.status}`);
    if (state.status < 200 || state.status >= 300) return { kind: 'answer', response: state };
    if (answeredComplete(version, state.headers)) {
      // The whole body arrived but the answer was lost: the resource's headers carry the outcome.
      return { kind: 'answer', response: { status: state.headers['shoebox-duplicate'] === '?1' ? 200 : 201, headers: state.headers, body: '' } };
    }
    const offset = uploadOffset(state.headers);
    if (offset === undefined || offset > source.size) return { kind: 'gone' };
    ctx.event('offset', { offset, message: 'HEAD Upload-Offset' });
    ctx.event('request', { method: 'PATCH', offset });
    const step = await this.#send(source, offset, planner, ctx, { method: 'PATCH', url: location, headers: { ...base, ...appendFields(version, offset, true) } });
    if (step.kind !== 'answer') return step;
    const { status } = step.response;
    if (status === 409) return { kind: 'again' };
    if (status === 404 || status === 410) return { kind: 'gone' };
    if (transient(status)) throw new Error(`PATCH answered ${status}`);
    return step;
  }

  /** One request whose body is the source from `offset`, through the simulated link (pauses, cuts, bandwidth). */
  async #send(source: UploadSource, offset: number, planner: LinkPlanner, ctx: TransferContext, request: Omit<HttpRequest, 'body' | 'signal'>): Promise<Step> {
    const link = new AbortController();
    const onAbort = () => link.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#http.request({
        ...request,
        body: { length: source.size - offset, chunks: bodyChunks(source, offset, planner, ctx, link) },
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

/** The body from `from` to the end, chunk by chunk, stalling and cutting as the planner draws. */
async function* bodyChunks(source: UploadSource, from: number, planner: LinkPlanner, ctx: TransferContext, link: AbortController): AsyncGenerator<Uint8Array> {
  const chunkBytes = ctx.conditions.chunkBytes;
  let offset = from;
  while (offset < source.size) {
    const step = planner.next();
    if (step.pauseMs > 0) {
      ctx.event('pause', { ms: step.pauseMs, offset });
      await ctx.clock.sleep(step.pauseMs, link.signal);
    }
    const length = Math.min(chunkBytes, source.size - offset);
    await ctx.throttle?.take(length);
    link.signal.throwIfAborted();
    const bytes = await source.read(offset, length);
    if (bytes.byteLength !== length) throw new Error(`${source.filename}: read ${bytes.byteLength} bytes at ${offset}, expected ${length}`);
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
