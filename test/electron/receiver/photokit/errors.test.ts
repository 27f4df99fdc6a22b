/** What goes wrong says so: status, JSON body, Shoebox-Error, and Retry-After only when retrying can help. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import {
  deferred,
  open,
  rawExchange,
  send,
  uploadHeaders,
  uploadPath,
  type Answer,
} from '../../../helpers/photokit-http';
import { auth, completeFields, content, patch } from '../../../helpers/resumable';
import { receiverInternals } from '../../../../electron/receiver/test-seam';

const LIMIT = 100_000;
let fx: Fixture;
let token: string;

beforeAll(async () => {
  fx = await startFixture({ maxUploadBytes: LIMIT });
  token = (await fx.pair('Error iPhone')).token;
});
afterAll(async () => fx.dispose());

function expectError(answer: Answer, status: number, code: string, retryable: boolean): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['shoebox-error']).toBe(code);
  expect(answer.json().error).toMatchObject({ code, retryable });
  if (retryable) expect(answer.headers['retry-after']).toMatch(/^\d+$/);
  else expect(answer.headers['retry-after']).toBeUndefined();
}

const body = content('error-body', 1000);
const post = (headers: Record<string, string | string[]>, bytes: Uint8Array = body, path = uploadPath('err/L0/001')) =>
  send(fx.receiver.url, 'POST', path, headers, bytes);

describe('who may upload', () => {
  it('401 AUTH_FAILED without a token, with a malformed one and with an unknown one', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer short', `Bearer ${'A'.repeat(43)}`]) {
      const headers = uploadHeaders(token, 'A.JPG');
      if (authorization === undefined) delete headers.authorization;
      else headers.authorization = authorization;
      const answer = await post(headers);
      expectError(answer, 401, 'AUTH_FAILED', false);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('403 DEVICE_REVOKED for a revoked device', async () => {
    const paired = await fx.pair('Soon revoked', 'revoked-1');
    await fx.receiver.revokeDevice(paired.deviceId);
    expectError(await post(uploadHeaders(paired.token, 'A.JPG')), 403, 'DEVICE_REVOKED', false);
  });

  it("stops a revoked device's in-flight uploads at once, plain and resumable", async () => {
    const paired = await fx.pair('Revoked mid-upload', 'revoked-2');
    const plain = open(fx.receiver.url, 'POST', uploadPath('rev-plain/L0/001'), {
      ...uploadHeaders(paired.token, 'RP.JPG'),
      'content-length': '90000',
    });
    await plain.write(content('rev-plain', 30_000));
    const resumable = open(fx.receiver.url, 'POST', uploadPath('rev-res/L0/001'), {
      ...uploadHeaders(paired.token, 'RR.JPG'),
      ...completeFields(6, true),
      'content-length': '90000',
    });
    await resumable.write(content('rev-res', 30_000));
    await resumable.resumption;
    await deferred(100);
    await fx.receiver.revokeDevice(paired.deviceId);
    for (const upload of [plain, resumable]) expectError(await upload.answer, 403, 'DEVICE_REVOKED', false);
    expect((await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === 'RP.JPG')).toBe(false);
  });
});

describe('limits', () => {
  it('413 TOO_LARGE for a Content-Length over the limit, before reading the body', async () => {
    const host = new URL(fx.receiver.url).host;
    const raw = await rawExchange(
      fx.receiver.url,
      `POST ${uploadPath('huge/L0/001')} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ` +
        `${token}\r\nshoebox-filename: HUGE.MOV\r\ncontent-length: 1000000000000\r\n\r\n`,
      (received) => received.includes('"action":"give-up"}}'),
    );
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect(raw).toMatch(/shoebox-error: TOO_LARGE/i);
    expect(raw).toMatch(new RegExp(`upload-limit: max-size=${LIMIT}`, 'i'));
    expect(raw).toMatch(/connection: close/i);
  });

  it('413 for an Upload-Length over the limit', async () => {
    expectError(
      await post({ ...uploadHeaders(token, 'L.MOV'), ...completeFields(6, false), 'upload-length': String(LIMIT + 1) }),
      413,
      'TOO_LARGE',
      false,
    );
  });

  it('cuts a chunked body off at the limit and keeps nothing', async () => {
    const upload = open(fx.receiver.url, 'POST', uploadPath('chunky/L0/001'), uploadHeaders(token, 'CHUNKY.MOV'));
    for (let sent = 0; sent <= LIMIT; sent += 20_000)
      await upload.write(content(`chunk${sent}`, 20_000)).catch(() => undefined);
    upload.end();
    expectError(await upload.answer, 413, 'TOO_LARGE', false);
    expect((await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === 'CHUNKY.MOV')).toBe(
      false,
    );
  });

  it('507 DISK_FULL with Retry-After when the disk has no room', async () => {
    const full = await startFixture({}, { freeBytes: async () => 10 });
    try {
      const t = (await full.pair()).token;
      expectError(
        await send(full.receiver.url, 'POST', uploadPath('full/L0/001'), uploadHeaders(t, 'FULL.JPG'), body),
        507,
        'DISK_FULL',
        true,
      );
    } finally {
      await full.dispose();
    }
  });
});

describe('bad input', () => {
  it.each([
    ['a path separator', '../../etc/passwd'],
    ['a reserved Windows name', 'CON.jpg'],
    ['a hidden name', '.DS_Store'],
    ['a control character', 'A\u0001.JPG'],
  ])('400 BAD_FILENAME for a filename with %s', async (_why, name) => {
    expectError(await post(uploadHeaders(token, name)), 400, 'BAD_FILENAME', false);
  });

  it('400 BAD_FILENAME without Shoebox-Filename or with broken percent-encoding', async () => {
    expectError(await post(auth(token)), 400, 'BAD_FILENAME', false);
    expectError(await post({ ...auth(token), 'shoebox-filename': 'IMG%E0%A4%A.JPG' }), 400, 'BAD_FILENAME', false);
  });

  it.each([
    ['an unparsable creation date', { 'shoebox-creation-date': 'yesterday' }],
    ['a malformed Repr-Digest', { 'repr-digest': 'sha-256=abc' }],
    ['a short Repr-Digest', { 'repr-digest': 'sha-256=:AAAA:' }],
    ['a bad Content-Type', { 'content-type': 'not a type' }],
    ['a content coding', { 'content-encoding': 'gzip' }],
    ['a malformed Upload-Complete', { 'upload-draft-interop-version': '6', 'upload-complete': 'yes' }],
    ['a creation not at offset 0', { ...completeFields(6, true), 'upload-offset': '5' }],
    ['an unsupported version with a partial body', { 'upload-draft-interop-version': '2', 'upload-complete': '?0' }],
    ['an inconsistent Upload-Length', { ...completeFields(6, true), 'upload-length': '999' }],
  ])('400 BAD_MESSAGE for %s', async (_why, extra) => {
    expectError(await post(uploadHeaders(token, 'OK.JPG', extra)), 400, 'BAD_MESSAGE', false);
  });

  it('400 BAD_MESSAGE for a repeated header, an unknown resource type and a bad asset id', async () => {
    expectError(
      await post({ ...uploadHeaders(token, 'A.JPG'), 'shoebox-filename': ['A.JPG', 'B.JPG'] }),
      400,
      'BAD_MESSAGE',
      false,
    );
    expectError(
      await post(uploadHeaders(token, 'A.JPG'), body, '/v1/photokit/abc/hologram'),
      400,
      'BAD_MESSAGE',
      false,
    );
    expectError(
      await post(uploadHeaders(token, 'A.JPG'), body, '/v1/photokit/%E0%A4%A/photo'),
      400,
      'BAD_MESSAGE',
      false,
    );
    expectError(
      await post(uploadHeaders(token, 'A.JPG'), body, '/v1/photokit/only-one-segment'),
      400,
      'BAD_MESSAGE',
      false,
    );
  });

  it('400 for a PATCH without Upload-Offset or (version 6) without application/partial-upload', async () => {
    const created = await post(
      { ...uploadHeaders(token, 'P.JPG'), ...completeFields(6, false) },
      body.subarray(0, 10),
      uploadPath('patchbad/L0/001'),
    );
    const location = String(created.headers.location);
    const path = new URL(location).pathname;
    expectError(
      await send(
        fx.receiver.url,
        'PATCH',
        path,
        { ...auth(token), ...completeFields(6, true), 'content-type': 'application/partial-upload' },
        body.subarray(10),
      ),
      400,
      'BAD_MESSAGE',
      false,
    );
    expectError(
      await send(
        fx.receiver.url,
        'PATCH',
        path,
        { ...auth(token), ...completeFields(6, true), 'upload-offset': '10' },
        body.subarray(10),
      ),
      400,
      'BAD_MESSAGE',
      false,
    );
    expect((await patch(fx, location, 6, 10, body.subarray(10))).status).toBe(201);
    expectError(await patch(fx, location, 6, 1000, Buffer.alloc(0)), 400, 'BAD_MESSAGE', false);
  });

  it('404 for the wrong method or an unknown upload resource, and keeps serving', async () => {
    expectError(await send(fx.receiver.url, 'GET', uploadPath('x/L0/001')), 404, 'NOT_FOUND', false);
    expectError(
      await send(fx.receiver.url, 'DELETE', '/v1/uploads/not-an-id', auth(token)),
      404,
      'UNKNOWN_UPLOAD',
      false,
    );
    const headed = await send(fx.receiver.url, 'HEAD', '/v1/uploads/0123456789abcdef0123456789abcdef', auth(token));
    expect([headed.status, headed.headers['shoebox-error'], headed.text]).toEqual([404, 'UNKNOWN_UPLOAD', '']);
    expect((await post(uploadHeaders(token, 'STILL.JPG'), content('still', 500))).status).toBe(201);
  });
});
