/**
 * Files from a drop (folders included, walked recursively) or a file picker, keeping only photos and
 * videos. Entries must be taken from the DataTransfer synchronously, inside the drop handler.
 */
import { mediaTypeOf } from '$shared/simulator/media-types';

export function entriesOf(data: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  const files: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) files.push(file);
    }
  }
  if (entries.length === 0 && files.length === 0) files.push(...Array.from(data.files));
  return { entries, files };
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(out);
        out.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: File[], depth = 0): Promise<void> {
  if (depth > 32) return;
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader()))
      await walk(child, out, depth + 1);
  }
}

/** Photos and videos among the dropped entries and files, sorted by name. */
export async function mediaFiles(dropped: {
  entries: FileSystemEntry[];
  files: File[];
}): Promise<{ media: File[]; skipped: number }> {
  const all = [...dropped.files];
  for (const entry of dropped.entries) await walk(entry, all);
  const media = all.filter((f) => !f.name.startsWith('.') && mediaTypeOf(f.name) !== undefined);
  media.sort((a, b) => a.name.localeCompare(b.name));
  return { media, skipped: all.length - media.length };
}
