/**
 * What both simulated phones share: the panel's switches and status, the job rows for dropped files, and
 * the step every run of the extension starts with (wait out "no network", then get a device token).
 */
import { sha256Hex } from '$shared/simulator/memory-source';
import type { DevicePairing } from './device-pairing';
import {
  assetIdFor,
  type ExtensionState,
  type JobState,
  type NetworkQuality,
  type PhoneModel,
  type SimJob,
} from './phone-types';

export abstract class PhoneBase {
  abstract readonly model: PhoneModel;
  jobs = $state<SimJob[]>([]);
  locked = $state(false);
  network = $state<NetworkQuality>('fast');
  terminations = $state(false);
  extension = $state<ExtensionState>('idle');
  message = $state<string | null>(null);
  terminationsSoFar = $state(0);
  private nextId: number;
  private wake: (() => void) | undefined;

  constructor(
    protected readonly pairing: DevicePairing,
    firstId = 0,
  ) {
    this.nextId = firstId;
  }

  get deviceId(): string {
    return this.pairing.deviceId;
  }

  setNetwork(quality: NetworkQuality): void {
    this.network = quality;
    this.onNetworkChange();
    this.wake?.();
  }

  protected abstract onNetworkChange(): void;

  /** Adds a row per file in `state`, then gives each its asset id (from its bytes); returns the new rows. */
  protected async addRows(files: File[], state: JobState, acked: number | null): Promise<SimJob[]> {
    const start = this.jobs.length;
    this.jobs.push(
      ...files.map((file): SimJob => ({
        id: ++this.nextId,
        file,
        filename: file.name,
        size: file.size,
        assetId: '',
        state,
        acked,
        resumes: 0,
        retried: false,
        duplicate: false,
        error: null,
      })),
    );
    const added = this.jobs.slice(start);
    for (const job of added) job.assetId = assetIdFor(await sha256Hex(new Uint8Array(await job.file.arrayBuffer())));
    return added;
  }

  /**
   * The start of each run: waits while the phone is offline ('again': look at the jobs again), else
   * returns a device token and marks the extension running, or null once a pairing failure is shown.
   */
  protected async tokenWhenOnline(): Promise<string | null> {
    if (this.network === 'offline') {
      this.extension = 'no-network';
      await new Promise<void>((resolve) => (this.wake = resolve));
      return 'again';
    }
    try {
      const token = await this.pairing.ensureToken();
      this.extension = 'running';
      this.message = null;
      return token;
    } catch (error) {
      this.extension = 'error';
      this.message = `Could not pair: ${(error as Error).message}`;
      return null;
    }
  }
}
