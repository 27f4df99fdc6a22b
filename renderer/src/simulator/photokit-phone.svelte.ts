/**
 * The simulated phone on the PhotoKit model (shared/simulator/photokit): dropped photos join the photo
 * library; the reference Shoebox extension creates one upload job per resource; the simulated system
 * performs the jobs itself (raw HTTP bodies, POST /v1/photokit/...), calls process(), ends the extension
 * at random and relaunches it, and throttles, stalls and cuts a locked phone's link. The job store and
 * the extension's container outlive each run, so a relaunch (or a changed switch) picks up the jobs.
 */
import { memorySource } from '$shared/simulator/memory-source';
import { mediaTypeOf } from '$shared/simulator/media-types';
import type { SourceEntry } from '$shared/simulator/upload-all';
import { fetchHttpClient, type HttpClient } from '$shared/simulator/photokit/http-client';
import { PhotoKitHttpTransport } from '$shared/simulator/photokit/http-transport';
import { MemoryStorage } from '$shared/simulator/photokit/key-value-storage';
import type { JobStoreSnapshot } from '$shared/simulator/photokit/job-types';
import { runPhotoKitSimulation } from '$shared/simulator/photokit/simulation';
import type { TimelineEvent } from '$shared/simulator/photokit/timeline';
import type { DevicePairing } from './device-pairing';
import { PhoneBase } from './phone-base.svelte';
import { NETWORK, isFinal, type Phone, type SimJob } from './phone-types';

/** Mean time between random terminations of the extension when the switch is on. */
const TERMINATE_EVERY_MS = 3_000;

export class PhotoKitPhone extends PhoneBase implements Phone {
  readonly model = 'photokit';
  running = $derived(this.jobs.some((j) => !isFinal(j.state)));
  private readonly library: SourceEntry[] = [];
  private jobStorage = new MemoryStorage<JobStoreSnapshot>();
  private container = new MemoryStorage<unknown>();
  private current: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private seed = 1;

  constructor(pairing: DevicePairing) {
    super(pairing);
  }

  async addFiles(files: File[]): Promise<void> {
    for (const job of await this.addRows(files, 'library', null)) {
      const { file, assetId } = job;
      if (this.library.some((item) => item.info.assetId === assetId)) continue; // already in the library
      const kind = mediaTypeOf(file.name);
      const resourceType = kind?.kind === 'video' ? 'video' : 'photo';
      this.library.push({
        info: { assetId, resourceType, filename: file.name, size: file.size },
        open: async () =>
          memorySource({
            assetId,
            resourceType,
            filename: file.name,
            bytes: new Uint8Array(await file.arrayBuffer()),
            ...(kind ? { contentType: kind.contentType } : {}),
          }),
      });
    }
    this.relaunch();
  }

  setLocked(on: boolean): void {
    this.locked = on;
    this.relaunch();
  }

  protected onNetworkChange(): void {
    this.relaunch();
  }

  setTerminations(on: boolean): void {
    this.terminations = on;
    this.relaunch();
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => !isFinal(j.state));
  }

  async pairAgain(): Promise<void> {
    this.pairing.forget();
    this.extension = 'idle';
    this.message = null;
    for (const job of this.jobs) if (job.state === 'failed') Object.assign(job, { state: 'library', error: null });
    // A new pairing is a new destination: the system and the extension start from scratch.
    this.jobStorage = new MemoryStorage<JobStoreSnapshot>();
    this.container = new MemoryStorage<unknown>();
    this.relaunch();
  }

  /** Starts the system, or restarts it with the current switches (its job store carries over). */
  private relaunch(): void {
    if (this.extension === 'revoked') return;
    if (this.loop) {
      this.current?.abort(new Error('relaunched with new conditions'));
      return;
    }
    this.loop = this.runLoop().finally(() => (this.loop = null));
  }

  private async runLoop(): Promise<void> {
    while (this.jobs.some((j) => !isFinal(j.state)) && this.extension !== 'revoked') {
      const token = await this.tokenWhenOnline();
      if (token === 'again') continue;
      if (token === null) return;
      const abort = new AbortController();
      this.current = abort;
      const rate = NETWORK[this.network].bytesPerSecond;
      try {
        const { summary } = await runPhotoKitSimulation({
          items: [...this.library],
          transport: new PhotoKitHttpTransport({ http: this.countingHttp() }),
          destination: { baseUrl: this.pairing.baseUrl, token },
          locked: this.locked,
          conditions: rate ? { bytesPerSecond: rate } : {},
          ...(this.terminations ? { terminateEveryMs: TERMINATE_EVERY_MS } : {}),
          jobStorage: this.jobStorage,
          container: this.container,
          seed: this.seed++,
          keepTimeline: false,
          signal: abort.signal,
          onEvent: (event) => this.onEvent(event),
        });
        if (!abort.signal.aborted && summary.stats.stoppedBecause) {
          this.extension = 'error';
          this.message = `The system stopped the extension: ${summary.stats.stoppedBecause}`;
          return;
        }
        if (!abort.signal.aborted) break;
      } catch (error) {
        if (abort.signal.aborted) continue;
        this.extension = 'error';
        this.message = (error as Error).message;
        return;
      } finally {
        this.current = null;
      }
    }
    if (this.extension === 'running' || this.extension === 'terminated') this.extension = 'idle';
  }

  /**
   * fetch over the window server: the simulated link feeds the body at the network's pace, so what it
   * has fed is the phone's progress (fetch sends the collected body in one go; no 104 in a browser).
   */
  private countingHttp(): HttpClient {
    const base = fetchHttpClient();
    return {
      seesInterimResponses: base.seesInterimResponses,
      request: (request) => {
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a URL parsed once for its path, not state
        const segment = /\/v1\/photokit\/([^/]+)\//.exec(new URL(request.url).pathname)?.[1];
        const job = segment ? this.row(decodeURIComponent(segment)) : undefined;
        if (!request.body || !job) return base.request(request);
        const source = request.body.chunks;
        async function* counted(): AsyncGenerator<Uint8Array> {
          let fed = 0;
          for await (const chunk of source) {
            fed += chunk.byteLength;
            if (!isFinal(job!.state)) job!.state = 'uploading';
            job!.acked = fed;
            yield chunk;
          }
        }
        return base.request({ ...request, body: { length: request.body.length, chunks: counted() } });
      },
    };
  }

  private row(assetId: string): SimJob | undefined {
    return (
      this.jobs.findLast((j) => j.assetId === assetId && !isFinal(j.state)) ??
      this.jobs.findLast((j) => j.assetId === assetId)
    );
  }

  private onEvent(event: TimelineEvent): void {
    if (event.type === 'extension') {
      if (event.what === 'launched') this.extension = 'running';
      if (event.what === 'terminated') {
        this.terminationsSoFar += 1;
        this.extension = 'terminated';
      }
      return;
    }
    const job = this.row(event.resource.assetId);
    if (!job) return;
    if (event.type === 'transfer') {
      if (event.what === 'request' && !isFinal(job.state)) job.state = 'uploading';
      if (event.what === 'cut' || event.what === 'restart') job.resumes += 1;
      return;
    }
    switch (event.state) {
      case 'registered':
        // A failed resource's job re-created after its back-off starts over.
        if (job.state === 'library' || (job.state === 'failed' && event.change === 'created'))
          Object.assign(job, { state: 'registered', error: null });
        break;
      case 'pending':
        if (job.state !== 'uploading') job.state = 'pending';
        if (event.change === 'retried') job.retried = true;
        break;
      case 'succeeded':
        Object.assign(job, { state: 'succeeded', duplicate: event.status === 200, acked: job.size, error: null });
        break;
      case 'failed': {
        const error = event.error;
        const revoked = error?.code === 'DEVICE_REVOKED' || error?.code === 'AUTH_FAILED';
        // A failed job is retried once or re-created after a back-off by the extension; show it failed meanwhile.
        Object.assign(job, {
          state: 'failed',
          error: error ? `${error.message}${revoked ? '' : ` (${error.code})`}` : 'failed',
        });
        if (revoked) {
          this.extension = 'revoked';
          this.message = error.message;
          for (const j of this.jobs) if (!isFinal(j.state)) Object.assign(j, { state: 'failed', error: error.message });
          this.current?.abort(new Error('revoked'));
        }
        break;
      }
      default:
        break;
    }
  }
}
