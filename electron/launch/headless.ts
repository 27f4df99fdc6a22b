/**
 * `npm start` without Electron: the app service (receiver + thumbnails) with its window served on
 * 127.0.0.1 for a browser, and the terminal lines and commands of `shoebox serve` (Listening on…,
 * Pairing code…, Stored…; pair, devices, revoke, quit). Takes the same flags as `shoebox serve`.
 */
import readline from 'node:readline';
import type { AppApiHandlers } from '../../shared/app-api/contract';
import type { DeviceInfo, PairingState } from '../../shared/app-api/schemas';
import { startHeadlessApp, type HeadlessApp } from '../app/headless-app';
import type { HeadlessServerOptions } from '../app/headless-server';
import { ConfigError, SERVE_USAGE, folderGiven, parseServeArgs } from '../receiver/config';
import { InstanceLockedError } from '../receiver/util/instance-lock';
import { pairingQrTerminal } from '../receiver/trust';
import { formatBytes } from '../../shared/format';

export interface HeadlessIo {
  out(line: string): void;
  err(line: string): void;
}

export interface HeadlessRun {
  app: HeadlessApp;
  /** Closes everything; resolves to the exit code. */
  stop(): Promise<number>;
}

const CONSOLE_HELP = 'Commands: pair (new pairing code) · devices · revoke <device id or name> · help · quit';

function describeStartError(
  error: NodeJS.ErrnoException | InstanceLockedError,
  host: string,
  port: number,
  folder: string,
): string {
  if (error instanceof InstanceLockedError) return error.message;
  if (error.code === 'EADDRINUSE')
    return `port ${port} on ${host} is already in use: is Shoebox already running? Choose another with --port.`;
  if (error.code === 'EADDRNOTAVAIL') return `${host} is not an address of this computer: check --bind.`;
  if (error.code === 'EACCES') return `not allowed to use ${folder} or port ${port}: ${error.message}`;
  return `could not start: ${error.message}`;
}

/** Starts; resolves to an exit code when there is nothing to run (help, bad flags, start failure). */
export async function startHeadless(
  argv: string[],
  io: HeadlessIo,
  ui: HeadlessServerOptions = {},
): Promise<HeadlessRun | number> {
  let config;
  try {
    config = parseServeArgs(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`shoebox: ${error.message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (config === 'help') {
    io.out(
      `${SERVE_USAGE}\n\n` +
        `npm start opens the desktop app where Electron is installed, else runs this headless receiver\n` +
        `and serves its window to your browser (the URL is printed). SHOEBOX_HEADLESS=1 forces headless.`,
    );
    return 0;
  }
  let app: HeadlessApp;
  try {
    const uiPort = Number.parseInt(process.env.SHOEBOX_UI_PORT ?? '', 10);
    const port = Number.isInteger(uiPort) && uiPort >= 0 && uiPort <= 65535 ? { port: uiPort } : {};
    // The folder chosen in the window last time, unless one is given now.
    app = await startHeadlessApp({
      config,
      preferSavedFolder: !folderGiven(argv),
      receiverOptions: { openPairing: false },
      log: (m) => io.err(m),
      ui: { log: (m) => io.err(m), ...port, ...ui },
    });
  } catch (error) {
    io.err(`shoebox: ${describeStartError(error as NodeJS.ErrnoException, config.host, config.port, config.folder)}`);
    return 1;
  }
  const { service } = app;
  const receiver = service.receiver;
  io.out(`Shoebox receiver "${receiver.name}" (id ${receiver.receiverId})`);
  io.out(`Backup folder: ${receiver.config.folder}`);
  io.out(`Listening on ${receiver.url}${config.host === '0.0.0.0' ? ` (all interfaces, port ${receiver.port})` : ''}`);
  if (receiver.trust) {
    const base = `https://${receiver.trust.host.includes(':') ? `[${receiver.trust.host}]` : receiver.trust.host}:${receiver.port}`;
    io.out(`TLS certificate pin: ${receiver.trust.pin}`);
    io.out(
      `iPhone trust profile: ${base}${receiver.trust.profilePath}  ` +
        `(then Settings > General > About > Certificate Trust Settings)`,
    );
  } else {
    io.out('TLS: off (--no-tls): uploads travel unencrypted on your network.');
  }
  if (!config.bonjour) io.out('Bonjour: off');
  io.out(`Window: ${app.server.url}  (open it in a browser on this computer; the link carries this session's key)`);
  followEvents(app, io);
  await service.handlers['pairing.open']({});

  let stopping: Promise<number> | null = null;
  const stop = () =>
    (stopping ??= app.close().then(
      () => 0,
      (error: Error) => {
        io.err(`shoebox: error while closing: ${error.message}`);
        return 1;
      },
    ));
  return { app, stop };
}

/** Prints what happens, as `shoebox serve` does. */
function followEvents(app: HeadlessApp, io: HeadlessIo): void {
  const events = app.service.events;
  let code: string | null = null;
  events.on('pairing', (state: PairingState) => {
    if (state.open && state.code && state.code !== code) {
      io.out(
        `Pairing code: ${state.code}  ` +
          `(one-time, until ${new Date(state.expiresAt ?? Date.now()).toLocaleTimeString()})`,
      );
      if (state.pairingUrl)
        void pairingQrTerminal(state.pairingUrl).then((qr) =>
          io.out(`Scan to pair, or open ${state.pairingUrl}\n${qr}`),
        );
    } else if (!state.open && code) {
      io.out('Pairing code closed. Type "pair" for a new one.');
    }
    code = state.open ? state.code : null;
  });
  events.on('arrivals', ({ items }) => {
    for (const item of [...items].reverse())
      io.out(`Stored ${item.path} (${formatBytes(item.size)}) from "${item.deviceName ?? 'unknown device'}"`);
  });
  let known: Map<string, DeviceInfo> | null = null;
  const seen = (list: DeviceInfo[]) => {
    if (known) {
      for (const d of list) {
        const before = known.get(d.id);
        if (!before && !d.revokedAt) io.out(`Paired "${d.name}" (${d.id}).`);
        else if (before && !before.revokedAt && d.revokedAt) io.out(`Device "${d.name}" revoked.`);
      }
    }
    known = new Map(list.map((d) => [d.id, d]));
  };
  void app.service.handlers['devices.list']({}).then((list) => known ?? seen(list));
  events.on('devices', seen);
  let banner: string | null = null;
  events.on('status', (status) => {
    const message = status.banner?.message ?? null;
    if (message && message !== banner) io.err(`Warning: ${message}`);
    banner = message;
  });
}

/** `pair`, `devices`, `revoke <id or name>`, `quit` on a terminal. */
export function attachConsole(handlers: AppApiHandlers, io: HeadlessIo, stop: () => void): readline.Interface {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const fail = (error: Error) => io.err(error.message);
  rl.on('line', (line) => {
    const [command = '', ...rest] = line.trim().split(/\s+/);
    const arg = rest.join(' ');
    switch (command.toLowerCase()) {
      case '':
        return;
      case 'pair':
        return void handlers['pairing.open']({}).catch(fail);
      case 'devices':
        return void handlers['devices.list']({}).then((list) => {
          if (list.length === 0) io.out('No paired devices yet. Type "pair" for a code.');
          for (const d of list)
            io.out(
              `  ${d.id}  ${d.name}  paired ${d.pairedAt.slice(0, 10)}  ` +
                `last seen ${d.lastSeenAt?.slice(0, 16).replace('T', ' ') ?? 'never'}` +
                `${d.revokedAt ? '  (revoked)' : ''}`,
            );
        }, fail);
      case 'revoke':
        return void handlers['devices.list']({})
          .then(async (list) => {
            const device = list.find((d) => d.id === arg || d.name === arg);
            if (!device) return io.out(`No paired device "${arg}". Type "devices" to list them.`);
            const { revoked } = await handlers['devices.revoke']({ deviceId: device.id });
            if (!revoked) io.out(`"${device.name}" was already revoked.`);
          })
          .catch(fail);
      case 'quit':
      case 'exit':
        return stop();
      default:
        io.out(CONSOLE_HELP);
    }
  });
  io.out(CONSOLE_HELP);
  return rl;
}

/** Runs headless until Ctrl-C, `quit` or SIGTERM: the terminal console on a TTY; resolves to the exit code. */
export async function runHeadless(argv: string[], io: HeadlessIo, ui: HeadlessServerOptions = {}): Promise<number> {
  const run = await startHeadless(argv, io, ui);
  if (typeof run === 'number') return run;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        io.err('Forced exit.');
        process.exit(130);
      }
      stopping = true;
      io.out('Closing: unfinished uploads stay resumable…');
      rl?.close();
      void run.stop().then(resolve);
    };
    const rl = process.stdin.isTTY ? attachConsole(run.app.service.handlers, io, stop) : undefined;
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Terminal output for the headless modes. */
export const processIo: HeadlessIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
