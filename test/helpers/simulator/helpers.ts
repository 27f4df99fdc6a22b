/** Shared bits of the simulator tests. */
import { WebSocket } from 'ws';
import { ChunkStreamClient } from '../../../shared/simulator/chunk-stream-client';
import type { ChunkStreamClientOptions } from '../../../shared/simulator/client-types';
import { memorySource } from '../../../shared/simulator/memory-source';
import type { UploadSource } from '../../../shared/simulator/upload-source';
import { FAKE_TOKEN, type FakeReceiver } from './fake-receiver';

/** Deterministic pseudo-random bytes. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

export function source(
  name: string,
  size: number,
  seed = 1,
  extra: Partial<Parameters<typeof memorySource>[0]> = {},
): Promise<UploadSource> {
  return memorySource({
    assetId: `ASSET-${name}/L0/001`,
    filename: name,
    bytes: bytesOf(size, seed),
    captureDate: '2019-08-21T10:57:23+02:00',
    ...extra,
  });
}

export function clientFor(receiver: FakeReceiver, options: Partial<ChunkStreamClientOptions> = {}): ChunkStreamClient {
  return new ChunkStreamClient({
    url: receiver.url,
    token: FAKE_TOKEN,
    WebSocket,
    backoff: { baseMs: 5, maxMs: 20 },
    responseTimeoutMs: 5_000,
    ...options,
  });
}
