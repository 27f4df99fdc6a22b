/**
 * The simulated phone's photo library: its asset resources (PHAssetResource) and their bytes
 * (PHAssetResourceManager). The extension lists and describes resources; the system reads them to
 * upload. Node and browser: items are in-memory sources or lazily opened file entries.
 */
import { infoOf, type SourceEntry, type UploadItem } from '../upload-all';
import { sourceInfo, type SourceInfo, type UploadSource } from '../upload-source';
import type { ResourceDescription } from './destination';

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

  constructor(items: readonly UploadItem[]) {
    for (const item of items) {
      const key = resourceKey(infoOf(item));
      if (this.#items.has(key)) throw new RangeError(`two resources share asset id and type: ${key.replace('\u0000', ' ')}`);
      this.#items.set(key, item);
    }
  }

  /** Every resource, in library order. */
  resources(): SourceInfo[] {
    return [...this.#items.values()].map((item) => sourceInfo(infoOf(item)));
  }

  has(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): boolean {
    return this.#items.has(resourceKey(resource));
  }

  /** Opens the resource for reading; the caller closes it. */
  async open(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): Promise<UploadSource> {
    const item = this.#items.get(resourceKey(resource));
    if (!item) throw new RangeError(`no such resource in the library: ${resource.assetId} ${resource.resourceType}`);
    return isEntry(item) ? item.open() : item;
  }

  /** Digest, type and date of a resource (reading it once; remembered afterwards). */
  describe(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): Promise<ResourceDescription> {
    const key = resourceKey(resource);
    let description = this.#descriptions.get(key);
    if (!description) {
      description = this.#describe(resource);
      this.#descriptions.set(key, description);
      description.catch(() => this.#descriptions.delete(key));
    }
    return description;
  }

  async #describe(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): Promise<ResourceDescription> {
    const item = this.#items.get(resourceKey(resource));
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
