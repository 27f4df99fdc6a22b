/** The timeline and the summary as text (the CLI prints these). Node and browser. */
import { formatBytes } from '../../format';
import type { SourceInfo } from '../upload-source';
import type { PhotoKitSummary } from './simulation';
import type { TimelineEvent } from './timeline';

export interface TimelineFormatOptions {
  /** Also print suspensions, requests and 104s (default: job states, extension life, cuts and resumptions). */
  verbose?: boolean;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`.padStart(8);
}

function name(resource: SourceInfo): string {
  return `${resource.filename} (${resource.resourceType})`;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK, already stored', 201: 'Created' };

/** One line for an event, or undefined for events not shown at this verbosity. */
export function formatTimelineEvent(event: TimelineEvent, options: TimelineFormatOptions = {}): string | undefined {
  const at = seconds(event.at);
  if (event.type === 'extension') {
    const who = `extension #${event.launch}`.padEnd(14);
    if (event.what === 'launched') return `${at}  ${who}launched`;
    if (event.what === 'terminated')
      return `${at}  ${who}terminated (${event.via ?? 'notifyTermination'}): ${event.message ?? ''}`.trimEnd();
    if (event.what === 'process')
      return options.verbose || event.result === 'failure' ? `${at}  ${who}process() -> ${event.result}` : undefined;
    if (event.what === 'limitExceeded' || event.what === 'missingResource')
      return `${at}  ${who}${event.what}: ${event.message ?? ''}`;
    if (event.what === 'backoff' || event.what === 'deprecated') return `${at}  ${who}${event.message ?? ''}`;
    return `${at}  ${who}${event.message ?? ''}`;
  }
  const who = event.jobId.padEnd(14);
  if (event.type === 'job') {
    if (event.change === 'acknowledged') return `${at}  ${who}acknowledged  ${name(event.resource)}`;
    if (event.change === 'retried') return `${at}  ${who}retry         ${name(event.resource)}`;
    if (event.change === 'transfer') return undefined;
    let detail = '';
    if (event.state === 'succeeded')
      detail = ` ${event.status ?? ''} ${STATUS_TEXT[event.status ?? 0] ?? ''}${event.path ? ` -> ${event.path}` : ''}`;
    if (event.state === 'failed' && event.error)
      detail = ` ${event.error.status ?? ''} ${event.error.code}: ${event.error.message}`;
    return `${at}  ${who}${event.state.padEnd(14)}${name(event.resource)}${detail.replace(/\s+/g, ' ').trimEnd()}`;
  }
  switch (event.what) {
    case 'cut':
      return `${at}  ${who}connection cut after ${formatBytes(event.offset ?? 0)} of ${name(event.resource)}`;
    case 'offset':
      return `${at}  ${who}resuming at ${formatBytes(event.offset ?? 0)}${event.message ? ` (${event.message})` : ''}`;
    case 'restart':
      return `${at}  ${who}starting over: ${event.message ?? ''}`;
    case 'network-error':
      return `${at}  ${who}network error, retrying in ${event.ms ?? 0} ms: ${event.message ?? ''}`;
    case 'pause':
      return options.verbose
        ? `${at}  ${who}suspended for ${event.ms ?? 0} ms at ${formatBytes(event.offset ?? 0)}`
        : undefined;
    case 'resumable':
      return options.verbose ? `${at}  ${who}104 Upload Resumption Supported: ${event.location ?? ''}` : undefined;
    case 'request':
      return options.verbose ? `${at}  ${who}${event.method ?? ''} from ${formatBytes(event.offset ?? 0)}` : undefined;
  }
}

export function formatPhotoKitSummary(summary: PhotoKitSummary): string {
  const s = summary.stats;
  const lines = [
    `PhotoKit summary (${summary.transport}): ${summary.resources} resources, ${formatBytes(summary.bytes)}`,
    `  succeeded   ${summary.succeeded} (201 stored ${summary.stored}, 200 already stored ${summary.alreadyStored})`,
    `  failed      ${summary.failed}`,
  ];
  if (summary.unfinished > 0) lines.push(`  unfinished  ${summary.unfinished}`);
  for (const outcome of summary.outcomes) {
    if (outcome.state === 'failed')
      lines.push(`    ${name(outcome.resource)}: ${outcome.error?.code ?? ''}: ${outcome.error?.message ?? ''}`);
    else if (outcome.state !== 'succeeded') lines.push(`    ${name(outcome.resource)}: ${outcome.state}`);
  }
  lines.push(
    `  jobs        ${summary.jobsCreated} created (${summary.recreated} re-created), ${summary.retried} retried, ` +
      `${summary.cancelled} cancelled, limitExceeded ${s.limitExceeded}x`,
    `  extension   ${s.launches} launches, ${s.terminations} terminations ` +
      `(${s.budgetTerminations} past the process() budget), process() ${s.processCalls}x, ` +
      `${s.unacknowledgedBackoffs} back-offs (error 50008)`,
    `  network     ${s.cuts} cuts, ${s.resumes} resumed (HEAD), ${s.restarts} restarts, ${s.pauses} suspensions, ` +
      `${s.networkErrors} network errors`,
    `  elapsed     ${(s.elapsedMs / 1000).toFixed(1)} s${s.stoppedBecause ? ` (stopped: ${s.stoppedBecause})` : ''}`,
  );
  return lines.join('\n');
}
