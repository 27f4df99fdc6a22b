/** Command-line options of the simulator (node:util parseArgs). */
import { parseArgs } from 'node:util';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  parseConnectionArgs,
  type ConnectionConfig,
} from './connection-args.nodejs';
import { UsageError } from './usage-error';
import { PHOTOKIT_OPTIONS, PHOTOKIT_USAGE, parsePhotoKitArgs, type PhotoKitConfig } from './photokit-args';

export const USAGE = `Usage: npm run simulate -- --pair-url 'shoebox://pair?...' [options] [DIR...]
       npm run simulate -- [--receiver NAME] [options] DIR...
       npm run simulate -- --host H --port P [--fp PIN] (--code NNNNNN | --token T) [options] DIR...
       npm run simulate -- --discover --interface ADDR

Uploads the photos and videos under DIR... to a Shoebox receiver like the iPhone extension would.

${CONNECTION_USAGE}

Device:
  --device-name N       name shown on the receiver when pairing (default "Shoebox simulator")
  --device-id ID        stable device id sent when pairing (default derived from the host name)

Upload:
  --concurrency N       files uploading at once (default 4)
  --chunk-size SIZE     bytes per chunk, e.g. 256k, 1m (default 1m, capped by the receiver)
  --limit-rate RATE     bandwidth limit in bytes/s, e.g. 500k, 2m (default none)
  --drop-every N        drop the connection after every N chunks, to show resume
  --max-retries N       retries of a file after retryable errors (default 5)

${PHOTOKIT_USAGE}

  -h, --help            show this help

Sizes use binary units: 1k = 1024 bytes, 1m = 1024k, 1g = 1024m.
Exit status: 0 when every file is stored, 1 when some failed (or pairing, trust or discovery failed,
or --discover found nothing), 2 on usage errors.`;

export interface SimulatorConfig extends ConnectionConfig {
  /** files: upload each file over the chunk stream; photokit: simulate PhotoKit background upload jobs. */
  mode: 'files' | 'photokit';
  /** The PhotoKit settings (--mode photokit). */
  photokit: PhotoKitConfig | undefined;
  deviceName: string;
  deviceId: string | undefined;
  concurrency: number;
  chunkBytes: number | undefined;
  bytesPerSecond: number | undefined;
  dropEvery: number | undefined;
  maxRetries: number | undefined;
  dirs: string[];
}

export type ParsedArgs =
  { kind: 'help' } | { kind: 'run'; config: SimulatorConfig } | { kind: 'error'; message: string };

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...PHOTOKIT_OPTIONS,
  'device-name': { type: 'string' },
  'device-id': { type: 'string' },
  concurrency: { type: 'string' },
  'chunk-size': { type: 'string' },
  'limit-rate': { type: 'string' },
  'drop-every': { type: 'string' },
  'max-retries': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** "256k" -> 262144; accepts an optional b/ib and, for rates, "/s". */
export function parseSize(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${what}: "${text}" is not a size (use e.g. 512k, 2m)`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Math.floor(Number(match[1]) * scale);
  if (!(bytes > 0)) throw new UsageError(`${what} must be more than 0`);
  return bytes;
}

function parseCount(
  text: string | undefined,
  what: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}`);
  return Number(text);
}

export function parseSimulatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help) return { kind: 'help' };
    const connection = parseConnectionArgs(values, positionals.length, env);
    const config: SimulatorConfig = {
      ...parsePhotoKitArgs(values),
      ...connection,
      deviceName: values['device-name'] ?? 'Shoebox simulator',
      deviceId: values['device-id'],
      concurrency: parseCount(values.concurrency, '--concurrency', 1, 1000) ?? 4,
      chunkBytes: values['chunk-size'] === undefined ? undefined : parseSize(values['chunk-size'], '--chunk-size'),
      bytesPerSecond: values['limit-rate'] === undefined ? undefined : parseSize(values['limit-rate'], '--limit-rate'),
      dropEvery: parseCount(values['drop-every'], '--drop-every', 1),
      maxRetries: parseCount(values['max-retries'], '--max-retries', 0, 100),
      dirs: positionals,
    };
    return { kind: 'run', config };
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'error', message: error.message };
    // parseArgs' own errors (unknown option, missing value) carry a readable message.
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      return { kind: 'error', message: error.message };
    throw error;
  }
}
