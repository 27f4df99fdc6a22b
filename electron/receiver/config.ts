/**
 * Receiver configuration: defaults for a desktop, overridden by environment variables, overridden by
 * command-line flags. Pure functions, so the CLI and the Electron shell share them.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../shared/protocol';

export interface ReceiverConfig {
  /** The backup folder: photos land here, sorted by date. */
  folder: string;
  /** Private state: identity, paired devices, TLS keys. */
  dataDir: string;
  /** Address to listen on ('0.0.0.0' = every interface, '127.0.0.1' = this computer only). */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** The name shown to phones; defaults to the computer's name. */
  name: string | undefined;
  bonjour: boolean;
  /** Advertise on this interface address (default: the listening address, or the first LAN address). */
  advertiseOn: string | undefined;
  /** HTTPS and WSS with the receiver's own certificate authority; off only when the user says so. */
  tls: boolean;
  maxUploadBytes: number;
  /** Mid-upload silence after which a connection is closed (uploads stay resumable). */
  idleTimeoutMs: number;
  /** Unfinished uploads untouched for this long are deleted from staging. */
  staleUploadAgeMs: number;
  /** Space always left free on the backup disk. */
  minFreeBytes: number;
}

export const DEFAULT_PORT = 47120;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Where an app keeps its private data on this OS. */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Shoebox');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Shoebox');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'shoebox');
}

export function defaultConfig(env = process.env): ReceiverConfig {
  return {
    folder: path.join(os.homedir(), 'Pictures', 'Shoebox'),
    dataDir: defaultDataDir(process.platform, env),
    host: '0.0.0.0',
    port: DEFAULT_PORT,
    name: undefined,
    bonjour: true,
    advertiseOn: undefined,
    tls: true,
    maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
    idleTimeoutMs: 60_000,
    staleUploadAgeMs: 7 * DAY_MS,
    minFreeBytes: 256 * 1024 * 1024,
  };
}

export class ConfigError extends Error {}

/** Parses sizes like "50GB", "512m", "1048576". */
export function parseBytes(value: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i.exec(value.trim());
  if (!match) throw new ConfigError(`${what}: "${value}" is not a size (examples: 50GB, 512MB, 1048576).`);
  const unit = (match[2] ?? '').toLowerCase().replace(/b$/, '');
  const scale: Record<string, number> = {
    '': 1,
    k: 1e3,
    m: 1e6,
    g: 1e9,
    t: 1e12,
    ki: 1024,
    mi: 1024 ** 2,
    gi: 1024 ** 3,
    ti: 1024 ** 4,
  };
  const factor = scale[unit];
  if (factor === undefined) throw new ConfigError(`${what}: unknown unit in "${value}".`);
  return Math.round(Number(match[1]) * factor);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port: "${value}" is not a port number (0-65535).`);
  return port;
}

function parsePositive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${what}: "${value}" must be a positive number.`);
  return n;
}

export const SERVE_USAGE = `Usage: shoebox serve [options]

  --folder DIR          backup folder (env SHOEBOX_FOLDER; default ~/Pictures/Shoebox)
  --data-dir DIR        private data: identity, paired devices (env SHOEBOX_DATA_DIR)
  --bind ADDR           address to listen on (env SHOEBOX_BIND; default 0.0.0.0, all interfaces)
  --port N              TCP port, 0 for any free one (env SHOEBOX_PORT; default ${DEFAULT_PORT})
  --name NAME           name shown to phones (env SHOEBOX_NAME; default this computer's name)
  --no-bonjour          do not advertise on the network (env SHOEBOX_NO_BONJOUR=1)
  --advertise-on ADDR   advertise on the interface with this address (env SHOEBOX_ADVERTISE_ON)
  --no-tls              plain HTTP and WS instead of HTTPS and WSS (env SHOEBOX_NO_TLS=1); see README
  --max-upload SIZE     largest file accepted (env SHOEBOX_MAX_UPLOAD; default 50GB)
  --idle-timeout SEC    close a connection silent this long mid-upload (default 60)
  --stale-days DAYS     delete unfinished uploads untouched this long (default 7)
  --min-free SIZE       space always left free on the backup disk (default 256MB)
  -h, --help            this help`;

/** Builds the configuration from flags (argv without the command) and environment. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ReceiverConfig | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        folder: { type: 'string' },
        'data-dir': { type: 'string' },
        bind: { type: 'string' },
        port: { type: 'string' },
        name: { type: 'string' },
        'no-bonjour': { type: 'boolean' },
        'advertise-on': { type: 'string' },
        'no-tls': { type: 'boolean' },
        'max-upload': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'stale-days': { type: 'string' },
        'min-free': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const config = defaultConfig(env);
  const pick = (flag: string | undefined, envName: string): string | undefined => flag ?? (env[envName] || undefined);
  const folder = pick(v.folder, 'SHOEBOX_FOLDER');
  if (folder) config.folder = path.resolve(folder);
  const dataDir = pick(v['data-dir'], 'SHOEBOX_DATA_DIR');
  if (dataDir) config.dataDir = path.resolve(dataDir);
  config.host = pick(v.bind, 'SHOEBOX_BIND') ?? config.host;
  const port = pick(v.port, 'SHOEBOX_PORT');
  if (port !== undefined) config.port = parsePort(port);
  config.name = pick(v.name, 'SHOEBOX_NAME');
  if (v['no-bonjour'] || env.SHOEBOX_NO_BONJOUR === '1') config.bonjour = false;
  config.advertiseOn = pick(v['advertise-on'], 'SHOEBOX_ADVERTISE_ON');
  if (v['no-tls'] || env.SHOEBOX_NO_TLS === '1') config.tls = false;
  const maxUpload = pick(v['max-upload'], 'SHOEBOX_MAX_UPLOAD');
  if (maxUpload) config.maxUploadBytes = parseBytes(maxUpload, '--max-upload');
  const idle = pick(v['idle-timeout'], 'SHOEBOX_IDLE_TIMEOUT');
  if (idle) config.idleTimeoutMs = parsePositive(idle, '--idle-timeout') * 1000;
  const stale = pick(v['stale-days'], 'SHOEBOX_STALE_DAYS');
  if (stale) config.staleUploadAgeMs = parsePositive(stale, '--stale-days') * DAY_MS;
  const minFree = pick(v['min-free'], 'SHOEBOX_MIN_FREE');
  if (minFree) config.minFreeBytes = parseBytes(minFree, '--min-free');
  return config;
}

/**
 * Whether the backup folder was chosen on the command line or in the environment (else the app's saved choice
 * applies).
 */
export function folderGiven(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.some((arg) => arg === '--folder' || arg.startsWith('--folder=')) || Boolean(env.SHOEBOX_FOLDER);
}
