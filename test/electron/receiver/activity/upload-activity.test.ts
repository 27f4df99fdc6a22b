import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadActivity } from '../../../../electron/receiver/activity/upload-activity';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';

describe('upload activity (what queue views show)', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
  });

  function record(f: Fixture): UploadActivity[] {
    const seen: UploadActivity[] = [];
    f.receiver.events.on('activity', (a) => seen.push(a));
    return seen;
  }

  it('goes receiving → verifying → stored, never back to receiving', async () => {
    fx = await startFixture();
    const seen = record(fx);
    const c = await RawClient.authed(fx.wsUrl, (await fx.pair('Queue Phone')).token);
    const bytes = randomBytes(3 * 1024 * 1024);
    expect(await c.upload(1, bytes, { filename: 'queue.jpg', chunkSize: 64 * 1024 })).toMatchObject({
      type: 'committed',
    });
    const states = seen.map((a) => a.state);
    expect(states[0]).toBe('receiving');
    expect(states.at(-1)).toBe('stored');
    expect(states.slice(states.indexOf('verifying'))).toEqual(['verifying', 'stored']);
    expect(seen.at(-1)).toMatchObject({
      deviceName: 'Queue Phone',
      filename: 'queue.jpg',
      size: bytes.byteLength,
      received: bytes.byteLength,
      transport: 'ws',
    });
    expect(fx.receiver.activeUploads()).toEqual([]);
    c.close();
  });

  it('shows a refusal at announce time, such as a full disk', async () => {
    fx = await startFixture({}, { freeBytes: async () => 10 });
    const seen = record(fx);
    const c = await RawClient.authed(fx.wsUrl, (await fx.pair()).token);
    expect(await c.upload(1, randomBytes(5000), { filename: 'nospace.jpg' })).toMatchObject({
      type: 'error',
      code: 'DISK_FULL',
    });
    expect(seen.at(-1)).toMatchObject({
      state: 'interrupted',
      filename: 'nospace.jpg',
      error: { code: 'DISK_FULL', retryable: true },
    });
    c.close();
  });

  it('ends a revoked device’s uploads as failed, not resumable', async () => {
    fx = await startFixture();
    const seen = record(fx);
    const c = await RawClient.authed(fx.wsUrl, (await fx.pair('Gone', 'gone')).token);
    const bytes = randomBytes(100_000);
    c.json({
      type: 'announce',
      uploadId: 1,
      assetId: 'A/1',
      resourceType: 'photo',
      filename: 'r.jpg',
      size: bytes.byteLength,
      sha256: sha256Hex(bytes),
    });
    await c.next((m) => m.type === 'ready');
    c.chunk(1, 0, bytes.subarray(0, 10_000));
    await c.next((m) => m.type === 'ack');
    await fx.receiver.revokeDevice('gone');
    await c.closed();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.at(-1)).toMatchObject({ state: 'failed', error: { code: 'DEVICE_REVOKED' } });
    expect(fx.receiver.activeUploads()).toEqual([]);
  });
});
