/**
 * The simulated phone's photo library: its asset resources (PHAssetResource) and their bytes
 * (PHAssetResourceManager). The extension lists and describes resources; the system reads them to
 * upload. Node and browser: items are in-memory sources or lazily opened file entries.
 *
 * "Optimize iPhone Storage": a resource marked optimized has its original in iCloud only. Describing
 * it (reading it to hash it for Repr-Digest) first downloads it, which takes size / iCloudBytesPerSecond
 * on the library's clock: inside process() that counts against the run's time budget. A download cut
 * short (the extension gave up on it, or was terminated) is lost; a finished one stays on the phone.
 * The system's own upload reads the original outside process() (the photos daemon's time), free here.
 * Resources can be deleted while the extension runs (remove()).
 */
import { infoOf, type SourceEntry, type UploadItem } from '../upload-all';
import { sourceInfo, type SourceInfo, type UploadSource } from '../upload-source';
import type { ResourceDescription } from './destination';
import { realSimClock, type SimClock } from './sim-clock';

type ResourceRef = Pick<SourceInfo, 'assetId' | 'resourceType'>;

/** What iCloud downloads of optimized originals default to: 2 MB/s. */
export const DEFAULT_ICLOUD_BYTES_PER_SECOND = 2_000_000;

export interface PhotoLibraryOptions {
  /** Which resources have their original in iCloud only ("Optimize iPhone Storage"); default none. */
  optimized?: (resource: SourceInfo) => boolean;
  /** Download rate of optimized originals, bytes per second. */
  iCloudBytesPerSecond?: number;
  /** The clock downloads take time on. */
  clock?: SimClock;
}

/** One key per asset resource: the asset id and the resource type. */
export function resourceKey(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): string {
  return `${resource.assetId}\u0000${resource.resourceType}`;
}

function isEntry(item: UploadItem): item is SourceEntry {
  return typeof (item as SourceEntry).open === 'function' && 'info' in item;
}

export class PhotoLibrary {
  readonly #items = new Map<string, UploadItem>();
  readonly #descriptions = new Map<string, Promise<ResourceDescription>>();
  /** Optimized resources whose original is not (yet) on the phone. */
  readonly #inCloud = new Set<string>();
  readonly #rate: number;
  readonly #clock: SimClock;

  constructor(items: readonly UploadItem[], options: PhotoLibraryOptions = {}) {
    this.#rate = options.iCloudBytesPerSecond ?? DEFAULT_ICLOUD_BYTES_PER_SECOND;
    if (!(this.#rate > 0)) throw new RangeError('iCloudBytesPerSecond must be positive');
    this.#clock = options.clock ?? realSimClock;
    for (const item of items) {
      const info = infoOf(item);
      const key = resourceKey(info);
      if (this.#items.has(key))
        throw new RangeError(`two resources share asset id and type: ${key.replace('\u0000', ' ')}`);
      this.#items.set(key, item);
      if (options.optimized?.(info)) this.#inCloud.add(key);
    }
  }

  /** The original is in iCloud only: reading it costs a download. */
  isOptimized(resource: ResourceRef): boolean {
    return this.#inCloud.has(resourceKey(resource));
  }

  /** The user deleted the resource: it leaves the library (jobs for it can no longer be created or read). */
  remove(resource: ResourceRef): boolean {
    const key = resourceKey(resource);
    this.#descriptions.delete(key);
    this.#inCloud.delete(key);
    return this.#items.delete(key);
  }

  /** Every resource, in library order. */
  resources(): SourceInfo[] {
    return [...this.#items.values()].map((item) => sourceInfo(infoOf(item)));
  }

  has(resource: ResourceRef): boolean {
    return this.#items.has(resourceKey(resource));
  }

  /** Opens the resource for reading; the caller closes it. */
  async open(resource: ResourceRef): Promise<UploadSource> {
    const item = this.#items.get(resourceKey(resource));
    if (!item) throw new RangeError(`no such resource in the library: ${resource.assetId} ${resource.resourceType}`);
    return isEntry(item) ? item.open() : item;
  }

  /**
   * Digest, type and date of a resource (reading it once; remembered afterwards). An optimized one is
   * downloaded first; `signal` abandons the download (PHAssetResourceManager.cancelDataRequest).
   */
  describe(resource: ResourceRef, signal?: AbortSignal): Promise<ResourceDescription> {
    const key = resourceKey(resource);
    const known = this.#descriptions.get(key);
    if (known) return known;
    const description = this.#describe(resource, signal);
    this.#descriptions.set(key, description);
    description.catch(() => {
      if (this.#descriptions.get(key) === description) this.#descriptions.delete(key);
    });
    return description;
  }

  async #describe(resource: ResourceRef, signal: AbortSignal | undefined): Promise<ResourceDescription> {
    const key = resourceKey(resource);
    const item = this.#items.get(key);
    if (item && this.#inCloud.has(key)) {
      await this.#clock.sleep(Math.ceil((infoOf(item).size / this.#rate) * 1000), signal);
      this.#inCloud.delete(key); // downloaded: the original stays on the phone
    }
    const source = await this.open(resource);
    try {
      return {
        ...sourceInfo(source),
        sha256: source.sha256,
        ...(source.contentType === undefined ? {} : { contentType: source.contentType }),
        ...(source.captureDate === undefined ? {} : { captureDate: source.captureDate }),
      };
    } finally {
      if (item && isEntry(item)) await source.close?.().catch(() => undefined);
    }
  }
}
