/**
 * `shoebox serve`: the headless receiver in a terminal. Prints where it listens, the pairing code and
 * one line per stored file; on a terminal it also takes commands (pair, devices, revoke, quit).
 * Ctrl-C closes cleanly and leaves unfinished uploads resumable.
 */
import readline from 'node:readline';
import { ConfigError, SERVE_USAGE, parseServeArgs, type ReceiverConfig } from '../config';
import type { Receiver } from '../receiver';
import { AppService } from '../../app/app-service';
import { startHeadlessServer, type HeadlessServer } from '../../app/headless-server';
import { pairingQrTerminal } from '../trust';
import { formatBytes } from '../util/format';

const CONSOLE_HELP = `Commands: pair (new pairing code) · devices · revoke <device id or name> · help · quit`;

function attachConsole(current: () => Receiver, out: (line: string) => void, stop: () => void): readline.Interface {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    const [command = '', ...rest] = line.trim().split(/\s+/);
    const arg = rest.join(' ');
    switch (command.toLowerCase()) {
      case '':
        return;
      case 'pair':
        current().pairing.open();
        return;
      case 'devices': {
        const list = current().devices.list();
        if (list.length === 0) out('No paired devices yet. Type "pair" for a code.');
        for (const d of list) out(`  ${d.id}  ${d.name}  paired ${d.pairedAt.slice(0, 10)}  last seen ${d.lastSeenAt?.slice(0, 16).replace('T', ' ') ?? 'never'}${d.revokedAt ? '  (revoked)' : ''}`);
        return;
      }
      case 'revoke': {
        const device = current().devices.list().find((d) => d.id === arg || d.name === arg);
        if (!device) return out(`No paired device "${arg}". Type "devices" to list them.`);
        void current().devices.revoke(device.id).then((done) => out(done ? `Revoked "${device.name}": it can no longer upload.` : `"${device.name}" was already revoked.`));
        return;
      }
      case 'quit':
      case 'exit':
        stop();
        return;
      default:
        out(CONSOLE_HELP);
    }
  });
  return rl;
}

export async function serve(argv: string[]): Promise<number> {
  let config: ReceiverConfig | 'help';
  try {
    config = parseServeArgs(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shoebox: ${error.message}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let receiver: Receiver;
  let app: AppService;
  try {
    // The app service owns the receiver (and restarts it when the window changes the backup folder).
    app = await AppService.start({ config, receiverOptions: { openPairing: false } });
    receiver = app.receiver;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') process.stderr.write(`shoebox: port ${config.port} on ${config.host} is already in use: is Shoebox already running? Choose another with --port.\n`);
    else if (e.code === 'EADDRNOTAVAIL') process.stderr.write(`shoebox: ${config.host} is not an address of this computer: check --bind.\n`);
    else if (e.code === 'EACCES') process.stderr.write(`shoebox: not allowed to use ${config.folder} or port ${config.port}: ${e.message}\n`);
    else process.stderr.write(`shoebox: could not start: ${e.message}\n`);
    return 1;
  }
  const attachOutput = (current: Receiver) => {
    receiver = current;
    const { events } = current;
    events.on('log', (message) => process.stderr.write(`${message}\n`));
    events.on('pairing-opened', (code, expiresAt) => {
      out(`Pairing code: ${code}  (one-time, until ${expiresAt.toLocaleTimeString()})`);
      if (!receiver.trust) return;
      const url = receiver.trust.pairingUrl(code);
      void pairingQrTerminal(url).then((qr) => out(`Scan to pair, or open ${url}\n${qr}`));
    });
    events.on('pairing-closed', (reason) => {
      if (reason === 'expired' || reason === 'withdrawn') out(`Pairing code ${reason}. Type "pair" for a new one.`);
    });
    events.on('paired', (device) => out(`Paired "${device.name}" (${device.id}).`));
    events.on('revoked', (device) => out(`Device "${device.name}" revoked.`));
    events.on('committed', ({ device, filename, result }) => {
      const what = result.duplicate ? 'Already stored' : 'Stored';
      out(`${what} ${result.path} (${formatBytes(result.size)}) from "${device.name}"${result.duplicate ? ` [${filename}]` : ''}`);
    });
  };
  attachOutput(receiver);
  app.onReceiverStarted(attachOutput);
  out(`Shoebox receiver "${receiver.devices.name}" (id ${receiver.receiverId})`);
  out(`Backup folder: ${config.folder}`);
  out(`Listening on ${receiver.url}${config.host === '0.0.0.0' ? ` (all interfaces, port ${receiver.port})` : ''}`);
  if (receiver.trust) {
    const base = `https://${receiver.trust.host.includes(':') ? `[${receiver.trust.host}]` : receiver.trust.host}:${receiver.port}`;
    out(`TLS certificate pin: ${receiver.trust.pin}`);
    out(`iPhone trust profile: ${base}${receiver.trust.profilePath}  (then Settings > General > About > Certificate Trust Settings)`);
  } else {
    out('TLS: off (--no-tls): uploads travel unencrypted on your network.');
  }
  if (!config.bonjour) out('Bonjour: off');
  let ui: HeadlessServer | undefined;
  try {
    ui = await startHeadlessServer(app, { port: Number.parseInt(process.env.SHOEBOX_UI_PORT ?? '0', 10) || 0 });
    out(`Window: ${ui.url}  (open it in a browser on this computer; the link carries this session's key)`);
  } catch (error) {
    process.stderr.write(`shoebox: the window could not start: ${(error as Error).message}\n`);
  }
  receiver.pairing.open();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        process.stderr.write('Forced exit.\n');
        process.exit(130);
      }
      stopping = true;
      out('Closing: unfinished uploads stay resumable…');
      rl?.close();
      (async () => {
        await ui?.close();
        await app.close();
      })().then(
        () => resolve(0),
        (error: Error) => {
          process.stderr.write(`shoebox: error while closing: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    const rl = process.stdin.isTTY ? attachConsole(() => receiver, out, stop) : undefined;
    if (rl) out(CONSOLE_HELP);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
