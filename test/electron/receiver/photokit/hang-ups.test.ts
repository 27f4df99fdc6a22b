/**
 * Transient trouble in the middle of a resumable body (disk reserve, shutdown) closes the connection
 * instead of answering it: iOS resumes only a dropped connection and fails the job on a final 408, 409 or
 * 503. Plain uploads keep their clear error answers. And the places a creation may carry the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { deferred, open, send, uploadPath } from '../../../helpers/photokit-http';
import { completeFields, content, expectStored, head, patch } from '../../../helpers/resumable';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.dispose();
  fx = undefined;
});

function tokenHeaders(filename: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shoebox-filename': encodeURIComponent(filename), ...extra };
}

describe('hanging up instead of a final answer', () => {
  it(
    'closes a resumable body when the disk reaches its reserve; ' +
      'HEAD reports the bytes and PATCH finishes once there is room',
    async () => {
      let free = 10 * 1024 * 1024 * 1024;
      fx = await startFixture(
        { minFreeBytes: 1024 * 1024 },
        { freeBytes: async () => free, spaceCheckEveryBytes: 64 * 1024 },
      );
      const { token } = await fx.pair();
      const bytes = content('reserve', 900_000);
      const upload = open(fx.receiver.url, 'POST', uploadPath('reserve/L0/001'), {
        ...tokenHeaders('RESERVE.HEIC', { 'shoebox-token': token }),
        ...completeFields(8, true),
        'upload-length': String(bytes.length),
        'content-length': String(bytes.length),
      });
      await upload.write(bytes.subarray(0, 400_000)); // past the receiver's first 256 KiB write
      const location = String((await upload.resumption).headers.location);
      await deferred(200);
      free = 0; // another program filled the disk
      await upload.write(bytes.subarray(400_000, 800_000)).catch(() => undefined);
      await expect(upload.answer).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
      const state = await head(fx, location, 8);
      expect(state.status).toBe(204);
      const offset = Number(state.headers['upload-offset']);
      expect(offset).toBeGreaterThanOrEqual(256 * 1024);
      expect(offset).toBeLessThan(800_000);
      free = 10 * 1024 * 1024 * 1024;
      expectStored(fx, await patch(fx, location, 8, offset, bytes.subarray(offset)), bytes, 8);
    },
  );

  it(
    'closes resumable bodies at shutdown (plain ones get 503 ' +
      'SHUTTING_DOWN), and the upload resumes after the restart',
    async () => {
      fx = await startFixture();
      const { token } = await fx.pair();
      const bytes = content('shutdown', 400_000);
      const resumable = open(fx.receiver.url, 'POST', uploadPath('shutdown/L0/001'), {
        ...tokenHeaders('SHUT.HEIC', { 'shoebox-token': token }),
        ...completeFields(8, true),
        'upload-length': String(bytes.length),
        'content-length': String(bytes.length),
      });
      await resumable.write(bytes.subarray(0, 150_000));
      const location = String((await resumable.resumption).headers.location);
      const plain = open(fx.receiver.url, 'POST', uploadPath('shutdown-plain/L0/001'), {
        ...tokenHeaders('PLAIN.JPG', { 'shoebox-token': token }),
        'content-length': '90000',
      });
      await plain.write(content('plain', 30_000));
      await deferred(200);
      const restarting = fx.restart();
      await expect(resumable.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
      const plainAnswer = await plain.answer;
      expect(plainAnswer.status).toBe(503);
      expect(plainAnswer.headers).toMatchObject({
        'shoebox-error': 'SHUTTING_DOWN',
        'shoebox-error-action': 'recreate',
        'retry-after': '60',
      });
      await restarting;
      const state = await head(fx, location, 8);
      expect(state.headers['upload-offset']).toBe('150000');
      expectStored(fx, await patch(fx, location, 8, 150_000, bytes.subarray(150_000)), bytes, 8);
    },
  );
});

describe('where a creation carries the device token', () => {
  it('takes Shoebox-Token, ?token= in the destination URL, or Authorization: Bearer', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const header = await send(
      fx.receiver.url,
      'POST',
      uploadPath('tok-header/L0/001'),
      tokenHeaders('H.JPG', { 'shoebox-token': token }),
      content('h', 100),
    );
    const query = await send(
      fx.receiver.url,
      'POST',
      `${uploadPath('tok-query/L0/001')}?token=${token}`,
      tokenHeaders('Q.JPG'),
      content('q', 100),
    );
    const bearer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('tok-bearer/L0/001'),
      tokenHeaders('B.JPG', { authorization: `Bearer ${token}` }),
      content('b', 100),
    );
    for (const answer of [header, query, bearer]) expect(answer.status, answer.text).toBe(201);
    // URLSession may put its own Authorization beside the app's Shoebox-Token: another scheme is ignored.
    const basic = await send(
      fx.receiver.url,
      'POST',
      uploadPath('tok-basic/L0/001'),
      tokenHeaders('C.JPG', { 'shoebox-token': token, authorization: 'Basic dXNlcjpwYXNz' }),
      content('c', 100),
    );
    expect(basic.status, basic.text).toBe(201);
  });

  it('refuses none (401, saying where to put it) and two different ones (400)', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    const other = (await fx.pair('Other')).token;
    const none = await send(
      fx.receiver.url,
      'POST',
      uploadPath('tok-none/L0/001'),
      tokenHeaders('N.JPG'),
      content('n', 100),
    );
    expect(none.status).toBe(401);
    expect(none.json().error?.message).toMatch(/Shoebox-Token/);
    expect(none.headers['shoebox-error-action']).toBe('give-up');
    const two = await send(
      fx.receiver.url,
      'POST',
      `${uploadPath('tok-two/L0/001')}?token=${other}`,
      tokenHeaders('T.JPG', { 'shoebox-token': token }),
      content('t', 100),
    );
    expect(two.status).toBe(400);
  });
});
