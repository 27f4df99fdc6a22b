/**
 * The extension's own record of what is backed up, kept in its container (app group) so it outlives
 * the extension process: acknowledged jobs vanish from fetchJobs(), so an extension that was
 * terminated and started again learns what is done from here. Node and browser.
 */
import type { ResourceType } from '../../protocol/constants';
import type { KeyValueStorage } from './key-value-storage';
import { resourceKey } from './photo-library';

export interface LedgerEntry {
  assetId: string;
  resourceType: ResourceType;
  filename: string;
  outcome: 'uploaded' | 'failed';
  jobId: string;
  /** From the job's response headers: where the receiver filed it, and whether it was already there. */
  path?: string;
  duplicate?: boolean;
  /** For failures: the error code and message. */
  error?: string;
}

export interface LedgerSnapshot {
  version: 1;
  entries: LedgerEntry[];
}

export class UploadLedger {
  readonly #storage: KeyValueStorage<LedgerSnapshot>;
  readonly #entries = new Map<string, LedgerEntry>();

  private constructor(storage: KeyValueStorage<LedgerSnapshot>) {
    this.#storage = storage;
  }

  static async open(storage: KeyValueStorage<LedgerSnapshot>): Promise<UploadLedger> {
    const ledger = new UploadLedger(storage);
    const saved = await storage.load();
    for (const entry of saved?.entries ?? []) ledger.#entries.set(resourceKey(entry), entry);
    return ledger;
  }

  get(resource: { assetId: string; resourceType: ResourceType }): LedgerEntry | undefined {
    return this.#entries.get(resourceKey(resource));
  }

  entries(): LedgerEntry[] {
    return [...this.#entries.values()];
  }

  /** Records outcomes and writes the container before returning (so acknowledging afterwards is safe). */
  async record(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) this.#entries.set(resourceKey(entry), { ...entry });
    await this.#storage.save({ version: 1, entries: this.entries() });
  }
}
