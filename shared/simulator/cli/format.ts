/** Text the simulator CLI prints: sizes, per-file lines, the final summary. */
import type { UploadResult } from '../client-types';
import type { UploadSummary } from '../upload-all';

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit += 1;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatRate(bytes: number, elapsedMs: number): string {
  const mbPerSecond = elapsedMs > 0 ? bytes / 1e6 / (elapsedMs / 1000) : 0;
  return `${mbPerSecond.toFixed(2)} MB/s`;
}

export function formatResult(result: UploadResult): string {
  const name = `${result.source.filename} (${result.source.resourceType})`;
  const extra = [result.resumes ? `${result.resumes} resumes` : '', result.retries ? `${result.retries} retries` : ''].filter(Boolean).join(', ');
  const suffix = extra ? ` [${extra}]` : '';
  if (result.status === 'failed') return `failed     ${name}: ${result.reason.code}: ${result.reason.message}${suffix}`;
  if (result.duplicate) return `duplicate  ${name}: already stored as ${result.path}${suffix}`;
  return `committed  ${name} -> ${result.path}${suffix}`;
}

export function formatSummary(summary: UploadSummary): string {
  const lines = [
    `Summary: ${summary.files} files, ${formatBytes(summary.bytes)}`,
    `  committed   ${summary.committed} (${formatBytes(summary.committedBytes)})`,
    `  duplicates  ${summary.duplicates}`,
    `  failed      ${summary.failed}`,
  ];
  for (const { source, reason } of summary.failures) lines.push(`    ${source.filename}: ${reason.code}: ${reason.message}`);
  lines.push(`  elapsed     ${(summary.elapsedMs / 1000).toFixed(1)} s, ${formatRate(summary.bytesSent, summary.elapsedMs)} (${formatBytes(summary.bytesSent)} sent)`);
  return lines.join('\n');
}
