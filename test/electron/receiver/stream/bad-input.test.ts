import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_HEADER_BYTES, MAX_CHUNK_BYTES } from '../../../../shared/protocol';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { rawExchange } from '../../../helpers/photokit-http';

const GB = 1000 ** 3;

describe('bad input gets a clear error and the receiver keeps serving', () => {
  let fx: Fixture;
  let token: string;
  let bystander: RawClient;
  let nextId = 1;

  beforeAll(async () => {
    fx = await startFixture({ maxUploadBytes: 10 * 1024 * 1024 });
    token = (await fx.pair('Bad Phone')).token;
    bystander = await RawClient.authed(fx.wsUrl, (await fx.pair('Good Phone')).token);
  });
  afterAll(async () => {
    bystander.close();
    await fx.dispose();
  });

  /** After each bad input, an honest client on its own connection still gets its photo stored. */
  async function bystanderStillServed(): Promise<void> {
    const bytes = randomBytes(2048);
    expect(await bystander.upload(nextId++, bytes, { filename: `ok-${nextId}.jpg` })).toMatchObject({
      type: 'committed',
      duplicate: false,
    });
  }

  function announceMsg(uploadId: number, overrides: Record<string, unknown> = {}) {
    const bytes = Buffer.from(`content ${uploadId}`);
    return {
      type: 'announce',
      uploadId,
      assetId: `BAD/${uploadId}`,
      resourceType: 'photo',
      filename: 'x.jpg',
      size: bytes.byteLength,
      sha256: sha256Hex(bytes),
      ...overrides,
    };
  }

  it.each([
    ['GET http://a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['GET //evil.example/v1/info HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'GET http://a:99999/v1/stream HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ],
  ])('answers a request target that is not a path (%j) without falling over', async (request) => {
    const answer = await rawExchange(fx.receiver.url, request, (received) => /\r\n\r\n/.test(received));
    expect(answer).toMatch(/^HTTP\/1\.1 (400|404) /);
    await bystanderStillServed();
  });

  it('answers a message that is not JSON with BAD_MESSAGE and keeps the connection', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    c.text('{not json');
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BAD_MESSAGE', retryable: false });
    c.text(JSON.stringify({ type: 'teleport' }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_MESSAGE' });
    c.json({ type: 'announce', uploadId: 5, size: 'big' });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BAD_MESSAGE', uploadId: 5 });
    c.json(announceMsg(6, { extra: 'field' }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(await c.upload(7, Buffer.from('still works'), { filename: 'works.jpg' })).toMatchObject({
      type: 'committed',
    });
    c.close();
    await bystanderStillServed();
  });

  it('refuses uploads before hello, and missing, malformed or unknown tokens', async () => {
    const early = await RawClient.connect(fx.wsUrl);
    early.json(announceMsg(1));
    expect(await early.next((m) => m.type === 'error')).toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(await early.closed()).toBe(4001);

    for (const bad of ['', 'short', 'A'.repeat(43)]) {
      const c = await RawClient.connect(fx.wsUrl);
      c.json({ type: 'hello', protocol: 1, token: bad });
      expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
      expect(await c.closed()).toBe(4001);
    }
    const binaryFirst = await RawClient.connect(fx.wsUrl);
    binaryFirst.chunk(1, 0, Buffer.from('sneaky'));
    expect(await binaryFirst.next((m) => m.type === 'error')).toMatchObject({ code: 'AUTH_REQUIRED' });

    const oldProtocol = await RawClient.connect(fx.wsUrl);
    oldProtocol.json({ type: 'hello', protocol: 99, token });
    expect(await oldProtocol.next((m) => m.type === 'error')).toMatchObject({ code: 'UNSUPPORTED_PROTOCOL' });
    await bystanderStillServed();
  });

  it('refuses an announced size over the limit', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    c.json(announceMsg(1, { size: 50 * GB }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'TOO_LARGE', uploadId: 1, retryable: false });
    c.json(announceMsg(2, { size: -1 }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BAD_MESSAGE', uploadId: 2 });
    c.close();
    await bystanderStillServed();
  });

  it('refuses negative, overlapping, gapped and out-of-range offsets', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    const bytes = randomBytes(1000);
    const base = {
      assetId: 'OFFSETS/1',
      resourceType: 'photo',
      filename: 'offsets.jpg',
      size: 1000,
      sha256: sha256Hex(bytes),
    };
    c.json({ type: 'announce', uploadId: 1, ...base });
    await c.next((m) => m.type === 'ready');
    c.chunk(1, 0, bytes.subarray(0, 400));
    c.chunk(1, 200, bytes.subarray(200, 600)); // overlaps what is held
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'BAD_OFFSET',
      uploadId: 1,
      offset: 400,
      retryable: true,
    });

    c.json({ type: 'announce', uploadId: 2, ...base });
    const ready = await c.next((m) => m.type === 'ready' && m.uploadId === 2);
    expect(ready).toMatchObject({ offset: 400 });
    c.chunk(2, 900, bytes.subarray(900)); // a gap
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BAD_OFFSET', offset: 400 });

    c.json({ type: 'announce', uploadId: 3, ...base });
    await c.next((m) => m.type === 'ready' && m.uploadId === 3);
    c.chunk(3, 400, Buffer.concat([bytes.subarray(400), Buffer.alloc(10)])); // past the announced size
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'OUT_OF_RANGE', uploadId: 3 });

    // a negative offset cannot be encoded; a frame carrying an offset beyond 2^53 is refused
    const frame = Buffer.alloc(CHUNK_HEADER_BYTES + 4);
    frame.writeUInt8(1, 0);
    frame.writeUInt32BE(4, 1);
    frame.writeBigUInt64BE(0xffff_ffff_ffff_ffffn, 5);
    c.binary(frame);
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'BAD_MESSAGE',
      message: expect.stringContaining('offset') as unknown,
    });

    c.json({ type: 'announce', uploadId: 4, ...base });
    const resume = await c.next((m) => m.type === 'ready' && m.uploadId === 4);
    expect(resume).toMatchObject({ offset: 400 });
    c.chunk(4, 400, bytes.subarray(400));
    c.json({ type: 'finish', uploadId: 4 });
    expect(await c.next((m) => m.type === 'committed')).toMatchObject({ duplicate: false });
    c.close();
    await bystanderStillServed();
  });

  it('refuses finish before every byte, and a wrong SHA-256 (discarding the bytes)', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    const bytes = randomBytes(5000);
    c.json({
      type: 'announce',
      uploadId: 1,
      assetId: 'SHA/1',
      resourceType: 'photo',
      filename: 'sha.jpg',
      size: 5000,
      sha256: sha256Hex(bytes),
    });
    await c.next((m) => m.type === 'ready');
    c.chunk(1, 0, bytes.subarray(0, 3000));
    c.json({ type: 'finish', uploadId: 1 });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'INCOMPLETE',
      offset: 3000,
      retryable: true,
    });

    const wrong = sha256Hex(Buffer.from('something else'));
    c.json({
      type: 'announce',
      uploadId: 2,
      assetId: 'SHA/2',
      resourceType: 'photo',
      filename: 'sha.jpg',
      size: 5000,
      sha256: wrong,
    });
    await c.next((m) => m.type === 'ready' && m.uploadId === 2);
    c.chunk(2, 0, bytes);
    c.json({ type: 'finish', uploadId: 2 });
    expect(await c.next((m) => m.type === 'error' && m.uploadId === 2)).toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      offset: 0,
    });
    const visible = await fs.readdir(fx.folder);
    expect(
      visible.filter((n) => !n.startsWith('.') && n !== new Date().getFullYear().toString() && !/^\d{4}$/.test(n)),
    ).toEqual([]);
    c.json({
      type: 'announce',
      uploadId: 3,
      assetId: 'SHA/2',
      resourceType: 'photo',
      filename: 'sha.jpg',
      size: 5000,
      sha256: wrong,
    });
    expect(await c.next((m) => m.type === 'ready' && m.uploadId === 3)).toMatchObject({ offset: 0 });
    c.close();
    await bystanderStillServed();
  });

  it.each([
    ['../../escape.jpg'],
    ['/etc/passwd'],
    ['C:\\Windows\\evil.jpg'],
    ['nul\u0000.jpg'],
    ['CON'],
    ['aux.jpg'],
    [`${'x'.repeat(300)}.jpg`],
  ])('refuses the filename %j and writes nothing outside the folder', async (filename) => {
    const c = await RawClient.authed(fx.wsUrl, token);
    c.json(announceMsg(1, { filename }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'BAD_FILENAME',
      uploadId: 1,
      retryable: false,
    });
    const around = await fs.readdir(path.dirname(fx.folder));
    expect(around.sort()).toEqual(['Backup', 'data']);
    c.close();
    await bystanderStillServed();
  });

  it('closes a connection whose frame is over the size limit (1009)', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    c.binary(Buffer.alloc(CHUNK_HEADER_BYTES + MAX_CHUNK_BYTES + 1));
    expect(await c.closed()).toBe(1009);
    await bystanderStillServed();
  });

  it('refuses chunks for uploads never announced, and duplicate upload ids', async () => {
    const c = await RawClient.authed(fx.wsUrl, token);
    c.chunk(77, 0, Buffer.from('orphan'));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_UPLOAD', uploadId: 77 });
    c.json(announceMsg(8));
    await c.next((m) => m.type === 'ready');
    c.json(announceMsg(8, { assetId: 'OTHER' }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'UPLOAD_ID_IN_USE', uploadId: 8 });
    c.json({ type: 'finish', uploadId: 12345 });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_UPLOAD' });
    c.close();
  });

  it('rejects a WebSocket on an unknown path and unknown HTTP endpoints', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${fx.receiver.url.replace('http', 'ws')}/v1/nope`);
        ws.on('open', resolve);
        ws.on('error', reject);
      }),
    ).rejects.toThrow(/404/);
    const res = await fetch(`${fx.receiver.url}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('serves /v1/info without secrets', async () => {
    const res = await fetch(`${fx.receiver.url}/v1/info`);
    const info: unknown = await res.json();
    expect(info).toEqual({
      product: 'shoebox',
      protocol: 1,
      receiverId: fx.receiver.receiverId,
      name: 'Test Receiver',
      version: expect.any(String) as unknown,
      pairingOpen: expect.any(Boolean) as unknown,
      tls: false,
    });
  });
});

describe('stalls and full disks', () => {
  it('closes a connection that stalls mid-upload (idle timeout), keeping the upload resumable', async () => {
    const fx = await startFixture({ idleTimeoutMs: 400 });
    try {
      const { token } = await fx.pair();
      const c = await RawClient.authed(fx.wsUrl, token);
      const bytes = randomBytes(4000);
      c.json({
        type: 'announce',
        uploadId: 1,
        assetId: 'STALL/1',
        resourceType: 'photo',
        filename: 'stall.jpg',
        size: 4000,
        sha256: sha256Hex(bytes),
      });
      await c.next((m) => m.type === 'ready');
      c.chunk(1, 0, bytes.subarray(0, 1000));
      expect(await c.next((m) => m.type === 'error', 5000)).toMatchObject({ code: 'IDLE_TIMEOUT', retryable: true });
      expect(await c.closed()).toBe(4008);
      const again = await RawClient.authed(fx.wsUrl, token);
      expect(await again.upload(1, bytes, { filename: 'stall.jpg', assetId: 'STALL/1' })).toMatchObject({
        type: 'committed',
      });
      again.close();
    } finally {
      await fx.dispose();
    }
  });

  it('answers DISK_FULL (retryable) when the disk lacks room, and resumes once space is back', async () => {
    let free = 1000;
    const fx = await startFixture({ minFreeBytes: 0 }, { freeBytes: async () => free });
    try {
      const { token } = await fx.pair();
      const c = await RawClient.authed(fx.wsUrl, token);
      const bytes = randomBytes(5000);
      const answer = await c.upload(1, bytes, { filename: 'full.jpg' });
      expect(answer).toMatchObject({
        type: 'error',
        code: 'DISK_FULL',
        retryable: true,
        message: expect.stringContaining('Free some space') as unknown,
      });
      free = 10 * 1024 * 1024;
      expect(await c.upload(2, bytes, { filename: 'full.jpg' })).toMatchObject({ type: 'committed' });
      c.close();
    } finally {
      await fx.dispose();
    }
  });
});
