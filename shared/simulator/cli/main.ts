/**
 * The simulated iPhone extension on the command line:
 *   npx tsx shared/simulator/cli/main.ts --host H --port P (--code NNNNNN | --token T) DIR...
 * Also reachable as `shoebox simulate ...` through runSimulatorCli().
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ChunkStreamClient, streamUrl } from '../chunk-stream-client';
import { UploadFailure } from '../client-errors';
import { httpBaseUrl, pair, PairingError } from '../pair';
import { uploadAll } from '../upload-all';
import { findFileSources } from '../node/file-sources';
import { NodeWebSocket } from '../node/websocket';
import { parseSimulatorArgs, USAGE, type SimulatorConfig } from './args';
import { formatBytes, formatResult, formatSummary } from './format';
import { ProgressView, type OutputStream } from './progress-view';

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

const CLIENT_INFO = { name: 'shoebox-simulator', version: '0.1.0' };

/** Runs the simulator; resolves to the exit status (0 ok, 1 some files failed, 2 usage error). */
export async function runSimulatorCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseSimulatorArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`simulate: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const config = parsed.config;
  let token = config.token;
  if (config.code !== undefined) {
    const paired = await pairWithCode(config, io);
    if (paired === undefined) return 1;
    token = paired;
    if (config.dirs.length === 0) return 0;
  }
  return uploadDirs(config, token!, io);
}

async function pairWithCode(config: SimulatorConfig, io: CliIo): Promise<string | undefined> {
  const deviceId = config.deviceId ?? `simulator-${createHash('sha256').update(hostname()).digest('hex').slice(0, 16)}`;
  try {
    const answer = await pair({ baseUrl: httpBaseUrl(config.host, config.port), code: config.code!, deviceName: config.deviceName, deviceId });
    io.stdout.write(`token: ${answer.token}\n`);
    io.stderr.write(`paired with "${answer.receiverName}" as ${answer.deviceId}; next time use --token ${answer.token}\n`);
    return answer.token;
  } catch (error) {
    const message = error instanceof PairingError ? `${error.code}: ${error.message}` : String(error);
    io.stderr.write(`simulate: pairing failed: ${message}\n`);
    return undefined;
  }
}

async function uploadDirs(config: SimulatorConfig, token: string, io: CliIo): Promise<number> {
  let entries;
  try {
    entries = await findFileSources(config.dirs);
  } catch (error) {
    io.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const totalBytes = entries.reduce((sum, entry) => sum + entry.info.size, 0);
  io.stderr.write(`found ${entries.length} files (${formatBytes(totalBytes)}) in ${config.dirs.join(', ')}\n`);

  const client = new ChunkStreamClient({
    url: streamUrl(config.host, config.port),
    token,
    WebSocket: NodeWebSocket,
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
      view.log(io.stderr, `connected to "${event.welcome.receiverName}" (max chunk ${formatBytes(event.welcome.limits.maxChunkBytes)})`);
    } else if ((event.state === 'lost' || event.state === 'failed') && event.reason && event.reason.code !== 'SIMULATED_DROP') {
      view.log(io.stderr, `connection ${event.state}: ${event.reason.code}: ${event.reason.message}`);
    }
  });
  client.on('retry', (event) => view.log(io.stderr, `retrying ${event.source.filename} in ${event.delayMs} ms: ${event.reason.code}: ${event.reason.message}`));
  client.on('protocolError', ({ message }) => view.log(io.stderr, `bad message from the receiver: ${message}`));

  try {
    await client.connect(); // fail fast (bad token, no receiver) before hashing every file
  } catch (error) {
    view.stop();
    const reason = error instanceof UploadFailure ? `${error.reason.code}: ${error.reason.message}` : String(error);
    io.stderr.write(`simulate: cannot upload: ${reason}\n`);
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
