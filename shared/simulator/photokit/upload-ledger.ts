/**
 * The extension's own record in its container (app group), so it outlives the extension process:
 * - what is backed up (or given up for good): acknowledged jobs vanish from fetchJobs(), so an
 *   extension that was terminated and started again learns what is done from here;
 * - the jobs it created and that have not finished yet, by destination URL (and local identifier when
 *   iOS gave one): before iOS 26.5 there is no fetchJobs(.process), so this is the only way to know
 *   what is in flight. A record goes when its job is presented finished (or is cancelled);
 * - resources waiting to be re-created after a failure, with their attempt count and due time, so the
 *   exponential back-off survives terminations.
 * Node and browser.
 */
import type { ResourceType } from '../../protocol/constants';
import type { KeyValueStorage } from './key-value-storage';
import { resourceKey } from './photo-library';

export interface ResourceRef {
  assetId: string;
  resourceType: ResourceType;
}

export interface LedgerEntry extends ResourceRef {
  filename: string;
  outcome: 'uploaded' | 'failed';
  jobId: string;
  /** From the job's response headers: where the receiver filed it, and whether it was already there. */
  path?: string;
  duplicate?: boolean;
  /** For failures: why the extension gave up. */
  error?: string;
}

export interface InFlightRecord extends ResourceRef {
  /** The job's destination URL: what identifies the job (job.resource is deprecated in iOS 27). */
  url: string;
  /** The job's local identifier, when known (creationRequestForJob's placeholder, or fetchJobs). */
  jobId?: string;
  /** When the record was written (wall-clock ms). */
  since: number;
}

export interface WaitingRecord extends ResourceRef {
  /** Re-creations so far. */
  attempts: number;
  /** Not before this wall-clock ms. */
  notBefore: number;
  reason: string;
}

export interface LedgerSnapshot {
  version: 2;
  entries: LedgerEntry[];
  inFlight: InFlightRecord[];
  waiting: WaitingRecord[];
}

/** What version 1 kept: the outcomes only. */
interface LedgerSnapshotV1 {
  version: 1;
  entries: LedgerEntry[];
}

const same = (a: ResourceRef) => (b: ResourceRef) => resourceKey(a) === resourceKey(b);

export class UploadLedger {
  readonly #storage: KeyValueStorage<LedgerSnapshot>;
  readonly #entries = new Map<string, LedgerEntry>();
  #inFlight: InFlightRecord[] = [];
  readonly #waiting = new Map<string, WaitingRecord>();

  private constructor(storage: KeyValueStorage<LedgerSnapshot>) {
    this.#storage = storage;
  }

  static async open(storage: KeyValueStorage<LedgerSnapshot | LedgerSnapshotV1>): Promise<UploadLedger> {
    const ledger = new UploadLedger(storage as KeyValueStorage<LedgerSnapshot>);
    const saved = await storage.load();
    for (const entry of saved?.entries ?? []) ledger.#entries.set(resourceKey(entry), entry);
    if (saved?.version === 2) {
      ledger.#inFlight = saved.inFlight.map((record) => ({ ...record }));
      for (const record of saved.waiting) ledger.#waiting.set(resourceKey(record), { ...record });
    }
    return ledger;
  }

  get(resource: ResourceRef): LedgerEntry | undefined {
    return this.#entries.get(resourceKey(resource));
  }

  entries(): LedgerEntry[] {
    return [...this.#entries.values()];
  }

  /** Records outcomes: the resources are done (nothing in flight, nothing waiting). Call save() after. */
  settle(entries: readonly LedgerEntry[]): void {
    for (const entry of entries) {
      this.#entries.set(resourceKey(entry), { ...entry });
      this.#inFlight = this.#inFlight.filter((record) => !same(entry)(record));
      this.#waiting.delete(resourceKey(entry));
    }
  }

  /** Records outcomes and writes the container before returning (so acknowledging afterwards is safe). */
  async record(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.settle(entries);
    await this.save();
  }

  inFlight(): InFlightRecord[] {
    return this.#inFlight.map((record) => ({ ...record }));
  }

  addInFlight(records: readonly InFlightRecord[]): void {
    this.#inFlight.push(...records.map((record) => ({ ...record })));
  }

  /** Drops the in-flight records matching `match`. */
  removeInFlight(match: (record: InFlightRecord) => boolean): void {
    this.#inFlight = this.#inFlight.filter((record) => !match(record));
  }

  /** Replaces the in-flight records (from fetchJobs(.process), iOS 26.5+, the system's own list). */
  replaceInFlight(records: readonly InFlightRecord[]): void {
    this.#inFlight = records.map((record) => ({ ...record }));
  }

  waiting(resource: ResourceRef): WaitingRecord | undefined {
    return this.#waiting.get(resourceKey(resource));
  }

  /** The resource is to be re-created at `notBefore`: one more attempt. */
  schedule(resource: ResourceRef, notBefore: number, reason: string): WaitingRecord {
    const attempts = (this.waiting(resource)?.attempts ?? 0) + 1;
    const record = { assetId: resource.assetId, resourceType: resource.resourceType, attempts, notBefore, reason };
    this.#waiting.set(resourceKey(resource), record);
    return record;
  }

  async save(): Promise<void> {
    await this.#storage.save({
      version: 2,
      entries: this.entries(),
      inFlight: this.inFlight(),
      waiting: [...this.#waiting.values()].map((r) => ({ ...r })),
    });
  }
}
