/**
 * Resumable upload resources (`/v1/uploads/<id>`): who created each, the upload it carries and its
 * state, one small JSON file each in `<folder>/.shoebox/uploads/`, written durably before the resource
 * is announced, so resources survive restarts. Their bytes are ordinary staging partials (own key per
 * resource). A resource expires with the stale-upload age; a finished one is kept a little while so a
 * client that lost the final answer can still read the outcome with HEAD.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RESOURCE_TYPES } from '../../../shared/protocol';
import type { CommitResult } from '../ingest/committer';
import { writeFileAtomic } from '../../../shared/storage/index.nodejs';
import { storageError, type StagingArea } from '../ingest/staging-area';
import { folderLayout } from '../util/folder-layout';
import type { UploadSpec } from '../ingest/upload-spec';
import { KeyedLock } from '../util/keyed-lock';
import { isInteropVersion, type InteropVersion } from '../../../shared/protocol';

const FORMAT = 'shoebox-upload-resource';
/** A finished resource answers HEAD for at most this long (and never past the stale-upload age). */
const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;
export const RESOURCE_ID = /^[0-9a-f]{32}$/;

const specSchema = z.strictObject({
  deviceId: z.string().min(1).max(100),
  assetId: z.string().min(1).max(512),
  resourceType: z.enum(RESOURCE_TYPES),
  filename: z.string().min(1).max(1024),
  size: z.number().int().nonnegative(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  contentType: z.string().max(200).nullable(),
  captureDate: z.string().max(40).nullable(),
}) satisfies z.ZodType<UploadSpec>;

const resultSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  duplicate: z.boolean(),
  captureDate: z.string().max(40),
  assetId: z.string().nullable(),
});

const resourceSchema = z.strictObject({
  format: z.literal(FORMAT),
  id: z.string().regex(RESOURCE_ID),
  key: z.string().regex(/^[0-9a-f]{40}$/),
  interop: z.custom<InteropVersion>(
    (v) => typeof v === 'number' && isInteropVersion(v),
    'not an interop version this receiver speaks',
  ),
  /** spec.size is the upload's length when known, else the receiver's limit (an upper bound). */
  spec: specSchema,
  length: z.number().int().nonnegative().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Set once the upload is committed. */
  result: resultSchema.nullable(),
});
export type UploadResource = z.infer<typeof resourceSchema>;

export interface NewResource {
  interop: UploadResource['interop'];
  spec: UploadSpec;
  length: number | null;
}

export class ResourceStore {
  private readonly byId = new Map<string, UploadResource>();
  private readonly writes = new KeyedLock();

  private constructor(
    readonly dir: string,
    private readonly staging: StagingArea,
    private readonly maxAgeMs: number,
  ) {}

  /** Loads every resource on disk; unreadable records and open resources whose bytes are gone are dropped. */
  static async open(
    folder: string,
    staging: StagingArea,
    maxAgeMs: number,
    log: (message: string) => void,
  ): Promise<ResourceStore> {
    const store = new ResourceStore(folderLayout(folder).uploads, staging, maxAgeMs);
    await fs.mkdir(store.dir, { recursive: true });
    for (const name of await fs.readdir(store.dir)) {
      const file = path.join(store.dir, name);
      if (!/^[0-9a-f]{32}\.json$/.test(name)) {
        if (name.endsWith('.tmp')) await fs.rm(file, { force: true });
        continue;
      }
      const parsed = resourceSchema.safeParse(
        await fs
          .readFile(file, 'utf8')
          .then(JSON.parse)
          .catch(() => null),
      );
      if (!parsed.success || `${parsed.data.id}.json` !== name) {
        log(`Ignoring an unreadable upload resource record: ${name}.`);
        await fs.rm(file, { force: true });
        continue;
      }
      store.byId.set(parsed.data.id, parsed.data);
    }
    return store;
  }

  /** A fresh resource, not yet saved: save() it before telling anyone its URL. */
  build(fields: NewResource): UploadResource {
    const id = randomBytes(16).toString('hex');
    const now = new Date().toISOString();
    const key = createHash('sha256').update(`photokit-upload\u0000${id}`).digest('hex').slice(0, 40);
    return {
      format: FORMAT,
      id,
      key,
      interop: fields.interop,
      spec: { ...fields.spec },
      length: fields.length,
      createdAt: now,
      updatedAt: now,
      result: null,
    };
  }

  get(id: string): UploadResource | undefined {
    return RESOURCE_ID.test(id) ? this.byId.get(id) : undefined;
  }

  all(): UploadResource[] {
    return [...this.byId.values()];
  }

  /** Durably records the resource (touching updatedAt). */
  save(resource: UploadResource): Promise<void> {
    resource.updatedAt = new Date().toISOString();
    this.byId.set(resource.id, resource);
    const text = JSON.stringify(resource);
    return this.writes.run(resource.id, () =>
      writeFileAtomic(this.file(resource.id), text, { durability: 'durable', mode: 0o600 }).catch((error: unknown) => {
        throw storageError(error, 'saving an upload resource');
      }),
    );
  }

  /** Records the committed outcome and deletes the partial, if any is left (an upload found already stored). */
  async finish(resource: UploadResource, result: CommitResult): Promise<void> {
    const { path: stored, sha256, size, duplicate, captureDate, assetId } = result;
    resource.result = { path: stored, sha256, size, duplicate, captureDate, assetId };
    resource.length = size;
    resource.spec.size = size;
    await this.staging.discard(resource.key);
    await this.save(resource);
  }

  /** Forgets the resource and, unless it was committed, deletes its partial bytes. */
  async remove(resource: UploadResource): Promise<void> {
    this.byId.delete(resource.id);
    await this.writes.run(resource.id, () => fs.rm(this.file(resource.id), { force: true }));
    if (!resource.result) await this.staging.discard(resource.key);
  }

  /** Unfinished resources of one device. */
  openOf(deviceId: string): UploadResource[] {
    return this.all().filter((r) => r.spec.deviceId === deviceId && r.result === null);
  }

  /** When the resource expires (ms since the epoch). */
  expiresAt(resource: UploadResource): number {
    const keep = resource.result ? Math.min(KEEP_FINISHED_MS, this.maxAgeMs) : this.maxAgeMs;
    return Date.parse(resource.updatedAt) + keep;
  }

  /** Bytes of the resource's partial on disk; null when they are gone (swept or discarded). */
  bytesHeld(resource: UploadResource): Promise<number | null> {
    return this.staging.bytesHeld(resource.key);
  }

  /** Removes expired resources and unfinished ones whose bytes are gone; returns how many. */
  async sweep(isBusy: (resource: UploadResource) => boolean, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const resource of this.all()) {
      if (isBusy(resource)) continue;
      const lost = resource.result === null && (await this.bytesHeld(resource)) === null;
      if (lost || now > this.expiresAt(resource)) {
        await this.remove(resource);
        removed += 1;
      }
    }
    return removed;
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}
