/**
 * Text the simulator CLI prints: rates, per-file lines, the final summary. Sizes read as everywhere
 * (shared/format.ts).
 */
import type { UploadResult } from '../client-types';
import type { UploadSummary } from '../upload-all';
import { formatBytes } from '../../format';

export function formatRate(bytes: number, elapsedMs: number): string {
  const mbPerSecond = elapsedMs > 0 ? bytes / 1e6 / (elapsedMs / 1000) : 0;
  return `${mbPerSecond.toFixed(2)} MB/s`;
}

export function formatResult(result: UploadResult): string {
  const name = `${result.source.filename} (${result.source.resourceType})`;
  const extra = [result.resumes ? `${result.resumes} resumes` : '', result.retries ? `${result.retries} retries` : '']
    .filter(Boolean)
    .join(', ');
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
  for (const { source, reason } of summary.failures)
    lines.push(`    ${source.filename}: ${reason.code}: ${reason.message}`);
  lines.push(
    `  elapsed     ${(summary.elapsedMs / 1000).toFixed(1)} s, ` +
      `${formatRate(summary.bytesSent, summary.elapsedMs)} (${formatBytes(summary.bytesSent)} sent)`,
  );
  return lines.join('\n');
}
