/**
 * The backup folder's hidden area, `<folder>/.shoebox/`, defined once: every module that reads or
 * writes below it takes its path from here.
 *
 * ```
 * <folder>/.shoebox/
 *   staging/      <key>.part + <key>.json per unfinished upload (ingest/staging-area.ts)
 *   uploads/      <id>.json per PhotoKit upload resource (photokit/upload-resources.ts)
 *   index/        library.json + journal.jsonl (library/load-index.ts)
 *   thumbnails/   <ab>/<sha256>.webp, or .none when there is no preview (thumbnails/)
 *   receiver.lock one receiver per folder (folder-locks.ts)
 * ```
 */
import path from 'node:path';

export const HIDDEN_DIR = '.shoebox';

export interface FolderLayout {
  /** `<folder>/.shoebox` */
  hidden: string;
  staging: string;
  uploads: string;
  index: string;
  thumbnails: string;
  lockFile: string;
}

/** The paths of the hidden area of the backup folder `folder` (joined as given: pass it absolute). */
export function folderLayout(folder: string): FolderLayout {
  const hidden = path.join(folder, HIDDEN_DIR);
  return {
    hidden,
    staging: path.join(hidden, 'staging'),
    uploads: path.join(hidden, 'uploads'),
    index: path.join(hidden, 'index'),
    thumbnails: path.join(hidden, 'thumbnails'),
    lockFile: path.join(hidden, 'receiver.lock'),
  };
}
