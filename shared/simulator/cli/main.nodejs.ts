/**
 * The simulated iPhone extension on the command line:
 *   npx tsx shared/simulator/cli/main.nodejs.ts --pair-url 'shoebox://pair?...' DIR...
 *   npx tsx shared/simulator/cli/main.nodejs.ts [--receiver NAME] DIR...        (a saved pairing)
 *   npx tsx shared/simulator/cli/main.nodejs.ts --host H --port P [--fp PIN] (--code NNNNNN | --token T) DIR...
 *   npx tsx shared/simulator/cli/main.nodejs.ts --discover --interface ADDR
 * Also reachable as `shoebox simulate ...` through runSimulatorCli().
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChunkStreamClient } from '../chunk-stream-client';
import { UploadFailure } from '../client-errors';
import { PairingError } from '../pair';
import { uploadAll } from '../upload-all';
import { findFileSourcesOrExplain } from '../file-sources.nodejs';
import { defaultStatePath, PairingStore } from '../pairing-store.nodejs';
import { openReceiverLink, type ReceiverLink } from '../receiver-link.nodejs';
import { parseSimulatorArgs, USAGE, type SimulatorConfig } from './args.nodejs';
import { CliFailure, describeFailure, describeReceiver } from './cli-failure.nodejs';
import { browserOn, listReceivers } from './discovery.nodejs';
import { pairStep, TLS_HINT } from './pair-step.nodejs';
import { resolveTarget } from './resolve-target.nodejs';
import { formatBytes } from '../../format';
import { formatResult, formatSummary } from './format';
import { ProgressView } from './progress-view';
import { runPhotoKitCli } from './photokit-run.nodejs';

import type { CliIo } from './io';

export type { CliIo };

const CLIENT_INFO = { name: 'shoebox-simulator', version: '0.1.0' };

/**
 * Runs the simulator; resolves to the exit status (0 ok, 1 some files failed or pairing/trust failed,
 * 2 usage error). `env` supplies $SHOEBOX_SIM_STATE and $SHOEBOX_SIM_INTERFACE.
 */
export async function runSimulatorCli(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseSimulatorArgs(argv, env);
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`simulate: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const config = parsed.config;
  const store = new PairingStore(
    config.stateFile !== undefined ? path.resolve(config.stateFile) : defaultStatePath(env),
  );
  const browse =
    config.interfaceAddress === undefined ? undefined : browserOn(config.interfaceAddress, config.browseMs);
  let who = 'the receiver';
  try {
    if (config.discover) return await listReceivers(browse!, io, config.interfaceAddress!, await store.list());
    const target = await resolveTarget(config, {
      store,
      browse,
      warn: (line) => io.stderr.write(`simulate: ${line}\n`),
    });
    who = describeReceiver(target);
    // With a pin this reads GET /v1/info over a pinned connection: a receiver with another key is refused here.
    const link = await openReceiverLink({
      host: target.host,
      port: target.port,
      fp: target.fp,
      localAddress: config.localAddress,
    }).catch((error: unknown) => {
      if (target.fp === undefined && error instanceof PairingError && error.code === 'NETWORK')
        throw new CliFailure(`${error.message}${TLS_HINT}`);
      throw error;
    });
    if (link.tls)
      io.stderr.write(
        `${describeReceiver({ name: link.info?.name, host: link.host, port: link.port })}: TLS pin verified\n`,
      );
    let token = target.token;
    if (target.code !== undefined) {
      const options = {
        code: target.code,
        deviceName: config.deviceName,
        deviceId: config.deviceId,
        expectedReceiverId: target.receiverId,
        store,
        save: config.save,
      };
      token = await pairStep(link, options, io);
      if (token === undefined) return 1;
      if (config.dirs.length === 0) return 0;
    } else if (target.saved && config.save && (target.saved.host !== link.host || target.saved.port !== link.port)) {
      // It moved (Bonjour said so, pin checked).
      await store.save({ ...target.saved, host: link.host, port: link.port });
    }
    if (config.mode === 'photokit') return await runPhotoKitCli(config, link, token!, io);
    return await uploadDirs(config, link, token!, io);
  } catch (error) {
    const { message, exitCode } = describeFailure(error, who);
    io.stderr.write(`simulate: ${message}\n`);
    return exitCode;
  }
}

async function uploadDirs(config: SimulatorConfig, link: ReceiverLink, token: string, io: CliIo): Promise<number> {
  const entries = await findFileSourcesOrExplain(config.dirs, io.stderr);
  if (!entries) return 2;
  const totalBytes = entries.reduce((sum, entry) => sum + entry.info.size, 0);
  io.stderr.write(`found ${entries.length} files (${formatBytes(totalBytes)}) in ${config.dirs.join(', ')}\n`);

  const client = new ChunkStreamClient({
    url: link.streamUrl,
    token,
    WebSocket: await link.webSocket(),
    clientInfo: CLIENT_INFO,
    ...(config.chunkBytes === undefined ? {} : { chunkBytes: config.chunkBytes }),
    ...(config.bytesPerSecond === undefined ? {} : { bytesPerSecond: config.bytesPerSecond }),
    ...(config.dropEvery === undefined ? {} : { dropEvery: config.dropEvery }),
    ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
  });
  const view = new ProgressView(io.stderr, { totalFiles: entries.length, totalBytes });
  client.on('progress', (progress) => view.onProgress(progress));
  client.on('connection', (event) => {
    view.onConnection(event);
    if (event.state === 'connected' && event.welcome && event.attempt === 1) {
      view.log(
        io.stderr,
        `connected to "${event.welcome.receiverName}" (max chunk ${formatBytes(event.welcome.limits.maxChunkBytes)})`,
      );
    } else if (
      (event.state === 'lost' || event.state === 'failed') &&
      event.reason &&
      event.reason.code !== 'SIMULATED_DROP'
    ) {
      view.log(io.stderr, `connection ${event.state}: ${event.reason.code}: ${event.reason.message}`);
    }
  });
  client.on('retry', (event) =>
    view.log(
      io.stderr,
      `retrying ${event.source.filename} in ${event.delayMs} ms: ${event.reason.code}: ${event.reason.message}`,
    ),
  );
  client.on('protocolError', ({ message }) => view.log(io.stderr, `bad message from the receiver: ${message}`));

  try {
    await client.connect(); // fail fast (bad token, no receiver) before hashing every file
  } catch (error) {
    view.stop();
    const reason = error instanceof UploadFailure ? `${error.reason.code}: ${error.reason.message}` : String(error);
    const unreachable = error instanceof UploadFailure && error.reason.code === 'CONNECTION_FAILED';
    io.stderr.write(`simulate: cannot upload: ${reason}${unreachable && !link.tls ? TLS_HINT : ''}\n`);
    await client.close();
    return 1;
  }
  const summary = await uploadAll(client, entries, {
    concurrency: config.concurrency,
    onResult: (result) => {
      view.onFinished(result.status === 'failed');
      view.log(io.stdout, formatResult(result));
    },
  });
  await client.close();
  view.stop();
  io.stdout.write(`${formatSummary(summary)}\n`);
  return summary.failed > 0 ? 1 : 0;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  runSimulatorCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
