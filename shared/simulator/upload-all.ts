/**
 * Runs many uploads through one client with a concurrency limit and sums them up. Node and browser.
 * Items are sources, or entries whose source is opened (hashed, say) only when their turn comes.
 */
import type { ChunkStreamClient } from './chunk-stream-client';
import { failureOf, type FailureReason } from './client-errors';
import type { UploadResult } from './client-types';
import { sourceInfo, type SourceInfo, type UploadSource } from './upload-source';

/** A source described up front and opened lazily. */
export interface SourceEntry {
  info: SourceInfo;
  open(): Promise<UploadSource>;
}

export type UploadItem = UploadSource | SourceEntry;

export interface UploadSummary {
  files: number;
  /** Sum of the sizes of all files. */
  bytes: number;
  /** Newly stored on the receiver (duplicates not included). */
  committed: number;
  committedBytes: number;
  /** Already stored: the receiver kept no second copy. */
  duplicates: number;
  failed: number;
  failures: Array<{ source: SourceInfo; reason: FailureReason }>;
  /** Payload bytes put on the wire, resends included. */
  bytesSent: number;
  elapsedMs: number;
  /** One per item, in the items' order. */
  results: UploadResult[];
}

export interface UploadAllOptions {
  /** Uploads running at once; default 4. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called as each item finishes (also for items whose source could not be opened). */
  onResult?: (result: UploadResult) => void;
}

function isEntry(item: UploadItem): item is SourceEntry {
  return typeof (item as SourceEntry).open === 'function' && 'info' in item;
}

export function infoOf(item: UploadItem): SourceInfo {
  return isEntry(item) ? item.info : sourceInfo(item);
}

export async function uploadAll(
  client: ChunkStreamClient,
  items: readonly UploadItem[],
  options: UploadAllOptions = {},
): Promise<UploadSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const started = performance.now();
  const sentBefore = client.stats.bytesSent;
  const results: UploadResult[] = new Array<UploadResult>(items.length);
  let next = 0;

  const runOne = async (index: number): Promise<UploadResult> => {
    const item = items[index]!;
    let source: UploadSource;
    try {
      source = isEntry(item) ? await item.open() : item;
    } catch (error) {
      return {
        key: 0,
        source: infoOf(item),
        retries: 0,
        resumes: 0,
        status: 'failed',
        reason: failureOf(error, 'SOURCE_READ_FAILED'),
      };
    }
    try {
      return await client.upload(source, options.signal ? { signal: options.signal } : {});
    } finally {
      await source.close?.().catch(() => undefined);
    }
  };

  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const result = await runOne(index);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return summarize(results, items.map(infoOf), client.stats.bytesSent - sentBefore, performance.now() - started);
}

export function summarize(
  results: UploadResult[],
  infos: SourceInfo[],
  bytesSent: number,
  elapsedMs: number,
): UploadSummary {
  const summary: UploadSummary = {
    files: infos.length,
    bytes: infos.reduce((sum, info) => sum + info.size, 0),
    committed: 0,
    committedBytes: 0,
    duplicates: 0,
    failed: 0,
    failures: [],
    bytesSent,
    elapsedMs,
    results,
  };
  for (const result of results) {
    if (result.status === 'failed') {
      summary.failed += 1;
      summary.failures.push({ source: result.source, reason: result.reason });
    } else if (result.duplicate) {
      summary.duplicates += 1;
    } else {
      summary.committed += 1;
      summary.committedBytes += result.size;
    }
  }
  return summary;
}
