import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PATHS, pairResponseSchema } from '../../../../shared/protocol';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { makeTempDir, startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { loopbackReceiverArgs, spawnReceiver } from '../../../helpers/receiver-process';

const SIZE = 3 * 1024 * 1024 + 12345;
const CHUNK = 128 * 1024;

function announce(client: RawClient, uploadId: number, bytes: Buffer, assetId = 'RESUME/L0/001') {
  client.json({
    type: 'announce',
    uploadId,
    assetId,
    resourceType: 'photo',
    filename: 'big.heic',
    size: bytes.byteLength,
    sha256: sha256Hex(bytes),
    captureDate: '2023-05-06T07:08:09',
  });
}

/** Sends [from, to) in chunks and waits until the receiver acknowledges `to` as durable. */
async function sendRange(client: RawClient, uploadId: number, bytes: Buffer, from: number, to: number): Promise<void> {
  for (let offset = from; offset < to; offset += CHUNK)
    client.chunk(uploadId, offset, bytes.subarray(offset, Math.min(offset + CHUNK, to)));
  await client.next((m) => m.type === 'ack' && m.uploadId === uploadId && m.offset >= to);
}

describe('resuming uploads', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
  });

  it('resumes at the acknowledged offset after the connection drops', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const bytes = randomBytes(SIZE);
    const first = await RawClient.authed(fx.wsUrl, token);
    announce(first, 1, bytes);
    expect(await first.next((m) => m.type === 'ready')).toMatchObject({ offset: 0 });
    await sendRange(first, 1, bytes, 0, 1024 * 1024);
    first.terminate(); // no goodbye, like Wi-Fi dropping

    const second = await RawClient.authed(fx.wsUrl, token);
    announce(second, 7, bytes);
    const ready = await second.next((m) => m.type === 'ready');
    expect(ready).toMatchObject({ uploadId: 7, offset: 1024 * 1024 });
    if (ready.type !== 'ready') throw new Error('unreachable');
    await sendRange(second, 7, bytes, ready.offset, bytes.byteLength);
    second.json({ type: 'finish', uploadId: 7 });
    const done = await second.next((m) => m.type === 'committed');
    expect(done).toMatchObject({ path: '2023/2023-05/big.heic', duplicate: false });
    expect(sha256Hex(await fs.readFile(path.join(fx.folder, '2023/2023-05/big.heic')))).toBe(sha256Hex(bytes));
    second.close();
  });

  it('resumes after the receiver closes and starts again', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const bytes = randomBytes(SIZE);
    const first = await RawClient.authed(fx.wsUrl, token);
    announce(first, 1, bytes);
    await first.next((m) => m.type === 'ready');
    await sendRange(first, 1, bytes, 0, 2 * 1024 * 1024);
    await fx.restart();
    expect(await first.next((m) => m.type === 'error')).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });

    const second = await RawClient.authed(fx.wsUrl, token);
    const answer = await second.upload(1, bytes, {
      filename: 'big.heic',
      assetId: 'RESUME/L0/001',
      captureDate: '2023-05-06T07:08:09',
    });
    expect(answer).toMatchObject({ type: 'committed', duplicate: false });
    second.close();
  });

  it('resumes after the receiver process is killed (SIGKILL) and restarted', async () => {
    const root = await makeTempDir();
    const folder = path.join(root, 'Backup');
    const args = loopbackReceiverArgs(root, folder);
    const bytes = randomBytes(SIZE);
    let proc = await spawnReceiver(args);
    try {
      const res = await fetch(`${proc.url}${PATHS.pair}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: proc.pairingCode, deviceName: 'Killer iPhone', deviceId: 'killer' }),
      });
      const { token } = pairResponseSchema.parse(await res.json());
      const wsUrl = `${proc.url.replace('http', 'ws')}${PATHS.stream}`;
      const first = await RawClient.authed(wsUrl, token);
      announce(first, 1, bytes);
      await first.next((m) => m.type === 'ready');
      await sendRange(first, 1, bytes, 0, 2 * 1024 * 1024);
      await proc.kill('SIGKILL');

      proc = await spawnReceiver(args);
      const second = await RawClient.authed(`${proc.url.replace('http', 'ws')}${PATHS.stream}`, token);
      announce(second, 1, bytes);
      const ready = await second.next((m) => m.type === 'ready');
      if (ready.type !== 'ready') throw new Error('unreachable');
      expect(ready.offset).toBeGreaterThanOrEqual(2 * 1024 * 1024);
      await sendRange(second, 1, bytes, ready.offset, bytes.byteLength);
      second.json({ type: 'finish', uploadId: 1 });
      expect(await second.next((m) => m.type === 'committed')).toMatchObject({ path: '2023/2023-05/big.heic' });
      expect(sha256Hex(await fs.readFile(path.join(folder, '2023/2023-05/big.heic')))).toBe(sha256Hex(bytes));
      await proc.waitFor(/Stored 2023\/2023-05\/big\.heic/);
      second.close();
    } finally {
      await proc.kill('SIGTERM');
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('deletes unfinished uploads older than the configured age at start', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const client = await RawClient.authed(fx.wsUrl, token);
    const bytes = randomBytes(1000);
    announce(client, 1, bytes);
    await client.next((m) => m.type === 'ready');
    await sendRange(client, 1, bytes, 0, 500);
    client.close();
    await client.closed();
    const stagingDir = path.join(fx.folder, '.shoebox', 'staging');
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (const name of await fs.readdir(stagingDir)) await fs.utimes(path.join(stagingDir, name), old, old);
    await fx.restart();
    expect((await fs.readdir(stagingDir)).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});
