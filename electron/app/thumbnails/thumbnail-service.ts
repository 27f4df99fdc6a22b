/**
 * Thumbnails of stored files, cached as `<folder>/.shoebox/thumbnails/<ab>/<sha256>.webp` (content
 * addressed: the same bytes share one thumbnail). Made in the background after each commit and on
 * demand when the window asks; a file that cannot be previewed gets a marker so it is not retried.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../shared/storage/index.nodejs';
import { folderLayout } from '../../receiver/util/folder-layout';
import type { LibraryIndex } from '../../receiver/library/library-index';
import { HeicDecoder } from './heic-decoder';
import { findFfmpeg, renderThumbnail, sourceKind, type Rendered, type ThumbnailSource } from './render';
import { ThumbnailQueue } from './thumbnail-queue';

export const THUMBNAIL_SIZE = 320;
const SHA = /^[0-9a-f]{64}$/;
/** A lost thumbnail is made again: atomic (never half a picture), not fsynced. */
const CACHE_WRITE = { durability: 'atomic', mode: 0o644 } as const;

export type ThumbnailAnswer =
  | { type: 'file'; path: string }
  /** No picture: a video without ffmpeg, a file that would not decode, a type with no preview. */
  | { type: 'placeholder'; kind: ThumbnailSource; reason: string };

export interface ThumbnailServiceOptions {
  folder: string;
  index: Pick<LibraryIndex, 'getBySha'>;
  size?: number;
  quality?: number;
  /** ffmpeg's path, null for none; found on PATH when undefined. */
  ffmpeg?: string | null;
  log?: (message: string) => void;
  /** Pause between background jobs (ms). */
  pauseMs?: number;
}

export class ThumbnailService {
  readonly cacheDir: string;
  private readonly heic = new HeicDecoder();
  private readonly closing = new AbortController();
  private readonly queue: ThumbnailQueue;
  private readonly size: number;
  private readonly log: (message: string) => void;
  /** Made (or failed) in this process: how many, for tests and logs. */
  readonly stats = { made: 0, failed: 0, fromHeicThumbnail: 0 };

  constructor(private readonly options: ThumbnailServiceOptions) {
    this.cacheDir = folderLayout(options.folder).thumbnails;
    this.size = options.size ?? THUMBNAIL_SIZE;
    this.log = options.log ?? (() => undefined);
    this.queue = new ThumbnailQueue((sha) => this.make(sha), options.pauseMs ?? 25);
  }

  webpPath(sha256: string): string {
    return path.join(this.cacheDir, sha256.slice(0, 2), `${sha256}.webp`);
  }

  private markerPath(sha256: string): string {
    return path.join(this.cacheDir, sha256.slice(0, 2), `${sha256}.none`);
  }

  /** Queues a background thumbnail for a newly stored file (call from 'committed'; returns at once). */
  schedule(sha256: string): void {
    if (SHA.test(sha256))
      void this.queue
        .enqueue(sha256, 'background')
        .catch((error: Error) => this.log(`Thumbnail of ${sha256.slice(0, 12)}: ${error.message}`));
  }

  /** The thumbnail of a stored file, made now if needed; null when no stored file has these bytes. */
  async get(sha256: string): Promise<ThumbnailAnswer | null> {
    if (!SHA.test(sha256)) return null;
    const resource = this.options.index.getBySha(sha256);
    if (!resource) return null;
    const cached = await this.lookup(sha256);
    if (cached) return cached;
    await this.queue.enqueue(sha256, 'now').catch(() => undefined);
    return (
      (await this.lookup(sha256)) ?? {
        type: 'placeholder',
        kind: sourceKind(resource.path, resource.contentType),
        reason: 'no preview',
      }
    );
  }

  private async lookup(sha256: string): Promise<ThumbnailAnswer | null> {
    const file = this.webpPath(sha256);
    if (await exists(file)) return { type: 'file', path: file };
    const marker = await fs.readFile(this.markerPath(sha256), 'utf8').catch(() => null);
    if (marker !== null) {
      const [kind = 'other', ...reason] = marker.split('\n');
      return { type: 'placeholder', kind: kind as ThumbnailSource, reason: reason.join(' ') };
    }
    return null;
  }

  private async make(sha256: string): Promise<void> {
    if (await this.lookup(sha256)) return;
    const resource = this.options.index.getBySha(sha256);
    if (!resource) return;
    const absPath = path.join(this.options.folder, resource.path);
    const kind = sourceKind(resource.path, resource.contentType);
    const ffmpeg = this.options.ffmpeg !== undefined ? this.options.ffmpeg : await findFfmpeg();
    await fs.mkdir(path.dirname(this.webpPath(sha256)), { recursive: true });
    let rendered: Rendered | null;
    try {
      rendered = await renderThumbnail(absPath, kind, {
        size: this.size,
        quality: this.options.quality ?? 78,
        heic: this.heic,
        ffmpeg,
        signal: this.closing.signal,
      });
    } catch (error) {
      // Closing, or the file system said no (gone, too many open files): try again another time.
      if (this.closing.signal.aborted || typeof (error as NodeJS.ErrnoException).code === 'string') return;
      this.stats.failed += 1;
      const reason = (error as Error).message.split('\n')[0] ?? 'unreadable';
      this.log(`No thumbnail for ${resource.path}: ${reason}`);
      await writeFileAtomic(this.markerPath(sha256), `${kind}\n${reason}`, CACHE_WRITE);
      return;
    }
    if (rendered === null) return; // placeholder, not cached: ffmpeg may be installed later
    await writeFileAtomic(this.webpPath(sha256), rendered.webp, CACHE_WRITE);
    this.stats.made += 1;
    if (rendered.via === 'heic-thumbnail') this.stats.fromHeicThumbnail += 1;
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.queue.size;
  }

  /** Stops: waiting jobs are dropped, a running one is ended (ffmpeg killed, HEIC decoding stopped) and awaited. */
  async close(): Promise<void> {
    this.closing.abort();
    const running = this.queue.close();
    await this.heic.close();
    await running;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
