/**
 * Ingest benchmark: uploads files over the WebSocket chunk protocol to a receiver running in its own
 * process, against a baseline measured in the same run: writing the same bytes straight to disk with
 * the minimum a durable store needs (write, SHA-256, fsync). Prints medians, the time ratio and the
 * receiver's peak memory next to its idle memory.
 *
 *   npx tsx test/bench/ingest.bench.ts        (INGEST_BENCH_MB=64 per file, INGEST_BENCH_FILES=6, INGEST_BENCH_RUNS=3)
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChunkStreamClient } from '../../shared/simulator/chunk-stream-client';
import { memorySource } from '../../shared/simulator/memory-source';
import { pair } from '../../shared/simulator/pair';
import { uploadAll } from '../../shared/simulator/upload-all';
import { NodeWebSocket } from '../../shared/simulator/websocket.nodejs';
import { loopbackReceiverArgs, spawnReceiver } from '../helpers/receiver-process';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Resident memory in MB of a process and its children (tsx runs
 * the receiver in a child node): current and peak (Linux /proc).
 */
function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    const own = { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    return children.reduce((sum, child) => {
      const m = memoryOf(child);
      return m ? { rssMb: sum.rssMb + m.rssMb, peakMb: sum.peakMb + m.peakMb } : sum;
    }, own);
  } catch {
    return undefined;
  }
}

async function baseline(dir: string, files: Uint8Array[]): Promise<number> {
  const started = performance.now();
  for (const [i, bytes] of files.entries()) {
    const handle = await fs.open(path.join(dir, `baseline-${i}.bin`), 'w');
    createHash('sha256').update(bytes).digest('hex');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
  }
  return performance.now() - started;
}

export async function main(
  log: (line: string) => void = console.log,
): Promise<{ ratio: number; peakOverIdle: number | undefined }> {
  const fileMb = Number(process.env.INGEST_BENCH_MB ?? 64);
  const fileCount = Number(process.env.INGEST_BENCH_FILES ?? 6);
  const runs = Number(process.env.INGEST_BENCH_RUNS ?? 3);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-ingest-bench-'));
  const proc = await spawnReceiver(loopbackReceiverArgs(root));
  try {
    const idle = memoryOf(proc.child.pid!);
    const port = Number(new URL(proc.url).port);
    const { token } = await pair({ baseUrl: proc.url, code: proc.pairingCode, deviceName: 'bench', deviceId: 'bench' });
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const files = Array.from({ length: fileCount }, () => randomBytes(fileMb * 1024 * 1024));
      const baseDir = await fs.mkdtemp(path.join(root, 'baseline-'));
      theirs.push(await baseline(baseDir, files));
      await fs.rm(baseDir, { recursive: true, force: true });
      const sources = await Promise.all(
        files.map((bytes, i) =>
          memorySource({
            assetId: `BENCH-${run}-${i}/L0/001`,
            filename: `bench-${run}-${i}.mov`,
            resourceType: 'video',
            bytes,
          }),
        ),
      );
      const client = new ChunkStreamClient({
        url: `ws://127.0.0.1:${port}/v1/stream`,
        token,
        WebSocket: NodeWebSocket,
      });
      const started = performance.now();
      const summary = await uploadAll(client, sources, { concurrency: 2 });
      ours.push(performance.now() - started);
      void client.close();
      if (summary.failed > 0) throw new Error(`bench uploads failed: ${JSON.stringify(summary.failures)}`);
    }
    const peak = memoryOf(proc.child.pid!);
    const totalMb = fileMb * fileCount;
    const ratio = median(ours) / median(theirs);
    log(`ingest: ${fileCount} files x ${fileMb} MiB per run, ${runs} runs, 2 uploads at once over loopback`);
    log(
      `  baseline (write + sha256 + fsync):  median ${median(theirs).toFixed(0)} ` +
        `ms  (${(totalMb / (median(theirs) / 1000)).toFixed(0)} MiB/s)`,
    );
    log(
      `  shoebox (ws upload, staged, fsynced, committed): median ${median(ours).toFixed(0)} ` +
        `ms  (${(totalMb / (median(ours) / 1000)).toFixed(0)} MiB/s)`,
    );
    log(`  ratio shoebox / baseline: ${ratio.toFixed(2)}x`);
    const peakOverIdle = idle && peak ? peak.peakMb / idle.rssMb : undefined;
    if (idle && peak)
      log(
        `  receiver memory: idle ${idle.rssMb.toFixed(0)} MB, peak ${peak.peakMb.toFixed(0)} ` +
          `MB (${peakOverIdle!.toFixed(2)}x idle) while ${totalMb * runs} MiB passed through`,
      );
    else log('  receiver memory: not measurable on this OS (/proc missing)');
    return { ratio, peakOverIdle };
  } finally {
    await proc.kill('SIGTERM');
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
