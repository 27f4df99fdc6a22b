/**
 * The receiver's housekeeping: the sweep of stale unfinished uploads from staging, and the check of
 * the backup folder against the library index (files deleted or replaced by hand are forgotten, a
 * `pruned` report). Both run at start and then on one timer (hourly by default), one after the other,
 * never two at once.
 */
import type { IngestService } from './ingest/ingest-service';
import type { StagingArea } from './ingest/staging-area';
import type { LibraryIndex } from './library/library-index';
import { pruneMissingFiles } from './library/prune-missing';
import type { StoredResource } from './library/types';

export interface MaintenanceOptions {
  folder: string;
  staging: StagingArea;
  index: LibraryIndex;
  /** Unfinished uploads someone holds right now are never swept. */
  ingest: Pick<IngestService, 'isActive'>;
  staleUploadAgeMs: number;
  /** Check the folder against the index at all (default on). */
  pruneMissing?: boolean;
  everyMs?: number;
  log: (message: string) => void;
  /** Files found deleted from the folder by hand, now gone from the index. */
  onPruned(removed: StoredResource[]): void;
}

export interface Maintenance {
  /** Removes unfinished uploads untouched for `staleUploadAgeMs` (and their index records). */
  sweep(): Promise<void>;
  /** Starts a folder check now (the start-up check); resolves with what it forgot (never rejects). */
  checkFolderNow(): Promise<StoredResource[]>;
  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): void;
  /** Stops the timer and aborts a folder check in progress. */
  stop(): void;
  /** Resolves when the last sweep or check has ended (after stop(), nothing new starts). */
  idle(): Promise<void>;
}

/** The housekeeping of one receiver; the receiver sweeps once, then start()s the timer, before it listens. */
export function createMaintenance(options: MaintenanceOptions): Maintenance {
  const { folder, staging, index, ingest, staleUploadAgeMs, log } = options;
  const sweep = async () => {
    const { removed } = await staging.removeStale(staleUploadAgeMs, (key) => ingest.isActive(key));
    if (removed > 0)
      log(`Removed ${removed} unfinished upload(s) untouched for ${Math.round(staleUploadAgeMs / 86_400_000)} days.`);
  };
  // The folder against the index: at start, then with every sweep (files deleted by hand while running).
  const abort = new AbortController();
  const checkFolder = (): Promise<StoredResource[]> =>
    (options.pruneMissing ?? true)
      ? pruneMissingFiles(index, folder, { log, signal: abort.signal }).then(
          ({ removed }) => {
            if (removed.length > 0) options.onPruned(removed);
            return removed;
          },
          (error: Error) => {
            log(`Checking the backup folder against the library failed: ${error.message}`);
            return [];
          },
        )
      : Promise.resolve([]);
  let last: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return {
    sweep,
    start: () => {
      timer ??= setInterval(
        () => {
          last = last
            .then(() => sweep().catch((e: Error) => log(`Cleaning staging failed: ${e.message}`)))
            .then(() => (abort.signal.aborted ? undefined : checkFolder()));
        },
        options.everyMs ?? 60 * 60_000,
      );
      timer.unref();
    },
    checkFolderNow: () => {
      const check = checkFolder();
      last = last.then(() => check);
      return check;
    },
    stop: () => {
      clearInterval(timer);
      abort.abort();
    },
    idle: async () => {
      await last;
    },
  };
}
