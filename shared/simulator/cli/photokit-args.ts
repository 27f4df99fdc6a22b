/** The simulator CLI's PhotoKit options (--mode photokit ...), parsed next to the others in cli/args.ts. */
import { UsageError } from './usage-error';
import { DEFAULT_PROCESS_BUDGET_MS } from '../photokit/extension-host';
import { DEFAULT_IOS, IOS_VERSIONS, isIosVersion, type IosVersion } from '../photokit/ios-surface';
import { DEFAULT_JOB_LIMIT } from '../photokit/job-store';
import type { Outage } from '../photokit/network-conditions';
import {
  DEFAULT_INTEROP_VERSION,
  INTEROP_VERSIONS,
  isInteropVersion,
  type InteropVersion,
} from '../photokit/resumable-fields';

export const PHOTOKIT_OPTIONS = {
  mode: { type: 'string' },
  transport: { type: 'string' },
  locked: { type: 'boolean' },
  'terminate-every': { type: 'string' },
  'job-limit': { type: 'string' },
  interop: { type: 'string' },
  ios: { type: 'string' },
  'process-budget': { type: 'string' },
  'optimized-storage': { type: 'boolean' },
  'receiver-away': { type: 'string' },
  seed: { type: 'string' },
  'job-store': { type: 'string' },
  'timeline-verbose': { type: 'boolean' },
} as const;

const INTEROP_RANGE = `${INTEROP_VERSIONS[0]}-${INTEROP_VERSIONS.at(-1)}`;

export const PHOTOKIT_USAGE = `Mode:
  --mode MODE           files (default): upload each file over the chunk stream, or
                        photokit: simulate iOS PhotoKit background uploads: the extension creates jobs,
                        the simulated system uploads them; prints a timeline of job states and a summary

PhotoKit mode:
  --transport T         photokit-http (default): what iOS sends, the raw bytes as one POST per job,
                        resumed with HEAD/PATCH after a cut; or ws: the chunk-stream protocol
  --locked              phone locked: throttled bandwidth (--limit-rate, default 4m), random
                        suspensions and cut connections
  --terminate-every SEC end the extension (notifyTermination) at random moments, SEC seconds apart on
                        average; it is started again later and picks up from the job store
  --job-limit N         jobLimit: most unacknowledged jobs at once (default ${DEFAULT_JOB_LIMIT})
  --interop N           resumable-upload interop version, ${INTEROP_RANGE}: 3 (iOS 17), 5 (iOS 18.0), 6 (iOS 18.1),
                        ${DEFAULT_INTEROP_VERSION} (default, iOS 26), or 0 for plain uploads that start over after a cut
  --ios V               the PhotoKit API surface: ${IOS_VERSIONS.join(', ')} (default ${DEFAULT_IOS}, the oldest and
                        strictest): responseHeaderFields, error and cancel() from 26.4, fetchJobs(.process)
                        from 26.5, the PHBackgroundResourceUploadJobExtension protocol from 27
  --process-budget SEC  time budget of one process() call; past it the extension is terminated
                        (default ${DEFAULT_PROCESS_BUDGET_MS / 1000})
  --optimized-storage   "Optimize iPhone Storage": every original is in iCloud, so reading one to hash it
                        first downloads it, inside process()
  --receiver-away A+F   the receiver is away (the computer asleep, off the Wi-Fi) from A seconds after the
                        first upload for F seconds; connections fail meanwhile, uploads resume after it.
                        Several as A+F,A+F (photokit-http only)
  --seed N              seed of every random choice (default 1): the same seed, the same run
  --job-store FILE      keep the job store and the extension's container in FILE (JSON, mode 0600),
                        so a later run picks up where this one stopped
  --timeline-verbose    also print requests, 104 answers and suspensions`;

export type PhotoKitTransportName = 'photokit-http' | 'ws';

export interface PhotoKitConfig {
  transport: PhotoKitTransportName;
  locked: boolean;
  /** Mean ms between terminations; undefined: none. */
  terminateEveryMs: number | undefined;
  jobLimit: number;
  interop: InteropVersion | false;
  ios: IosVersion;
  /** Time budget of one process() call, ms. */
  processBudgetMs: number;
  optimizedStorage: boolean;
  /** When the receiver cannot be reached. */
  outages: Outage[];
  seed: number;
  jobStore: string | undefined;
  verbose: boolean;
}

type PhotoKitValues = {
  [K in keyof typeof PHOTOKIT_OPTIONS]?: (typeof PHOTOKIT_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

function wholeNumber(text: string | undefined, what: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}`);
  return Number(text);
}

/** `A+F[,A+F...]` (seconds) as outages. */
export function parseOutages(text: string | undefined): Outage[] {
  if (text === undefined) return [];
  return text.split(',').map((part) => {
    const match = /^(\d+(?:\.\d+)?)\+(\d+(?:\.\d+)?)$/.exec(part.trim());
    const after = Number(match?.[1]);
    const lasts = Number(match?.[2]);
    if (!match || after > 86_400 || !(lasts > 0) || lasts > 86_400)
      throw new UsageError(`--receiver-away is AFTER+FOR in seconds, e.g. 30+120, not "${part}"`);
    return { afterMs: Math.round(after * 1000), forMs: Math.round(lasts * 1000) };
  });
}

/** The mode, and the PhotoKit settings when the mode is photokit. PhotoKit options in files mode are a usage error. */
export function parsePhotoKitArgs(values: PhotoKitValues): {
  mode: 'files' | 'photokit';
  photokit: PhotoKitConfig | undefined;
} {
  const mode = values.mode ?? 'files';
  if (mode !== 'files' && mode !== 'photokit') throw new UsageError(`--mode is files or photokit, not "${mode}"`);
  if (mode === 'files') {
    const extra = (Object.keys(PHOTOKIT_OPTIONS) as Array<keyof PhotoKitValues>).filter(
      (name) => name !== 'mode' && values[name] !== undefined,
    );
    if (extra.length > 0)
      throw new UsageError(
        `${extra.map((name) => `--${name}`).join(', ')} ${extra.length === 1 ? 'needs' : 'need'} --mode photokit`,
      );
    return { mode, photokit: undefined };
  }
  const transport = values.transport ?? 'photokit-http';
  if (transport !== 'photokit-http' && transport !== 'ws')
    throw new UsageError(`--transport is photokit-http or ws, not "${transport}"`);
  let terminateEveryMs: number | undefined;
  if (values['terminate-every'] !== undefined) {
    const seconds = Number(values['terminate-every']);
    if (!/^\d+(\.\d+)?$/.test(values['terminate-every']) || !(seconds >= 0.01) || seconds > 86_400)
      throw new UsageError('--terminate-every is seconds, from 0.01 to 86400');
    terminateEveryMs = Math.round(seconds * 1000);
  }
  const versions = `${INTEROP_VERSIONS.join(', ')}, or 0 for none`;
  if (values.interop !== undefined && !/^\d{1,3}$/.test(values.interop))
    throw new UsageError(`--interop is ${versions}`);
  const interop = values.interop === undefined ? DEFAULT_INTEROP_VERSION : Number(values.interop);
  if (interop !== 0 && !isInteropVersion(interop)) throw new UsageError(`--interop is ${versions}`);
  const ios = values.ios ?? DEFAULT_IOS;
  if (!isIosVersion(ios)) throw new UsageError(`--ios is ${IOS_VERSIONS.join(', ')}, not "${ios}"`);
  let processBudgetMs = DEFAULT_PROCESS_BUDGET_MS;
  if (values['process-budget'] !== undefined) {
    const seconds = Number(values['process-budget']);
    if (!/^\d+(\.\d+)?$/.test(values['process-budget']) || !(seconds >= 0.1) || seconds > 3600)
      throw new UsageError('--process-budget is seconds, from 0.1 to 3600');
    processBudgetMs = Math.round(seconds * 1000);
  }
  if (transport === 'ws' && values.interop !== undefined)
    throw new UsageError('--interop applies to --transport photokit-http only');
  if (transport === 'ws' && values['receiver-away'] !== undefined)
    throw new UsageError('--receiver-away applies to --transport photokit-http only');
  return {
    mode,
    photokit: {
      transport,
      locked: values.locked ?? false,
      terminateEveryMs,
      jobLimit: wholeNumber(values['job-limit'], '--job-limit', 1, 100_000) ?? DEFAULT_JOB_LIMIT,
      interop: interop === 0 ? false : interop,
      ios,
      processBudgetMs,
      optimizedStorage: values['optimized-storage'] ?? false,
      outages: parseOutages(values['receiver-away']),
      seed: wholeNumber(values.seed, '--seed', 0, 2 ** 32 - 1) ?? 1,
      jobStore: values['job-store'],
      verbose: values['timeline-verbose'] ?? false,
    },
  };
}
