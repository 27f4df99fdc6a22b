/**
 * The chunk-stream server under awkward timing: two connections taking one upload at once, replies for
 * uploads already gone, clients that never say hello, a revocation while work is queued, and a disk
 * that fills up during an upload.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../../shared/protocol';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.dispose();
  fx = undefined;
});

const announce = (uploadId: number, bytes: Uint8Array, extra: Record<string, unknown> = {}) => ({
  type: 'announce',
  uploadId,
  assetId: `RACE-${sha256Hex(bytes).slice(0, 8)}/L0/001`,
  resourceType: 'photo',
  filename: 'race.jpg',
  size: bytes.byteLength,
  sha256: sha256Hex(bytes),
  ...extra,
});

describe('chunk streams under awkward timing', () => {
  it('gives an upload announced on two connections at once to one of them; the file is stored intact', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const bytes = randomBytes(3_000_000);
    const first = await RawClient.authed(fx.wsUrl, token);
    first.json(announce(1, bytes));
    await first.next((m) => m.type === 'ready');
    first.chunk(1, 0, bytes.subarray(0, 1_000_000));
    await first.next((m) => m.type === 'ack' && m.offset === 1_000_000);
    first.close();
    // Both resume at once.
    const [a, b] = await Promise.all([RawClient.authed(fx.wsUrl, token), RawClient.authed(fx.wsUrl, token)]);
    a.json(announce(1, bytes));
    b.json(announce(1, bytes));
    const [readyA, readyB] = await Promise.all([a.next((m) => m.type === 'ready'), b.next((m) => m.type === 'ready')]);
    expect([readyA, readyB]).toEqual([
      expect.objectContaining({ offset: 1_000_000 }),
      expect.objectContaining({ offset: 1_000_000 }),
    ]);
    // The one taken over learns it at its next chunk; the other finishes. Try a first, then b.
    const rest = bytes.subarray(1_000_000);
    const finishOn = async (client: RawClient) => {
      client.chunk(1, 1_000_000, rest);
      client.json({ type: 'finish', uploadId: 1 });
      return client.next((m) => m.type === 'committed' || m.type === 'error');
    };
    const answerA = await finishOn(a);
    const answers = [answerA, await finishOn(b)];
    // Exactly one owner: the other was taken over (whichever of the two the receiver took first).
    expect(answers.map((m) => (m.type === 'error' ? m.code : m.type)).sort()).toEqual(['UPLOAD_BUSY', 'committed']);
    const committed = answers.find((m) => m.type === 'committed');
    if (committed?.type !== 'committed') throw new Error(`nobody committed: ${JSON.stringify(answers)}`);
    expect(sha256Hex(await fs.readFile(path.join(fx.folder, committed.path)))).toBe(sha256Hex(bytes));
    expect(fx.receiver.library.totals().resources).toBe(1);
    a.close();
    b.close();
  });

  it('answers finish or cancel of an upload that is gone per upload, and the connection goes on', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const client = await RawClient.authed(fx.wsUrl, token);
    const bytes = randomBytes(1000);
    expect(await client.upload(5, bytes, { filename: 'once.jpg' })).toMatchObject({ type: 'committed' });
    client.json({ type: 'cancel', uploadId: 5 }); // crossed the committed answer
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_UPLOAD', uploadId: 5 });
    client.json({ type: 'finish', uploadId: 6 });
    expect(await client.next((m) => m.type === 'error' && m.uploadId === 6)).toMatchObject({ code: 'UNKNOWN_UPLOAD' });
    expect(await client.upload(7, randomBytes(1000), { filename: 'after.jpg' })).toMatchObject({ type: 'committed' });
    client.close();
  });

  it('closes a connection that sends anything but hello first, or nothing at all', async () => {
    fx = await startFixture({}, { helloTimeoutMs: 300 });
    const garbage = await RawClient.connect(fx.wsUrl);
    garbage.json({});
    expect(await garbage.closed(5_000)).toBe(CLOSE_CODES.authFailed);

    const broken = await RawClient.connect(fx.wsUrl);
    broken.text('{"type":"hello"'); // not even JSON
    expect(await broken.closed(5_000)).toBe(CLOSE_CODES.authFailed);
    const silent = await RawClient.connect(fx.wsUrl);
    expect(await silent.closed(5_000)).toBe(CLOSE_CODES.authFailed); // no hello within the deadline
  });

  it('drops the queued work of a device revoked while it waits: nothing is stored after the revocation', async () => {
    let gate: (() => void) | undefined;
    let calls = 0;
    fx = await startFixture(
      {},
      {
        freeBytes: async () => {
          calls += 1;
          // the second announce waits on the disk
          if (calls === 2) await new Promise<void>((resolve) => (gate = resolve));
          return 1e12;
        },
      },
    );
    const { token, deviceId } = await fx.pair();
    const client = await RawClient.authed(fx.wsUrl, token);
    const small = randomBytes(2000);
    client.json(announce(1, small, { filename: 'queued.jpg' }));
    await client.next((m) => m.type === 'ready');
    client.chunk(1, 0, small);
    client.json(announce(2, randomBytes(5000), { filename: 'slow.jpg' }));
    client.json({ type: 'finish', uploadId: 1 }); // queued behind the slow announce
    await expect.poll(() => gate !== undefined).toBe(true);
    const committed: string[] = [];
    fx.receiver.events.on('committed', (e) => committed.push(e.result.path));
    await fx.receiver.revokeDevice(deviceId);
    expect(await client.closed()).toBe(CLOSE_CODES.deviceRevoked);
    gate!();
    await new Promise((r) => setTimeout(r, 300));
    expect(committed).toEqual([]);
    expect(fx.receiver.library.totals().resources).toBe(0);
  });

  it('stops an upload when the disk gets down to its reserve during it (retryable), keeping its bytes', async () => {
    let free = 1e12;
    fx = await startFixture(
      { minFreeBytes: 1_000_000 },
      { freeBytes: async () => free, spaceCheckEveryBytes: 256 * 1024, ackEveryBytes: 256 * 1024 },
    );
    const { token } = await fx.pair();
    const client = await RawClient.authed(fx.wsUrl, token);
    const bytes = randomBytes(2_000_000);
    client.json(announce(1, bytes));
    await client.next((m) => m.type === 'ready');
    client.chunk(1, 0, bytes.subarray(0, 512 * 1024));
    await client.next((m) => m.type === 'ack' && m.offset === 512 * 1024);
    free = 500_000; // someone else filled the disk
    client.chunk(1, 512 * 1024, bytes.subarray(512 * 1024, 1024 * 1024));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({
      code: 'DISK_FULL',
      retryable: true,
      uploadId: 1,
    });
    free = 1e12;
    client.json(announce(2, bytes));
    const ready = await client.next((m) => m.type === 'ready' && m.uploadId === 2);
    expect(ready).toMatchObject({ offset: expect.any(Number) as unknown });
    expect((ready as { offset: number }).offset).toBeGreaterThanOrEqual(512 * 1024);
    client.close();
  });
});
