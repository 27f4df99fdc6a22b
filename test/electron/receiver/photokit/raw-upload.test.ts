/** Raw-body PhotoKit uploads: one request per resource, the bytes as the body, metadata in headers. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPhotos, HAVE_PHOTOS, photo, SKIP_PHOTOS_MESSAGE } from '../../../helpers/photos';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { reprDigest, send, sha256Hex, uploadHeaders, uploadPath } from '../../../helpers/photokit-http';
import { receiverInternals } from '../../../../electron/receiver/test-seam';

let fx: Fixture;
let token: string;

beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('Raw iPhone')).token;
});
afterAll(async () => fx.dispose());

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function storedFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(fx.folder, full).split(path.sep).join('/'));
    }
  };
  await walk(fx.folder);
  return out.sort();
}

describe.skipIf(!HAVE_PHOTOS)('every sample photo in one raw request', () => {
  if (!HAVE_PHOTOS) it.skip(SKIP_PHOTOS_MESSAGE, () => undefined);
  const names = allPhotos();

  it.each(names)('%s: 201, byte-identical, then 200 with the same asset id and path', async (name) => {
    const bytes = readFileSync(photo(name));
    const assetId = `${name.replace(/\W/g, '')}/L0/001`;
    const headers = uploadHeaders(token, name, {
      'content-type': 'application/octet-stream',
      'shoebox-creation-date': '2021-03-04T05:06:07+01:00',
    });
    const first = await send(fx.receiver.url, 'POST', uploadPath(assetId), headers, bytes);
    expect(first.status, first.text).toBe(201);
    expect(first.headers['shoebox-asset-id']).toBe(encodeURIComponent(assetId));
    expect(first.headers['shoebox-resource-type']).toBe('photo');
    expect(first.headers['repr-digest']).toBe(reprDigest(bytes));
    expect(first.headers['shoebox-duplicate']).toBe('?0');
    expect(first.headers['shoebox-size']).toBe(String(bytes.byteLength));
    const storedPath = decodeURIComponent(String(first.headers['shoebox-path']));
    expect(first.json()).toMatchObject({
      assetId,
      path: storedPath,
      sha256: sha256Hex(bytes),
      size: bytes.byteLength,
      duplicate: false,
    });
    expect(readFileSync(path.join(fx.folder, storedPath)).equals(bytes)).toBe(true);

    const again = await send(fx.receiver.url, 'PUT', uploadPath(assetId), headers, bytes);
    expect(again.status, again.text).toBe(200);
    expect(again.headers['shoebox-asset-id']).toBe(first.headers['shoebox-asset-id']);
    expect(again.headers['shoebox-path']).toBe(first.headers['shoebox-path']);
    expect(again.headers['shoebox-duplicate']).toBe('?1');
  });

  it('stored each sample once, under its own name, and left nothing in staging', async () => {
    const files = await storedFiles();
    expect(files).toHaveLength(new Set(names.map((n) => sha256Hex(readFileSync(photo(n))))).size);
    expect(await receiverInternals(fx.receiver).staging.list()).toEqual([]);
  });
});

describe('raw uploads', () => {
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));

  it('takes a chunked body (no Content-Length) and commits it byte-identical', async () => {
    const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000, 200_000), bytes.subarray(200_000)];
    const answer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('chunked/L0/001', 'video'),
      uploadHeaders(token, 'CLIP.MOV', { 'content-type': 'video/quicktime' }),
      pieces,
    );
    expect(answer.status, answer.text).toBe(201);
    const stored = decodeURIComponent(String(answer.headers['shoebox-path']));
    expect(stored).toMatch(/CLIP\.MOV$/);
    expect(readFileSync(path.join(fx.folder, stored)).equals(bytes)).toBe(true);
  });

  it(
    'keeps a UTF-8 filename sent as RFC 8187 ext-value, and ' +
      'files by Shoebox-Creation-Date when the file has no EXIF',
    async () => {
      const body = Buffer.from('not really a photo, no EXIF here');
      const answer = await send(
        fx.receiver.url,
        'POST',
        uploadPath('utf8/L0/001'),
        {
          authorization: `Bearer ${token}`,
          'shoebox-filename': `UTF-8''${encodeURIComponent('Été à Zürich.txt')}`,
          'shoebox-creation-date': '2017-06-15T08:30:00+02:00',
        },
        body,
      );
      expect(answer.status, answer.text).toBe(201);
      expect(decodeURIComponent(String(answer.headers['shoebox-path']))).toBe('2017/2017-06/Été à Zürich.txt');
      expect(answer.headers['shoebox-capture-date']).toBe('2017-06-15T08:30:00');
    },
  );

  it('accepts a matching Repr-Digest, and answers 200 at once for content already stored', async () => {
    const body = Buffer.from('digest-checked bytes');
    const headers = uploadHeaders(token, 'DIGEST.TXT', { 'repr-digest': reprDigest(body) });
    expect((await send(fx.receiver.url, 'POST', uploadPath('digest/L0/001'), headers, body)).status).toBe(201);
    const again = await send(fx.receiver.url, 'POST', uploadPath('digest/L0/001'), headers, body);
    expect(again.status).toBe(200);
    expect(again.headers['shoebox-duplicate']).toBe('?1');
  });

  it('keeps reading a body it answered early, so a client still sending gets the answer, not a reset', async () => {
    const body = randomBytes(6 * 1024 * 1024);
    const headers = uploadHeaders(token, 'EARLY.MOV', { 'repr-digest': reprDigest(body) });
    expect((await send(fx.receiver.url, 'POST', uploadPath('early/L0/001', 'video'), headers, body)).status).toBe(201);
    // Again, like iOS: the head and then the whole body at once, without waiting for any answer.
    const { port } = new URL(fx.receiver.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<Error | null>((resolve) => {
      socket.once('error', (error) => resolve(error));
      socket.once('close', () => resolve(null));
    });
    const head = [
      `POST ${uploadPath('early/L0/001', 'video')} HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `content-length: ${body.byteLength}`,
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    for (let offset = 0; offset < body.byteLength; offset += 64 * 1024)
      socket.write(body.subarray(offset, offset + 64 * 1024));
    await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
    await until(() => received.includes('"duplicate":true'));
    socket.end();
    expect(await closed).toBeNull();
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/shoebox-duplicate: \?1/i);
  });

  it('refuses a Repr-Digest mismatch with 422 CHECKSUM_MISMATCH and stores nothing', async () => {
    const body = Buffer.from('these bytes are not the announced ones');
    const before = await storedFiles();
    const answer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('mismatch/L0/001'),
      uploadHeaders(token, 'MISMATCH.JPG', { 'repr-digest': reprDigest(Buffer.from('other')) }),
      body,
    );
    expect(answer.status).toBe(422);
    expect(answer.headers['shoebox-error']).toBe('CHECKSUM_MISMATCH');
    expect(answer.json().error?.code).toBe('CHECKSUM_MISMATCH');
    expect(await storedFiles()).toEqual(before);
    expect(await receiverInternals(fx.receiver).staging.list()).toEqual([]);
  });

  it("files a Live Photo's photo and pairedVideo (two jobs, one asset) side by side", async () => {
    const headers = (name: string) => uploadHeaders(token, name, { 'shoebox-creation-date': '2016-02-03T04:05:06' });
    const still = await send(
      fx.receiver.url,
      'POST',
      uploadPath('live/L0/001', 'photo'),
      headers('IMG_0042.HEIC'),
      Buffer.from('live still bytes'),
    );
    const motion = await send(
      fx.receiver.url,
      'POST',
      uploadPath('live/L0/001', 'pairedVideo'),
      headers('IMG_0042.MOV'),
      Buffer.from('live motion bytes'),
    );
    expect([still.status, motion.status]).toEqual([201, 201]);
    expect(decodeURIComponent(String(still.headers['shoebox-path']))).toBe('2016/2016-02/IMG_0042.HEIC');
    expect(decodeURIComponent(String(motion.headers['shoebox-path']))).toBe('2016/2016-02/IMG_0042.MOV');
    expect(motion.headers['shoebox-resource-type']).toBe('pairedVideo');
  });

  it('reports a committed event like the WebSocket path', async () => {
    const seen: string[] = [];
    fx.receiver.events.on('committed', (e) => seen.push(e.filename));
    const answer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('event/L0/001'),
      uploadHeaders(token, 'EVENT.JPG'),
      Buffer.from('event bytes'),
    );
    expect(answer.status).toBe(201);
    expect(seen).toEqual(['EVENT.JPG']);
  });
});
