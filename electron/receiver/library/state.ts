/**
 * The in-memory library: Maps for O(1) lookups beside an array ordered by storedAt (oldest first) for
 * paging. Records are frozen, so callers cannot change the index behind its back.
 * `apply` is deterministic and idempotent by sequence number: replaying a journal line twice is harmless.
 */
import type { JournalEntry, SnapshotData } from './schema';
import { INDEX_VERSION, SNAPSHOT_FORMAT } from './schema';
import type { LibraryTotals, StoredResource } from './types';

export class LibraryState {
  /** Sequence number of the last change applied. */
  seq = 0;
  private readonly bySha = new Map<string, StoredResource>();
  private readonly byPath = new Map<string, StoredResource>();
  private readonly byAsset = new Map<string, StoredResource[]>();
  private readonly ordered: StoredResource[] = [];
  private bytes = 0;
  private withoutAsset = 0;

  static fromSnapshot(data: SnapshotData): LibraryState {
    const state = new LibraryState();
    // The records are fresh objects from parsing: frozen in place, not copied.
    for (const resource of data.resources) state.add(resource, false);
    state.seq = data.seq;
    return state;
  }

  /** The snapshot of this state. It shares the ordered array: serialise it before anything changes. */
  toSnapshot(now: Date): SnapshotData {
    return {
      format: SNAPSHOT_FORMAT,
      version: INDEX_VERSION,
      seq: this.seq,
      savedAt: now.toISOString(),
      resources: this.ordered,
    };
  }

  /** Applies a journal entry once; entries at or below the current sequence number are skipped. */
  apply(entry: JournalEntry): boolean {
    if (entry.s <= this.seq) return false;
    switch (entry.op) {
      case 'add':
        this.add(entry.r);
        break;
      case 'remove':
        this.remove(entry.sha);
        break;
      default:
        break; // a legacy line (unfinished uploads, now kept by staging alone): only its sequence number counts
    }
    this.seq = entry.s;
    return true;
  }

  getBySha(sha256: string): StoredResource | undefined {
    return this.bySha.get(sha256);
  }

  getByPath(relPath: string): StoredResource | undefined {
    return this.byPath.get(relPath);
  }

  getAssetResources(assetId: string): StoredResource[] {
    return [...(this.byAsset.get(assetId) ?? [])];
  }

  get size(): number {
    return this.bySha.size;
  }

  /** Newest first. */
  list(offset: number, limit: number): StoredResource[] {
    const out: StoredResource[] = [];
    const start = this.ordered.length - 1 - offset;
    for (let i = start; i >= 0 && out.length < limit; i -= 1) out.push(this.ordered[i] as StoredResource);
    return out;
  }

  totals(): LibraryTotals {
    return { resources: this.bySha.size, bytes: this.bytes, assets: this.byAsset.size + this.withoutAsset };
  }

  /**
   * Records a resource. A record already holding the same bytes, or the same path, is replaced: the
   * newest statement about the folder wins (the committer never overwrites a file, so a record for a
   * path it just filled is stale).
   */
  add(input: StoredResource, copy = true): StoredResource {
    const resource = Object.freeze(copy ? { ...input } : input);
    if (this.bySha.has(resource.sha256)) this.remove(resource.sha256);
    const atPath = this.byPath.get(resource.path);
    if (atPath) this.remove(atPath.sha256);
    this.bySha.set(resource.sha256, resource);
    this.byPath.set(resource.path, resource);
    if (resource.assetId === null) this.withoutAsset += 1;
    else {
      const siblings = this.byAsset.get(resource.assetId);
      if (siblings) siblings.push(resource);
      else this.byAsset.set(resource.assetId, [resource]);
    }
    this.bytes += resource.size;
    const last = this.ordered[this.ordered.length - 1];
    if (!last || last.storedAt <= resource.storedAt) this.ordered.push(resource);
    else this.ordered.splice(this.upperBound(resource.storedAt), 0, resource);
    return resource;
  }

  remove(sha256: string): StoredResource | undefined {
    const resource = this.bySha.get(sha256);
    if (!resource) return undefined;
    this.bySha.delete(sha256);
    this.byPath.delete(resource.path);
    if (resource.assetId === null) this.withoutAsset -= 1;
    else {
      const siblings = (this.byAsset.get(resource.assetId) ?? []).filter((r) => r !== resource);
      if (siblings.length) this.byAsset.set(resource.assetId, siblings);
      else this.byAsset.delete(resource.assetId);
    }
    this.bytes -= resource.size;
    for (let i = this.lowerBound(resource.storedAt); i < this.ordered.length; i += 1) {
      if (this.ordered[i] === resource) {
        this.ordered.splice(i, 1);
        break;
      }
    }
    return resource;
  }

  /** First index whose storedAt is >= key. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ordered[mid] as StoredResource).storedAt < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose storedAt is > key (a new record goes after the ones stored at the same time). */
  private upperBound(key: string): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ordered[mid] as StoredResource).storedAt <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
