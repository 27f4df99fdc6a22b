/**
 * Resumable uploads beyond the per-version conformance suite (conformance.test.ts): cuts, takeovers,
 * the URL as the capability, restarts, lengths, idle bodies and expiry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_PHOTOS, photo } from '../../../helpers/photos';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { deferred, open, pathOf, send, sha256Hex, uploadHeaders, uploadPath } from '../../../helpers/photokit-http';
import { auth, completeFields, content, expectStored, head, patch } from '../../../helpers/resumable';
import { receiverInternals } from '../../../../electron/receiver/test-seam';

let fx: Fixture;
let token: string;

beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('Resuming iPhone')).token;
});
afterAll(async () => fx.dispose());

function sample(label: string): Buffer {
  const real =
    HAVE_PHOTOS && existsSync(photo('heic-single.heic'))
      ? readFileSync(photo('heic-single.heic'))
      : content('fallback', 293_608);
  return Buffer.concat([real, Buffer.from(label)]); // unique bytes per test, still a real photo's prefix
}

describe('interrupted uploads', () => {
  it('keeps the bytes of a connection cut mid-body: HEAD reports them, PATCH completes it byte-identical', async () => {
    const bytes = sample('cut-mid-body');
    const upload = open(fx.receiver.url, 'POST', uploadPath('cut/L0/001'), {
      ...uploadHeaders(token, 'CUT.HEIC'),
      ...completeFields(6, true),
      'content-length': String(bytes.length),
    });
    await upload.write(bytes.subarray(0, 150_000));
    const interim = await upload.resumption;
    const location = String(interim.headers.location);
    await deferred(300);
    upload.cut();

    const state = await head(fx, location, 6);
    expect(state.status).toBe(204);
    const offset = Number(state.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(150_000);
    expect(state.headers['upload-length']).toBe(String(bytes.length));
    expectStored(fx, await patch(fx, location, 6, offset, bytes.subarray(offset)), bytes, 6);
  });

  it("shows in the receiver's upload activity: receiving, then interrupted, then stored (transport http)", async () => {
    const states: string[] = [];
    const onActivity = (a: { filename: string; state: string; transport: string }) => {
      if (a.filename === 'ACTIVE.HEIC') states.push(`${a.transport}:${a.state}`);
    };
    fx.receiver.events.on('activity', onActivity);
    const bytes = sample('activity');
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('activity/L0/001'),
      { ...uploadHeaders(token, 'ACTIVE.HEIC'), ...completeFields(6, false) },
      bytes.subarray(0, 1000),
    );
    expect(fx.receiver.activeUploads().find((a) => a.filename === 'ACTIVE.HEIC')).toMatchObject({
      state: 'interrupted',
      received: 1000,
      transport: 'http',
    });
    await patch(fx, String(created.headers.location), 6, 1000, bytes.subarray(1000));
    fx.receiver.events.off('activity', onActivity);
    expect(states[0]).toBe('http:receiving');
    expect(states).toContain('http:interrupted');
    expect(states.slice(-2)).toEqual(['http:verifying', 'http:stored']);
    expect(fx.receiver.activeUploads().find((a) => a.filename === 'ACTIVE.HEIC')).toBeUndefined();
  });

  it('lets a newer request take over an upload whose old connection is still open', async () => {
    const bytes = sample('takeover');
    const stale = open(fx.receiver.url, 'POST', uploadPath('takeover/L0/001'), {
      ...uploadHeaders(token, 'TAKE.HEIC'),
      ...completeFields(6, true),
      'content-length': String(bytes.length),
    });
    await stale.write(bytes.subarray(0, 70_000));
    const location = String((await stale.resumption).headers.location);
    await deferred(200);
    const state = await head(fx, location, 6); // the old request is stopped first
    const offset = Number(state.headers['upload-offset']);
    expect(offset).toBe(70_000);
    // Taken over: closed, not answered (a final 409 would fail the job on iOS).
    await expect(
      stale.answer.then(
        (a) => String(a.status),
        () => 'closed',
      ),
    ).resolves.toBe('closed');
    expectStored(fx, await patch(fx, location, 6, offset, bytes.subarray(offset)), bytes, 6);
  });

  it('DELETE cancels the upload and frees its staging', async () => {
    const bytes = sample('delete-me');
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('delete/L0/001'),
      { ...uploadHeaders(token, 'DEL.HEIC'), ...completeFields(5, false) },
      bytes.subarray(0, 40_000),
    );
    const location = String(created.headers.location);
    expect((await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === 'DEL.HEIC')).toBe(
      true,
    );
    const deleted = await send(fx.receiver.url, 'DELETE', pathOf(location), {
      ...auth(token),
      'upload-draft-interop-version': '5',
    });
    expect(deleted.status).toBe(204);
    expect((await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === 'DEL.HEIC')).toBe(
      false,
    );
    expect((await head(fx, location, 5)).status).toBe(404);
  });

  it(
    'is reached by its URL alone, as iOS resumes: no token needed, ' + "a token sent anyway must be the owner's",
    async () => {
      const other = (await fx.pair('Someone else', 'other-device')).token;
      const bytes = sample('private');
      const created = await send(
        fx.receiver.url,
        'POST',
        uploadPath('private/L0/001'),
        { ...uploadHeaders(token, 'MINE.HEIC'), ...completeFields(8, false) },
        bytes.subarray(0, 10_000),
      );
      const location = String(created.headers.location);
      expect(pathOf(location)).toMatch(/^\/v1\/uploads\/[0-9a-f]{32}$/); // 128 random bits
      const unknown = await send(fx.receiver.url, 'HEAD', '/v1/uploads/0123456789abcdef0123456789abcdef', {});
      expect(unknown.status).toBe(404);
      for (const answer of [
        await head(fx, location, 8, other),
        await patch(fx, location, 8, 10_000, bytes.subarray(10_000), true, other),
        await send(fx.receiver.url, 'DELETE', pathOf(location), auth(other)),
        await send(fx.receiver.url, 'HEAD', pathOf(location), { 'shoebox-token': other }),
      ]) {
        expect(answer.status).toBe(404);
        expect(answer.headers['shoebox-error']).toBe(unknown.headers['shoebox-error']);
        expect(answer.headers['upload-offset']).toBeUndefined();
      }
      expect((await send(fx.receiver.url, 'HEAD', pathOf(location), auth('x'.repeat(43)))).status).toBe(401);
      expect((await head(fx, location, 8, token)).headers['upload-offset']).toBe('10000');
      const bare = await head(fx, location, 8);
      expect(bare.status).toBe(204);
      expect(bare.headers['upload-offset']).toBe('10000');
      expectStored(fx, await patch(fx, location, 8, 10_000, bytes.subarray(10_000)), bytes, 8);
    },
  );

  it("stops a revoked device's resources at once: HEAD and PATCH by URL get 403", async () => {
    const paired = await fx.pair('Revoked later', 'revoked-later');
    const bytes = sample('revoked');
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('revoked/L0/001'),
      { ...uploadHeaders(paired.token, 'REV.HEIC'), ...completeFields(8, false) },
      bytes.subarray(0, 5000),
    );
    const location = String(created.headers.location);
    expect((await head(fx, location, 8)).status).toBe(204);
    await fx.receiver.revokeDevice(paired.deviceId);
    for (const answer of [await head(fx, location, 8), await patch(fx, location, 8, 5000, bytes.subarray(5000))]) {
      expect(answer.status).toBe(403);
      expect(answer.headers['shoebox-error']).toBe('DEVICE_REVOKED');
      expect(answer.headers['shoebox-error-action']).toBe('give-up');
    }
    expect(fx.receiver.library.getBySha(sha256Hex(bytes))).toBeUndefined();
  });

  it('keeps an upload resource across a receiver restart', async () => {
    const bytes = sample('restart');
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('restart/L0/001'),
      { ...uploadHeaders(token, 'RESTART.HEIC'), ...completeFields(6, false) },
      bytes.subarray(0, 123_456),
    );
    const location = String(created.headers.location);
    await fx.restart();
    const state = await head(fx, location, 6);
    expect(state.status).toBe(204);
    expect(state.headers['upload-offset']).toBe('123456');
    expectStored(fx, await patch(fx, location, 6, 123_456, bytes.subarray(123_456)), bytes, 6);
  });
});

describe('lengths', () => {
  it('answers a body shorter than its Upload-Length with 409 INCOMPLETE, and lets PATCH finish it', async () => {
    const bytes = content('short-body', 2000);
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('short/L0/001'),
      {
        ...uploadHeaders(token, 'SHORT.JPG'),
        ...completeFields(6, true),
        'upload-length': '2000',
      },
      [bytes.subarray(0, 1000)],
    );
    expect(created.status).toBe(409);
    expect(created.headers['shoebox-error']).toBe('INCOMPLETE');
    expect(created.headers['upload-offset']).toBe('1000');
    expectStored(fx, await patch(fx, String(created.headers.location), 6, 1000, bytes.subarray(1000)), bytes, 6);
  });

  it('refuses a body past its Upload-Length with 400 OUT_OF_RANGE and discards the upload', async () => {
    const created = await send(
      fx.receiver.url,
      'POST',
      uploadPath('long/L0/001'),
      {
        ...uploadHeaders(token, 'LONG.JPG'),
        ...completeFields(6, false),
        'upload-length': '1000',
      },
      [content('long-body', 1500)],
    );
    expect(created.status).toBe(400);
    expect(created.headers['shoebox-error']).toBe('OUT_OF_RANGE');
    expect((await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === 'LONG.JPG')).toBe(
      false,
    );
  });
});

describe('idle bodies', () => {
  it(
    'hangs up on a resumable body silent for the idle timeout ' +
      '(no final 408, which would fail the job), keeping its bytes',
    async () => {
      const idle = await startFixture({ idleTimeoutMs: 300 });
      try {
        const t = (await idle.pair()).token;
        const bytes = content('idle', 50_000);
        const upload = open(idle.receiver.url, 'POST', uploadPath('idle/L0/001'), {
          ...uploadHeaders(t, 'IDLE.JPG'),
          ...completeFields(8, true),
          'upload-length': String(bytes.length),
          'content-length': String(bytes.length),
        });
        await upload.write(bytes.subarray(0, 20_000));
        const location = String((await upload.resumption).headers.location);
        await expect(upload.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
        expect((await head(idle, location, 8)).headers['upload-offset']).toBe('20000');
        expectStored(idle, await patch(idle, location, 8, 20_000, bytes.subarray(20_000)), bytes, 8);
      } finally {
        await idle.dispose();
      }
    },
  );

  it('answers a plain upload whose body goes silent with 408 and what to do', async () => {
    const idle = await startFixture({ idleTimeoutMs: 300 });
    try {
      const t = (await idle.pair()).token;
      const upload = open(idle.receiver.url, 'POST', uploadPath('idle-plain/L0/001'), {
        ...uploadHeaders(t, 'IDLE2.JPG'),
        'content-length': '50000',
      });
      await upload.write(content('idle-plain', 20_000));
      const answer = await upload.answer;
      expect(answer.status).toBe(408);
      expect(answer.headers).toMatchObject({ 'shoebox-error': 'IDLE_TIMEOUT', 'shoebox-error-action': 'retry' });
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
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
      const created = await send(
        short.receiver.url,
        'POST',
        uploadPath('stale/L0/001'),
        { ...uploadHeaders(t, 'STALE.HEIC'), ...completeFields(6, false) },
        Buffer.alloc(1000, 1),
      );
      const location = String(created.headers.location);
      await deferred(800);
      expect((await head(short, location, 6)).status).toBe(404);
      await short.restart();
      expect(await receiverInternals(short.receiver).staging.list()).toEqual([]);
    } finally {
      await short.dispose();
    }
  });
});
