/**
 * Library index benchmark: builds a 100,000-resource library through the journal, then compares the
 * bytes written per committed photo with a naive lowdb baseline (JSONFile rewriting the whole file per
 * photo) measured in the same run, and times reopening. Prints ratios; no absolute targets.
 *
 *   npx tsx test/bench/library-index.bench.ts            (LIBRARY_BENCH_N=20000 for a quicker run)
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { nodeDurableFs, type DurableFs } from '../../shared/storage/index.nodejs';
import { LibraryIndex } from '../../electron/receiver/library/library-index';
import type { StoredResource } from '../../electron/receiver/library/types';

export interface LibraryBenchResult {
  resources: number;
  batchSize: number;
  medianBatchMs: number;
  p99BatchMs: number;
  maxBatchMs: number;
  medianSingleAddMs: number;
  journalBytesPerPhoto: number;
  naiveBytesPerPhoto: number;
  bytesRatio: number;
  medianNaivePhotoMs: number;
  reopenAfterCloseMs: number;
  reopenWithJournalMs: number;
  rssMb: number;
}

const BATCH = 50;
const STEADY_PHOTOS = 10_000;
const NAIVE_PHOTOS = 8;

function record(n: number): StoredResource {
  const name = `IMG_${String(n).padStart(6, '0')}.HEIC`;
  const month = String((n % 12) + 1).padStart(2, '0');
  return {
    sha256: createHash('sha256').update(`bench-${n}`).digest('hex'),
    size: 2_000_000 + (n % 997) * 1000,
    path: `2023/2023-${month}/${name}`,
    assetId: `A${String(Math.floor(n / 2)).padStart(8, '0')}-7F3C-4D2B-9E1A-5B6C7D8E9F00/L0/001`,
    resourceType: n % 2 === 0 ? 'photo' : 'pairedVideo',
    deviceId: 'dev-3b8f2c1a9e7d4f60',
    originalFilename: name,
    contentType: n % 2 === 0 ? 'image/heic' : 'video/quicktime',
    captureDate: `2023-${month}-15T10:${String(n % 60).padStart(2, '0')}:00`,
    storedAt: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
  };
}

/** nodeDurableFs counting every byte appended, per file name. */
function countingFs(): DurableFs & { bytes: () => number; reset: () => void } {
  let bytes = 0;
  return {
    ...nodeDurableFs,
    async open(file, flags, mode) {
      const handle = await nodeDurableFs.open(file, flags, mode);
      return {
        ...handle,
        append: async (data) => {
          bytes += data.length;
          await handle.append(data);
        },
      };
    },
    bytes: () => bytes,
    reset: () => {
      bytes = 0;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mb = () => process.memoryUsage().rss / 1024 / 1024;

export async function main(
  options: { resources?: number; log?: (line: string) => void } = {},
): Promise<LibraryBenchResult> {
  const total = options.resources ?? Number(process.env.LIBRARY_BENCH_N ?? 100_000);
  const out = options.log ?? ((line: string) => console.log(line));
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-library-'));
  try {
    const folder = path.join(root, 'backup');
    const fs = countingFs();
    const describeFile = async () => ({ captureDate: '2023-01-01T00:00:00' });
    out(
      `library index benchmark: ${fmt(total)} resources, batches of ${BATCH} ` +
        `concurrent addResource, Node ${process.version}, ${os.cpus().length} CPUs`,
    );

    // 1. Build the library through the journal (group commit, default snapshot policy).
    let index = await LibraryIndex.open({ folder, describeFile, fs });
    const batchMs: number[] = [];
    const buildStart = performance.now();
    for (let start = 0; start < total; start += BATCH) {
      const t = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(BATCH, total - start) }, (_, k) => index.addResource(record(start + k))),
      );
      batchMs.push(performance.now() - t);
    }
    const buildMs = performance.now() - buildStart;
    await index.flush();

    // 2. Steady state at full size: one photo at a time, then bytes per photo including snapshots.
    const singleMs: number[] = [];
    for (let k = 0; k < 300; k += 1) {
      const t = performance.now();
      await index.addResource(record(total + k));
      singleMs.push(performance.now() - t);
    }
    await index.flush();
    fs.reset();
    for (let start = 0; start < STEADY_PHOTOS; start += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, (_, k) => index.addResource(record(total + 300 + start + k))));
    }
    const journalBytesPerPhoto = fs.bytes() / STEADY_PHOTOS; // journal lines + the snapshots they caused
    const snapshotBytes = index.stats().snapshotBytes;
    const snapshotResources = index.totals().resources;
    const rssAfterBuild = mb();

    // 3. Reopen: after a clean close (snapshot only), and after a crash with a nearly full journal.
    const reopenResources = index.totals().resources;
    await index.close();
    let t = performance.now();
    index = await LibraryIndex.open({ folder, describeFile });
    const reopenAfterCloseMs = performance.now() - t;
    const pending = 4_999;
    for (let start = 0; start < pending; start += BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BATCH, pending - start) }, (_, k) =>
          index.addResource(record(total + 300 + STEADY_PHOTOS + start + k)),
        ),
      );
    }
    const crashCopy = path.join(root, 'crash');
    await fsp.mkdir(path.join(crashCopy, '.shoebox', 'index'), { recursive: true });
    for (const name of ['journal.jsonl', 'library.json'])
      await fsp.copyFile(path.join(folder, '.shoebox', 'index', name), path.join(crashCopy, '.shoebox', 'index', name));
    await index.close();
    t = performance.now();
    const crashed = await LibraryIndex.open({ folder: crashCopy, describeFile });
    const reopenWithJournalMs = performance.now() - t;
    const rssMb = mb();
    const resourcesAfter = crashed.totals().resources;
    await crashed.close();

    // 4. Naive baseline in the same run: lowdb JSONFile holding the same records, db.write() per photo.
    const naiveFile = path.join(root, 'naive.json');
    const naive = new Low<{ resources: StoredResource[] }>(new JSONFile(naiveFile), { resources: [] });
    naive.data.resources = Array.from({ length: total }, (_, n) => record(n));
    await naive.write();
    const naiveMs: number[] = [];
    const naiveBytes: number[] = [];
    for (let k = 0; k < NAIVE_PHOTOS; k += 1) {
      naive.data.resources.push(record(total + k));
      const start = performance.now();
      await naive.write();
      naiveMs.push(performance.now() - start);
      naiveBytes.push((await fsp.stat(naiveFile)).size);
    }
    const naiveBytesPerPhoto = median(naiveBytes);

    const result: LibraryBenchResult = {
      resources: total,
      batchSize: BATCH,
      medianBatchMs: median(batchMs),
      p99BatchMs: percentile(batchMs, 0.99),
      maxBatchMs: Math.max(...batchMs),
      medianSingleAddMs: median(singleMs),
      journalBytesPerPhoto,
      naiveBytesPerPhoto,
      bytesRatio: naiveBytesPerPhoto / journalBytesPerPhoto,
      medianNaivePhotoMs: median(naiveMs),
      reopenAfterCloseMs,
      reopenWithJournalMs,
      rssMb,
    };
    out(
      `  build ${fmt(total)} resources:                     ${fmt(buildMs / 1000)} ` +
        `s (${fmt(total / (buildMs / 1000), 0)} adds/s)`,
    );
    out(
      `  median addResource batch (${BATCH} ` +
        `concurrent):       ${fmt(result.medianBatchMs, 3)} ms  (one append + one fdatasync)`,
    );
    out(
      `  p99 / max batch (snapshots run ` +
        `meanwhile):         ${fmt(result.p99BatchMs, 1)} / ${fmt(result.maxBatchMs, 1)} ms`,
    );
    out(`  median single addResource at ${fmt(total)}:          ${fmt(result.medianSingleAddMs, 3)} ms`);
    out(`  last snapshot (${fmt(snapshotResources)} resources):          ${fmt(snapshotBytes / 1e6)} MB`);
    out(
      `  bytes written per photo, journal + snapshots:      ${fmt(journalBytesPerPhoto, 0)} ` +
        `B  (${fmt(STEADY_PHOTOS)} photos added to ${fmt(total + 300)})`,
    );
    out(
      `  bytes written per photo, naive lowdb rewrite:      ${fmt(naiveBytesPerPhoto, 0)} B  (JSONFile at ` +
        `${fmt(total)}, median of ${NAIVE_PHOTOS}, ${fmt(result.medianNaivePhotoMs, 0)} ms each, no fsync)`,
    );
    out(`  ratio naive / journal:                             ${fmt(result.bytesRatio, 0)}x fewer bytes`);
    out(`  reopen ${fmt(reopenResources)} after close (snapshot only): ${fmt(reopenAfterCloseMs, 0)} ms`);
    out(
      `  reopen after a crash, ${fmt(pending)} journal changes: ` +
        `${fmt(reopenWithJournalMs, 0)} ms (${fmt(resourcesAfter)} resources)`,
    );
    out(`  RSS after build: ${fmt(rssAfterBuild, 0)} MB, after reopen: ${fmt(rssMb, 0)} MB`);
    return result;
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
