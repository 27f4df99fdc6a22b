/** Resumable uploads (draft-ietf-httpbis-resumable-upload) in interop versions 3, 5 and 6. */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_PHOTOS, photo } from '../helpers/photos';
import { startFixture, type Fixture } from '../helpers/receiver-fixture';
import { deferred, open, pathOf, reprDigest, send, uploadHeaders, uploadPath } from './http-client';
import { answeredComplete, auth, completeFields, content, expectStored, head, patch, VERSIONS } from './resumable-helpers';

let fx: Fixture;
let token: string;

beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('Resuming iPhone')).token;
});
afterAll(async () => fx.dispose());

function sample(label: string): Buffer {
  const real = HAVE_PHOTOS && existsSync(photo('heic-single.heic')) ? readFileSync(photo('heic-single.heic')) : content('fallback', 293_608);
  return Buffer.concat([real, Buffer.from(label)]); // unique bytes per test, still a real photo's prefix
}

describe.each(VERSIONS)('interop version %i', (version) => {
  it.each([0, 1, 65_536, 200_000])('create with the first %i bytes, HEAD, PATCH the rest', async (cut) => {
    const bytes = sample(`v${version}-at-${cut}`);
    const created = await send(fx.receiver.url, 'POST', uploadPath(`resume-${version}-${cut}/L0/001`), {
      ...uploadHeaders(token, `R${version}_${cut}.HEIC`, { 'content-type': 'image/heic' }), ...completeFields(version, false), 'upload-length': String(bytes.length),
    }, bytes.subarray(0, cut));
    expect(created.status, created.text).toBe(201);
    expect(created.headers['upload-draft-interop-version']).toBe(String(version));
    expect(created.headers['upload-offset']).toBe(String(cut));
    expect(answeredComplete(version, created)).toBe(false);
    expect(created.headers['upload-limit']).toMatch(/max-size=\d+/);
    const location = String(created.headers.location);
    expect(pathOf(location)).toMatch(/^\/v1\/uploads\/[0-9a-f]{32}$/);
    expect(created.interim.map((i) => i.status)).toEqual([104]);
    expect(created.interim[0]?.headers.location).toBe(location);

    const state = await head(fx, location, token, version);
    expect(state.status).toBe(204);
    expect(state.headers['upload-offset']).toBe(String(cut));
    expect(state.headers['upload-length']).toBe(String(bytes.length));
    expect(state.headers['cache-control']).toBe('no-store');
    expect(answeredComplete(version, state)).toBe(false);

    const done = await patch(fx, location, token, version, cut, bytes.subarray(cut));
    expectStored(fx, done, bytes, version);
    expect(done.headers['repr-digest']).toBe(reprDigest(bytes));
    expect(done.headers['upload-offset']).toBe(String(bytes.length));

    const after = await head(fx, location, token, version);
    expect(after.status).toBe(204);
    expect(answeredComplete(version, after)).toBe(true);
    expect(after.headers['shoebox-path']).toBe(done.headers['shoebox-path']);
  });

  it('appends in several PATCHes without knowing the length up front', async () => {
    const bytes = sample(`v${version}-parts`);
    const created = await send(fx.receiver.url, 'PUT', uploadPath(`parts-${version}/L0/001`), { ...uploadHeaders(token, `P${version}.HEIC`), ...completeFields(version, false) }, bytes.subarray(0, 1000));
    expect(created.status, created.text).toBe(201);
    const location = String(created.headers.location);
    const middle = await patch(fx, location, token, version, 1000, bytes.subarray(1000, 100_000), false);
    expect(middle.status, middle.text).toBe(204);
    expect(middle.headers['upload-offset']).toBe('100000');
    expect(answeredComplete(version, middle)).toBe(false);
    expectStored(fx, await patch(fx, location, token, version, 100_000, bytes.subarray(100_000)), bytes, version);
  });

  it('answers a PATCH at the wrong offset with 409 and the offset it holds', async () => {
    const bytes = sample(`v${version}-conflict`);
    const created = await send(fx.receiver.url, 'POST', uploadPath(`conflict-${version}/L0/001`), { ...uploadHeaders(token, `C${version}.HEIC`), ...completeFields(version, false) }, bytes.subarray(0, 5000));
    const location = String(created.headers.location);
    for (const wrong of [0, 4999, 6000]) {
      const conflict = await patch(fx, location, token, version, wrong, bytes.subarray(wrong));
      expect(conflict.status).toBe(409);
      expect(conflict.headers['upload-offset']).toBe('5000');
      expect(conflict.headers['shoebox-error']).toBe('BAD_OFFSET');
      expect(answeredComplete(version, conflict)).toBe(false);
    }
    expectStored(fx, await patch(fx, location, token, version, 5000, bytes.subarray(5000)), bytes, version);
  });
});

describe('interrupted uploads', () => {
  it('keeps the bytes of a connection cut mid-body: HEAD reports them, PATCH completes it byte-identical', async () => {
    const bytes = sample('cut-mid-body');
    const upload = open(fx.receiver.url, 'POST', uploadPath('cut/L0/001'), {
      ...uploadHeaders(token, 'CUT.HEIC'), ...completeFields(6, true), 'content-length': String(bytes.length),
    });
    await upload.write(bytes.subarray(0, 150_000));
    const interim = await upload.resumption;
    const location = String(interim.headers.location);
    await deferred(300);
    upload.cut();

    const state = await head(fx, location, token, 6);
    expect(state.status).toBe(204);
    const offset = Number(state.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(150_000);
    expect(state.headers['upload-length']).toBe(String(bytes.length));
    expectStored(fx, await patch(fx, location, token, 6, offset, bytes.subarray(offset)), bytes, 6);
  });

  it('shows in the receiver\'s upload activity: receiving, then interrupted, then stored (transport http)', async () => {
    const states: string[] = [];
    const onActivity = (a: { filename: string; state: string; transport: string }) => {
      if (a.filename === 'ACTIVE.HEIC') states.push(`${a.transport}:${a.state}`);
    };
    fx.receiver.events.on('activity', onActivity);
    const bytes = sample('activity');
    const created = await send(fx.receiver.url, 'POST', uploadPath('activity/L0/001'), { ...uploadHeaders(token, 'ACTIVE.HEIC'), ...completeFields(6, false) }, bytes.subarray(0, 1000));
    expect(fx.receiver.activeUploads().find((a) => a.filename === 'ACTIVE.HEIC')).toMatchObject({ state: 'interrupted', received: 1000, transport: 'http' });
    await patch(fx, String(created.headers.location), token, 6, 1000, bytes.subarray(1000));
    fx.receiver.events.off('activity', onActivity);
    expect(states[0]).toBe('http:receiving');
    expect(states).toContain('http:interrupted');
    expect(states.slice(-2)).toEqual(['http:verifying', 'http:stored']);
    expect(fx.receiver.activeUploads().find((a) => a.filename === 'ACTIVE.HEIC')).toBeUndefined();
  });

  it('lets a newer request take over an upload whose old connection is still open', async () => {
    const bytes = sample('takeover');
    const stale = open(fx.receiver.url, 'POST', uploadPath('takeover/L0/001'), { ...uploadHeaders(token, 'TAKE.HEIC'), ...completeFields(6, true), 'content-length': String(bytes.length) });
    await stale.write(bytes.subarray(0, 70_000));
    const location = String((await stale.resumption).headers.location);
    await deferred(200);
    const state = await head(fx, location, token, 6); // the old request is stopped first
    const offset = Number(state.headers['upload-offset']);
    expect(offset).toBe(70_000);
    await expect(stale.answer.then((a) => String(a.status), () => 'closed')).resolves.toMatch(/^(409|closed)$/);
    expectStored(fx, await patch(fx, location, token, 6, offset, bytes.subarray(offset)), bytes, 6);
  });

  it('DELETE cancels the upload and frees its staging', async () => {
    const bytes = sample('delete-me');
    const created = await send(fx.receiver.url, 'POST', uploadPath('delete/L0/001'), { ...uploadHeaders(token, 'DEL.HEIC'), ...completeFields(5, false) }, bytes.subarray(0, 40_000));
    const location = String(created.headers.location);
    expect((await fx.receiver.staging.list()).some((s) => s.spec.filename === 'DEL.HEIC')).toBe(true);
    const deleted = await send(fx.receiver.url, 'DELETE', pathOf(location), { ...auth(token), 'upload-draft-interop-version': '5' });
    expect(deleted.status).toBe(204);
    expect((await fx.receiver.staging.list()).some((s) => s.spec.filename === 'DEL.HEIC')).toBe(false);
    expect((await head(fx, location, token, 5)).status).toBe(404);
  });

  it('hides an upload resource from every other device', async () => {
    const other = (await fx.pair('Someone else', 'other-device')).token;
    const bytes = sample('private');
    const created = await send(fx.receiver.url, 'POST', uploadPath('private/L0/001'), { ...uploadHeaders(token, 'MINE.HEIC'), ...completeFields(6, false) }, bytes.subarray(0, 10_000));
    const location = String(created.headers.location);
    const unknown = await send(fx.receiver.url, 'HEAD', '/v1/uploads/0123456789abcdef0123456789abcdef', auth(other));
    for (const answer of [
      await head(fx, location, other, 6),
      await patch(fx, location, other, 6, 10_000, bytes.subarray(10_000)),
      await send(fx.receiver.url, 'DELETE', pathOf(location), auth(other)),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.headers['shoebox-error']).toBe(unknown.headers['shoebox-error']);
      expect(answer.headers['upload-offset']).toBeUndefined();
    }
    expect((await send(fx.receiver.url, 'HEAD', pathOf(location), {})).status).toBe(401);
    expect((await head(fx, location, token, 6)).headers['upload-offset']).toBe('10000');
    expectStored(fx, await patch(fx, location, token, 6, 10_000, bytes.subarray(10_000)), bytes, 6);
  });

  it('keeps an upload resource across a receiver restart', async () => {
    const bytes = sample('restart');
    const created = await send(fx.receiver.url, 'POST', uploadPath('restart/L0/001'), { ...uploadHeaders(token, 'RESTART.HEIC'), ...completeFields(6, false) }, bytes.subarray(0, 123_456));
    const location = String(created.headers.location);
    await fx.restart();
    const state = await head(fx, location, token, 6);
    expect(state.status).toBe(204);
    expect(state.headers['upload-offset']).toBe('123456');
    expectStored(fx, await patch(fx, location, token, 6, 123_456, bytes.subarray(123_456)), bytes, 6);
  });
});

describe('lengths', () => {
  it('answers a body shorter than its Upload-Length with 409 INCOMPLETE, and lets PATCH finish it', async () => {
    const bytes = content('short-body', 2000);
    const created = await send(fx.receiver.url, 'POST', uploadPath('short/L0/001'), {
      ...uploadHeaders(token, 'SHORT.JPG'), ...completeFields(6, true), 'upload-length': '2000',
    }, [bytes.subarray(0, 1000)]);
    expect(created.status).toBe(409);
    expect(created.headers['shoebox-error']).toBe('INCOMPLETE');
    expect(created.headers['upload-offset']).toBe('1000');
    expectStored(fx, await patch(fx, String(created.headers.location), token, 6, 1000, bytes.subarray(1000)), bytes, 6);
  });

  it('refuses a body past its Upload-Length with 400 OUT_OF_RANGE and discards the upload', async () => {
    const created = await send(fx.receiver.url, 'POST', uploadPath('long/L0/001'), {
      ...uploadHeaders(token, 'LONG.JPG'), ...completeFields(6, false), 'upload-length': '1000',
    }, [content('long-body', 1500)]);
    expect(created.status).toBe(400);
    expect(created.headers['shoebox-error']).toBe('OUT_OF_RANGE');
    expect((await fx.receiver.staging.list()).some((s) => s.spec.filename === 'LONG.JPG')).toBe(false);
  });
});

describe('idle bodies', () => {
  it('gives up a body silent for the idle timeout with 408, keeping its bytes for a resume', async () => {
    const idle = await startFixture({ idleTimeoutMs: 300 });
    try {
      const t = (await idle.pair()).token;
      const bytes = content('idle', 50_000);
      const upload = open(idle.receiver.url, 'POST', uploadPath('idle/L0/001'), { ...uploadHeaders(t, 'IDLE.JPG'), ...completeFields(6, true), 'content-length': String(bytes.length) });
      await upload.write(bytes.subarray(0, 20_000));
      const location = String((await upload.resumption).headers.location);
      const answer = await upload.answer;
      expect(answer.status).toBe(408);
      expect(answer.headers['shoebox-error']).toBe('IDLE_TIMEOUT');
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      expect(answer.headers['upload-offset']).toBe('20000');
      expect((await head(idle, location, t, 6)).headers['upload-offset']).toBe('20000');
      expectStored(idle, await patch(idle, location, t, 6, 20_000, bytes.subarray(20_000)), bytes, 6);
    } finally {
      await idle.dispose();
    }
  });
});

describe('expiry', () => {
  it('drops an upload resource untouched for the stale-upload age', async () => {
    const short = await startFixture({ staleUploadAgeMs: 500 });
    try {
      const t = (await short.pair()).token;
      const created = await send(short.receiver.url, 'POST', uploadPath('stale/L0/001'), { ...uploadHeaders(t, 'STALE.HEIC'), ...completeFields(6, false) }, Buffer.alloc(1000, 1));
      const location = String(created.headers.location);
      await deferred(800);
      expect((await head(short, location, t, 6)).status).toBe(404);
      await short.restart();
      expect(await short.receiver.staging.list()).toEqual([]);
    } finally {
      await short.dispose();
    }
  });
});
