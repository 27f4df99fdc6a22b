/** The simulator's connection, trust and discovery options: which receiver, and how to trust it. */
import { isIP } from 'node:net';
import { SPKI_PIN_PATTERN } from '../../discovery/constants';
import { parsePairingUrl, PairingUrlError, type PairingInfo } from '../../discovery/pairing-url';
import { PAIRING_CODE_PATTERN } from '../../protocol/constants';
import { UsageError } from './usage-error';

/** Environment variable naming the interface address to browse on (like --interface). */
export const INTERFACE_ENV = 'SHOEBOX_SIM_INTERFACE';
const DEFAULT_BROWSE_MS = 3000;

export const CONNECTION_USAGE = `Receiver and trust:
  --pair-url URL        pair with the link in the receiver's QR code (shoebox://pair?...): its address,
                        TLS pin and code; every connection is then pinned to that receiver's key
  --receiver NAME       use the saved pairing with this receiver name (or id); with --interface, also
                        look it up by Bonjour for its current address; with --code, pair with a
                        receiver found by Bonjour, trusting its advertised pin (prefer --pair-url)
  --host H              receiver address (default 127.0.0.1 when --port is given)
  --port P              receiver port
  --fp PIN              the receiver's TLS certificate pin ("TLS certificate pin" in shoebox serve's
                        output): HTTPS/WSS pinned to it; without a pin, plain HTTP/WS (--no-tls receivers)
  --code NNNNNN         pair with the code the receiver shows, save the pairing, then upload
  --token T             device token from an earlier pairing (saved pairings need none)
  --state FILE          the saved pairings (default $SHOEBOX_SIM_STATE, else
                        ~/.config/shoebox-simulator/pairings.json; written with mode 0600)
  --no-save             do not save a new pairing
  --local-address ADDR  connect the upload stream from this local address

  With none of --pair-url, --receiver, --host/--port: the one saved pairing is used.

Discovery (Bonjour, _shoebox._tcp):
  --discover            list the receivers found (name, address, id, pairing, TLS, pin) and exit
  --interface ADDR      IPv4 address of the network interface to browse on (or $${INTERFACE_ENV});
                        required for every browse: the simulator never browses on all interfaces
  --browse-time SEC     how long to browse (default ${DEFAULT_BROWSE_MS / 1000})`;

export const CONNECTION_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  code: { type: 'string' },
  token: { type: 'string' },
  fp: { type: 'string' },
  'pair-url': { type: 'string' },
  receiver: { type: 'string' },
  state: { type: 'string' },
  'no-save': { type: 'boolean' },
  'local-address': { type: 'string' },
  discover: { type: 'boolean' },
  interface: { type: 'string' },
  'browse-time': { type: 'string' },
} as const;

type ConnectionValues = {
  [K in keyof typeof CONNECTION_OPTIONS]?: (typeof CONNECTION_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ConnectionConfig {
  /**
   * Receiver address; 127.0.0.1 when only --port is given; undefined: from the pairing URL, Bonjour or a saved
   * pairing.
   */
  host: string | undefined;
  port: number | undefined;
  code: string | undefined;
  token: string | undefined;
  /** SPKI pin given with --fp. */
  fp: string | undefined;
  pairUrl: PairingInfo | undefined;
  /** --receiver NAME: a saved pairing or an advertised receiver, by name or id. */
  receiver: string | undefined;
  /** --state FILE; undefined: the default path. */
  stateFile: string | undefined;
  save: boolean;
  localAddress: string | undefined;
  discover: boolean;
  /** Interface to browse on (--interface or $SHOEBOX_SIM_INTERFACE); browsing is off without it. */
  interfaceAddress: string | undefined;
  browseMs: number;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new UsageError('--port must be a whole number from 1 to 65535');
  return Number(text);
}

function parseSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BROWSE_MS;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds < 0.1 || seconds > 60)
    throw new UsageError('--browse-time is seconds, from 0.1 to 60');
  return Math.round(seconds * 1000);
}

function parsePairUrl(text: string | undefined): PairingInfo | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePairingUrl(text);
  } catch (error) {
    if (error instanceof PairingUrlError) throw new UsageError(`--pair-url: ${error.message}`);
    throw error;
  }
}

function given(values: ConnectionValues, names: (keyof ConnectionValues)[]): string[] {
  return names.filter((name) => values[name] !== undefined).map((name) => `--${name}`);
}

/** Checks the connection options against each other; `dirCount` is the number of DIR arguments. */
export function parseConnectionArgs(
  values: ConnectionValues,
  dirCount: number,
  env: NodeJS.ProcessEnv,
): ConnectionConfig {
  const port = values.port === undefined ? undefined : parsePort(values.port);
  if (values.host !== undefined && port === undefined) throw new UsageError('--port is required with --host');
  const interfaceAddress = values.interface ?? (env[INTERFACE_ENV] || undefined);
  if (interfaceAddress !== undefined && isIP(interfaceAddress) !== 4)
    throw new UsageError(
      `--interface must be the IPv4 address of a network interface of this computer, not "${interfaceAddress}"`,
    );
  const localAddress = values['local-address'];
  if (localAddress !== undefined && isIP(localAddress) === 0)
    throw new UsageError('--local-address must be an IP address of this computer');
  if (values.fp !== undefined && !SPKI_PIN_PATTERN.test(values.fp))
    throw new UsageError('--fp is the TLS certificate pin the receiver prints: 43 characters (base64url SHA-256)');
  if (values.code !== undefined && values.token !== undefined) throw new UsageError('give --code or --token, not both');
  if (values.code !== undefined && !PAIRING_CODE_PATTERN.test(values.code))
    throw new UsageError('--code is the six digits the receiver shows');
  const pairUrl = parsePairUrl(values['pair-url']);
  const hasAddress = port !== undefined;

  if (values.discover) {
    const extra = given(values, ['pair-url', 'receiver', 'host', 'port', 'fp', 'code', 'token']);
    if (extra.length > 0) throw new UsageError(`--discover only lists receivers: leave out ${extra.join(', ')}`);
    if (dirCount > 0) throw new UsageError('--discover only lists receivers: leave out the DIRs');
    if (interfaceAddress === undefined)
      throw new UsageError(
        `--discover needs --interface ADDR (or $${INTERFACE_ENV}): the IPv4 address of the interface to browse on`,
      );
  } else if (pairUrl) {
    const extra = given(values, ['receiver', 'host', 'port', 'fp', 'code', 'token']);
    if (extra.length > 0)
      throw new UsageError(`--pair-url carries the address, pin and code: leave out ${extra.join(', ')}`);
  } else if (values.receiver !== undefined) {
    if (values.code !== undefined && !hasAddress && interfaceAddress === undefined) {
      throw new UsageError(
        '--receiver NAME --code needs --interface ADDR to find NAME by Bonjour (or --host and --port)',
      );
    }
  } else if (hasAddress) {
    if (values.code === undefined && values.token === undefined)
      throw new UsageError('give --code NNNNNN to pair, or --token T from an earlier pairing');
  } else {
    if (values.code !== undefined)
      throw new UsageError(
        '--code needs a receiver: --pair-url URL, --host/--port, or --receiver NAME with --interface',
      );
    if (values.token !== undefined)
      throw new UsageError('--port is required with --token (or choose a saved pairing with --receiver)');
  }
  const pairs = values.code !== undefined || pairUrl !== undefined;
  if (!values.discover && !pairs && dirCount === 0) throw new UsageError('give at least one DIR to upload');

  return {
    host: values.host ?? (hasAddress ? '127.0.0.1' : undefined),
    port,
    code: values.code,
    token: values.token,
    fp: values.fp,
    pairUrl,
    receiver: values.receiver,
    stateFile: values.state,
    save: !values['no-save'],
    localAddress,
    discover: values.discover ?? false,
    interfaceAddress,
    browseMs: parseSeconds(values['browse-time']),
  };
}
