import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ChunkStreamClient } from '../../../shared/simulator/chunk-stream-client';
import type { UploadProgress } from '../../../shared/simulator/client-types';
import { FakeReceiver, type FakeReceiverOptions } from '../../helpers/simulator/fake-receiver';
import { bytesOf, clientFor, source } from '../../helpers/simulator/helpers';

const KiB = 1024;
let receiver: FakeReceiver | undefined;
let client: ChunkStreamClient | undefined;

async function start(options: FakeReceiverOptions = {}) {
  receiver = await FakeReceiver.start(options);
  return receiver;
}

afterEach(async () => {
  await client?.close();
  await receiver?.close();
  client = receiver = undefined;
});

describe('chunking and offsets', () => {
  it('sends consecutive chunks of the chosen size and commits', async () => {
    const r = await start();
    client = clientFor(r, { chunkBytes: 16 * KiB, windowBytes: 32 * KiB });
    const src = await source('IMG_0001.HEIC', 100 * KiB + 5);
    const progress: UploadProgress[] = [];
    client.on('progress', (p) => progress.push(p));
    const result = await client.upload(src);
    expect(result).toMatchObject({
      status: 'committed',
      duplicate: false,
      size: src.size,
      sha256: src.sha256,
      path: '2019-08-21/IMG_0001.HEIC',
    });
    expect(r.chunkOffsets.map((c) => c.offset)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => i * 16 * KiB));
    expect(r.chunkOffsets.at(-1)!.length).toBe(4 * KiB + 5);
    expect(r.announces[0]).toMatchObject({
      filename: 'IMG_0001.HEIC',
      size: src.size,
      captureDate: '2019-08-21T10:57:23+02:00',
      resourceType: 'photo',
    });
    expect(progress.at(-1)).toMatchObject({ state: 'committed', sent: src.size, acked: src.size });
    expect(progress.some((p) => p.state === 'sending' && p.acked > 0 && p.acked < src.size)).toBe(true);
  });

  it('commits when the caller passes an abort signal it never fires', async () => {
    const r = await start();
    client = clientFor(r, { chunkBytes: 16 * KiB });
    const src = await source('IMG_0002.HEIC', 40 * KiB);
    const result = await client.upload(src, { signal: new AbortController().signal });
    expect(result).toMatchObject({ status: 'committed', size: src.size });
  });

  it('caps the chunk size at the receiver maxChunkBytes', async () => {
    const r = await start({ limits: { maxChunkBytes: 8 * KiB } });
    client = clientFor(r, { chunkBytes: 64 * KiB });
    const result = await client.upload(await source('a.jpg', 40 * KiB));
    expect(result.status).toBe('committed');
    expect(Math.max(...r.chunkOffsets.map((c) => c.length))).toBe(8 * KiB);
    expect(r.chunkOffsets).toHaveLength(5);
  });

  it('uploads an empty file with finish alone', async () => {
    const r = await start();
    client = clientFor(r);
    const result = await client.upload(await source('empty.png', 0));
    expect(result.status).toBe('committed');
    expect(r.chunkOffsets).toHaveLength(0);
  });

  it('runs several uploads on one connection and answers duplicates at announce', async () => {
    const r = await start();
    client = clientFor(r, { chunkBytes: 4 * KiB });
    const sources = await Promise.all([1, 2, 3, 4].map((i) => source(`f${i}.jpg`, 30 * KiB + i, i)));
    const results = await Promise.all(sources.map((s) => client!.upload(s)));
    expect(results.every((x) => x.status === 'committed' && !x.duplicate)).toBe(true);
    expect(r.connections).toBe(1);
    const again = await client.upload(await source('copy.jpg', 30 * KiB + 1, 1));
    expect(again).toMatchObject({ status: 'committed', duplicate: true, path: '2019-08-21/f1.jpg' });
    expect(client.stats.connections).toBe(1);
  });
});

describe('resume', () => {
  it('dropEvery closes the socket and resumes at the offset the receiver holds', async () => {
    const r = await start();
    client = clientFor(r, { chunkBytes: 8 * KiB, dropEvery: 3 });
    const src = await source('big.mov', 100 * KiB, 7, { resourceType: 'video' });
    const result = await client.upload(src);
    expect(result).toMatchObject({ status: 'committed', sha256: src.sha256 });
    expect(result.resumes).toBeGreaterThan(2);
    expect(r.connections).toBeGreaterThan(3);
    expect(r.errorsSent.filter((c) => c === 'BAD_OFFSET')).toHaveLength(0);
    // Every byte was received once: each resume started where the receiver stood.
    expect(r.chunkOffsets.reduce((sum, c) => sum + c.length, 0)).toBe(src.size);
  });

  it('survives the receiver dropping connections mid-upload, with concurrent uploads', async () => {
    const r = await start({ dropAfterChunks: 4, maxDrops: 6 });
    client = clientFor(r, { chunkBytes: 4 * KiB });
    const sources = await Promise.all([1, 2, 3].map((i) => source(`s${i}.heic`, 50 * KiB + i, i + 10)));
    const results = await Promise.all(sources.map((s) => client!.upload(s)));
    expect(results.map((x) => x.status)).toEqual(['committed', 'committed', 'committed']);
    expect(r.drops).toBe(6);
    for (const s of sources) expect(r.stored.get(s.sha256)?.bytes.length).toBe(s.size);
  });

  it('a commit whose answer was lost is reported as committed, not as a duplicate', async () => {
    const r = await start({ dropAfterCommit: 1 });
    client = clientFor(r);
    const result = await client.upload(await source('lost-answer.jpg', 5 * KiB));
    expect(result).toMatchObject({ status: 'committed', duplicate: false, resumes: 1 });
    expect(r.drops).toBe(1);
    const again = await client.upload(await source('again.jpg', 5 * KiB));
    expect(again).toMatchObject({ status: 'committed', duplicate: true });
  });

  it('fails with CONNECTION_FAILED when the receiver cannot be reached', async () => {
    const r = await start();
    const url = r.url;
    await r.close();
    receiver = undefined;
    client = new ChunkStreamClient({
      url,
      token: 'x'.repeat(43),
      WebSocket,
      backoff: { baseMs: 1, maxMs: 5 },
      maxReconnects: 2,
    });
    const states: string[] = [];
    client.on('connection', (e) => states.push(e.state));
    const result = await client.upload(await source('a.jpg', 10));
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(result.reason.code).toBe('CONNECTION_FAILED');
    expect(states.filter((s) => s === 'connecting')).toHaveLength(3);
    expect(states.at(-1)).toBe('failed');
  });
});

describe('backpressure', () => {
  it('never has more than windowBytes unacked on the connection', async () => {
    const r = await start({ ackDelayMs: 15 });
    client = clientFor(r, { chunkBytes: 8 * KiB, windowBytes: 32 * KiB });
    const sources = await Promise.all([1, 2, 3].map((i) => source(`w${i}.jpg`, 120 * KiB, i)));
    const results = await Promise.all(sources.map((s) => client!.upload(s)));
    expect(results.every((x) => x.status === 'committed')).toBe(true);
    expect(r.maxInFlight).toBeGreaterThan(8 * KiB);
    expect(r.maxInFlight).toBeLessThanOrEqual(32 * KiB);
  });

  it('a link that dies silently with the send buffer full is timed out too, and the upload resumes', async () => {
    const r = await start({ stallAfterChunks: 4 });
    // A window far larger than the kernel's socket buffers, so the client ends up waiting on its own send buffer.
    client = clientFor(r, {
      chunkBytes: 256 * KiB,
      windowBytes: 64 * 1024 * KiB,
      maxBufferedBytes: 256 * KiB,
      responseTimeoutMs: 400,
    });
    const result = await client.upload(await source('long.mov', 24 * 1024 * KiB));
    expect(result, JSON.stringify(result.status === 'failed' ? result.reason : null)).toMatchObject({
      status: 'committed',
    });
    expect(r.connections).toBe(2);
  }, 30_000);

  it('a receiver that stops acking is timed out and the upload resumes on a new connection', async () => {
    const r = await start({ ackDelayMs: 'never' });
    client = clientFor(r, { chunkBytes: 8 * KiB, windowBytes: 16 * KiB, responseTimeoutMs: 150 });
    const result = await client.upload(await source('stuck.jpg', 48 * KiB));
    expect(result.status).toBe('committed');
    expect(r.connections).toBeGreaterThan(1);
  });
});

describe('validation of server messages', () => {
  it('drops the connection on an invalid message and resumes', async () => {
    const r = await start({ onAnnounce: (_a, count) => (count === 1 ? 'garbage' : undefined) });
    client = clientFor(r);
    const problems: string[] = [];
    client.on('protocolError', ({ message }) => problems.push(message));
    const result = await client.upload(await source('a.jpg', 20 * KiB));
    expect(result.status).toBe('committed');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/invalid ready message: offset/);
    expect(r.connections).toBe(2);
  });

  it('gives up when the receiver keeps sending invalid messages', async () => {
    const r = await start({ onAnnounce: () => 'garbage' });
    client = clientFor(r, { maxReconnects: 3 });
    const result = await client.upload(await source('a.jpg', 10));
    expect(result.status === 'failed' && result.reason.code).toBe('CONNECTION_FAILED');
    expect(result.status === 'failed' && result.reason.message).toMatch(/BAD_SERVER_MESSAGE/);
    expect(r.connections).toBe(4);
  });
});

describe('receiver errors', () => {
  it('retries a retryable error with backoff and then succeeds', async () => {
    const r = await start({
      onFinish: (_a, count) => (count === 1 ? { code: 'STORAGE_ERROR', message: 'disk hiccup' } : undefined),
    });
    client = clientFor(r);
    const retries: string[] = [];
    client.on('retry', (e) => retries.push(`${e.reason.code}#${e.attempt}`));
    const result = await client.upload(await source('a.jpg', 20 * KiB));
    expect(result).toMatchObject({ status: 'committed', retries: 1 });
    expect(retries).toEqual(['STORAGE_ERROR#1']);
    expect(new Set(r.announces.map((a) => a.uploadId)).size).toBe(2); // a fresh id per attempt
  });

  it('gives up on a retryable error after maxRetries, with the receiver code', async () => {
    const r = await start();
    client = clientFor(r, { maxRetries: 2 });
    const src = await source('bad.jpg', 10 * KiB, 1, { sha256: 'a'.repeat(64) });
    const result = await client.upload(src);
    expect(result.status).toBe('failed');
    if (result.status === 'failed') {
      expect(result.reason).toMatchObject({ code: 'CHECKSUM_MISMATCH', origin: 'receiver', retryable: true });
      expect(result.reason.message).toMatch(/gave up after 2 retries/);
    }
    expect(r.announces).toHaveLength(3);
  });

  it('reports a non-retryable error at once with the receiver code and message', async () => {
    const r = await start();
    client = clientFor(r);
    const result = await client.upload(await source('../evil.jpg', 100));
    expect(result).toMatchObject({
      status: 'failed',
      retries: 0,
      reason: { code: 'BAD_FILENAME', message: 'unsafe filename', retryable: false },
    });
    expect(r.announces).toHaveLength(1);
  });

  it('a refused token fails every upload without reconnecting', async () => {
    const r = await start();
    client = new ChunkStreamClient({ url: r.url, token: 'W'.repeat(43), WebSocket, backoff: { baseMs: 1, maxMs: 5 } });
    const results = await Promise.all([
      client.upload(await source('a.jpg', 10)),
      client.upload(await source('b.jpg', 10, 2)),
    ]);
    for (const result of results) expect(result.status === 'failed' && result.reason.code).toBe('AUTH_FAILED');
    expect(r.connections).toBe(1);
  });

  it('cancels an upload through its AbortSignal', async () => {
    const r = await start({ ackDelayMs: 'never' });
    client = clientFor(r, { chunkBytes: 4 * KiB, windowBytes: 8 * KiB });
    const controller = new AbortController();
    const pending = client.upload(await source('slow.jpg', 64 * KiB), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const result = await pending;
    expect(result.status === 'failed' && result.reason.code).toBe('CANCELLED');
  });
});

it('bytesOf is deterministic', () => {
  expect(bytesOf(8, 3)).toEqual(bytesOf(8, 3));
});
