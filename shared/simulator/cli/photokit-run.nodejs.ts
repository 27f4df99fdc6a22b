/**
 * `npm run simulate -- --mode photokit ...`: the photos under DIR... become the phone's library, the
 * reference Shoebox extension creates upload jobs, the simulated system uploads them to the receiver
 * the link points at (pinned TLS when it has a pin). Prints the timeline of job states on stdout as it
 * happens, then the summary. Node only.
 */
import { ChunkStreamClient } from '../chunk-stream-client';
import type { SimulatorConfig } from './args.nodejs';
import { formatBytes } from '../../format';
import type { CliIo } from './io';
import { findFileSourcesOrExplain } from '../file-sources.nodejs';
import type { ReceiverLink } from '../receiver-link.nodejs';
import { PhotoKitHttpTransport } from '../photokit/http-transport';
import type { NetworkConditions } from '../photokit/network-conditions';
import { LOCKED_NETWORK } from '../photokit/network-conditions';
import { runPhotoKitSimulation } from '../photokit/simulation';
import { formatPhotoKitSummary, formatTimelineEvent } from '../photokit/timeline-format';
import type { UploadTransport } from '../photokit/transport-types';
import { ChunkStreamTransport } from '../photokit/ws-transport';
import type { PhotoKitConfig } from './photokit-args';
import { JsonStateFile } from '../photokit/json-file-storage.nodejs';
import { nodeHttpClient } from '../photokit/http-client.nodejs';

const CLIENT_INFO = { name: 'shoebox-simulator-photokit', version: '0.1.0' };

async function transportFor(
  config: SimulatorConfig,
  photokit: PhotoKitConfig,
  link: ReceiverLink,
  token: string,
): Promise<UploadTransport> {
  if (photokit.transport === 'photokit-http') {
    const http = nodeHttpClient({
      ...(link.pin ? { pin: link.pin } : {}),
      ...(config.localAddress ? { localAddress: config.localAddress } : {}),
    });
    return new PhotoKitHttpTransport({ http, interopVersion: photokit.interop });
  }
  const rate = config.bytesPerSecond ?? (photokit.locked ? LOCKED_NETWORK.bytesPerSecond : undefined);
  const dropEvery = config.dropEvery ?? (photokit.locked ? 8 : undefined);
  const client = new ChunkStreamClient({
    url: link.streamUrl,
    token,
    WebSocket: await link.webSocket(),
    clientInfo: CLIENT_INFO,
    ...(config.chunkBytes !== undefined
      ? { chunkBytes: config.chunkBytes }
      : photokit.locked
        ? { chunkBytes: 256 * 1024 }
        : {}),
    ...(rate === undefined ? {} : { bytesPerSecond: rate }),
    ...(dropEvery === undefined ? {} : { dropEvery }),
    ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
  });
  return new ChunkStreamTransport(client);
}

export async function runPhotoKitCli(
  config: SimulatorConfig,
  link: ReceiverLink,
  token: string,
  io: CliIo,
): Promise<number> {
  const photokit = config.photokit;
  if (!photokit) throw new TypeError('runPhotoKitCli needs --mode photokit settings');
  const entries = await findFileSourcesOrExplain(config.dirs, io.stderr);
  if (!entries) return 2;
  const bytes = entries.reduce((sum, entry) => sum + entry.info.size, 0);
  const assets = new Set(entries.map((entry) => entry.info.assetId)).size;
  const how = [
    photokit.transport === 'photokit-http'
      ? `photokit-http (${photokit.interop === false ? 'no resumption' : `interop ${photokit.interop}`})`
      : 'ws',
    `iOS ${photokit.ios}`,
    photokit.locked ? 'locked' : 'unlocked',
    photokit.optimizedStorage ? 'optimized storage' : undefined,
    photokit.terminateEveryMs === undefined ? undefined : `terminations every ~${photokit.terminateEveryMs / 1000} s`,
    `jobLimit ${photokit.jobLimit}`,
    `process() budget ${photokit.processBudgetMs / 1000} s`,
    `seed ${photokit.seed}`,
  ]
    .filter(Boolean)
    .join(', ');
  io.stderr.write(
    `found ${entries.length} resources in ${assets} assets (${formatBytes(bytes)}) in ${config.dirs.join(', ')}\n`,
  );
  io.stderr.write(`PhotoKit simulation: ${how}\n`);
  if (photokit.transport === 'photokit-http' && (config.dropEvery !== undefined || config.maxRetries !== undefined)) {
    io.stderr.write(
      'simulate: --drop-every and --max-retries apply to --transport ws; photokit-http cuts connections with ' +
        '--locked, and a failed job is retried once, then re-created after a back-off\n',
    );
  }

  const conditions: Partial<NetworkConditions> = {
    ...(config.bytesPerSecond === undefined ? {} : { bytesPerSecond: config.bytesPerSecond }),
    ...(config.chunkBytes === undefined ? {} : { chunkBytes: config.chunkBytes }),
    ...(photokit.outages.length === 0 ? {} : { outages: photokit.outages }),
  };
  const state = photokit.jobStore === undefined ? undefined : new JsonStateFile(photokit.jobStore);
  const transport = await transportFor(config, photokit, link, token);
  const { summary } = await runPhotoKitSimulation({
    items: entries,
    transport,
    destination: { baseUrl: link.baseUrl, token },
    locked: photokit.locked,
    conditions,
    ...(photokit.terminateEveryMs === undefined ? {} : { terminateEveryMs: photokit.terminateEveryMs }),
    jobLimit: photokit.jobLimit,
    ios: photokit.ios,
    processBudgetMs: photokit.processBudgetMs,
    ...(photokit.optimizedStorage ? { optimizedStorage: { optimized: () => true } } : {}),
    concurrency: config.concurrency,
    seed: photokit.seed,
    ...(state ? { jobStorage: state.section('jobs'), container: state.section('container') } : {}),
    keepTimeline: false,
    onEvent: (event) => {
      const line = formatTimelineEvent(event, { verbose: photokit.verbose });
      if (line !== undefined) io.stdout.write(`${line}\n`);
    },
  });
  io.stdout.write(`${formatPhotoKitSummary(summary)}\n`);
  if (state) io.stderr.write(`job store and container saved in ${state.file}\n`);
  return summary.failed > 0 || summary.unfinished > 0 ? 1 : 0;
}
