/**
 * Conformance of the resumable endpoints at every interop version the receiver speaks (3 to 9). The
 * cases follow the draft's change log version by version (shared/protocol/resumable-interop.ts) and the
 * request sequences of Apple's NIOResumableUpload tests: creation with a 104 and a cut, HEAD, PATCH
 * (completing, not completing, at a wrong offset, after completion), DELETE, and no credentials on
 * any resumption request: the upload resource's URL is the capability.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interopSpec, PROBLEM_TYPE, type InteropVersion } from '../../../../shared/protocol';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { deferred, open, pathOf, send, uploadHeaders, uploadPath, type Answer } from '../../../helpers/photokit-http';
import {
  answeredComplete,
  completeFields,
  content,
  expectStored,
  head,
  patch,
  patchFields,
  VERSIONS,
} from '../../../helpers/resumable';
import { receiverInternals } from '../../../../electron/receiver/test-seam';

let fx: Fixture;
let token: string;
beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('Conformance iPhone')).token;
});
afterAll(async () => fx?.dispose());

/** Creation fields as URLSession sends them: completeness, and Upload-Length where the version has it. */
function creation(version: InteropVersion, complete: boolean, length: number): Record<string, string> {
  return {
    ...completeFields(version, complete),
    ...(interopSpec(version).uploadLength ? { 'upload-length': String(length) } : {}),
  };
}

function expectLimit(version: InteropVersion, headers: Answer['headers'], withAge: boolean): void {
  const { limit } = interopSpec(version);
  if (!limit) {
    expect(headers['upload-limit']).toBeUndefined();
    return;
  }
  const value = String(headers['upload-limit']);
  expect(value).toMatch(/^max-size=\d+/);
  if (withAge) expect(value).toMatch(new RegExp(`, ${limit.ageKey}=\\d+$`));
  expect(value).not.toMatch(limit.ageKey === 'max-age' ? /expires=/ : /max-age=/);
}

function expectProblem(
  version: InteropVersion,
  answer: Answer,
  kind: keyof typeof PROBLEM_TYPE,
): Record<string, unknown> | null {
  const defined = interopSpec(version).problems.includes(kind);
  const body = answer.json() as Record<string, unknown>;
  if (!defined) {
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    expect(body.type).toBeUndefined();
    return null;
  }
  expect(String(answer.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(body.type).toBe(PROBLEM_TYPE[kind]);
  expect(body).toHaveProperty('error.code'); // Shoebox's own member beside the problem's
  return body;
}

/** An upload created with its first `sent` bytes and `Upload-Complete: ?0`; its Location. */
async function createPartial(version: InteropVersion, label: string, bytes: Buffer, sent: number): Promise<string> {
  const created = await send(
    fx.receiver.url,
    'POST',
    uploadPath(`${label}-${version}/L0/001`),
    {
      ...uploadHeaders(token, `${label.toUpperCase()}_${version}.HEIC`),
      ...creation(version, false, bytes.length),
    },
    bytes.subarray(0, sent),
  );
  expect(created.status, created.text).toBe(201);
  return String(created.headers.location);
}

describe.each(VERSIONS)('interop version %i', (version) => {
  const spec = interopSpec(version);

  it('OPTIONS: 200 with Upload-Limit, no credentials needed', async () => {
    const answer = await send(fx.receiver.url, 'OPTIONS', uploadPath('options/L0/001'), {
      'upload-draft-interop-version': String(version),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['upload-limit']).toBe(`max-size=${fx.config.maxUploadBytes}`);
    expect(answer.headers['upload-draft-interop-version']).toBe(String(version));
    expect(answer.headers['accept-patch']).toContain('application/partial-upload');
  });

  it('creation with 104, a cut mid-body, HEAD and PATCH without credentials: byte-identical', async () => {
    const bytes = content(`cut-${version}`, 300_000);
    const upload = open(fx.receiver.url, 'POST', uploadPath(`cut-${version}/L0/001`), {
      ...uploadHeaders(token, `CUT_${version}.HEIC`, { 'content-type': 'image/heic' }),
      ...creation(version, true, bytes.length),
      'content-length': String(bytes.length),
    });
    await upload.write(bytes.subarray(0, 120_000));
    const interim = await upload.resumption;
    expect(interim.headers['upload-draft-interop-version']).toBe(String(version));
    const location = String(interim.headers.location);
    expect(pathOf(location)).toMatch(/^\/v1\/uploads\/[0-9a-f]{32}$/);
    expectLimit(version, interim.headers, true);
    await deferred(300);
    upload.cut();

    const state = await head(fx, location, version);
    expect(state.status).toBe(204);
    expect(state.headers['upload-draft-interop-version']).toBe(String(version));
    expect(state.headers['upload-offset']).toBe('120000');
    expect(answeredComplete(version, state)).toBe(false);
    expect(state.headers['cache-control']).toBe('no-store');
    expect(state.headers['upload-length']).toBe(spec.uploadLength ? String(bytes.length) : undefined);
    expectLimit(version, state.headers, true);
    // only the version's spelling
    expect(state.headers[version === 3 ? 'upload-complete' : 'upload-incomplete']).toBeUndefined();

    const done = await patch(fx, location, version, 120_000, bytes.subarray(120_000));
    expectStored(fx, done, bytes, version);
    expect(done.headers['upload-offset']).toBe(String(bytes.length));
    const after = await head(fx, location, version);
    expect(after.status).toBe(204);
    expect(answeredComplete(version, after)).toBe(true);
    expect(after.headers['shoebox-path']).toBe(done.headers['shoebox-path']);
  });

  it('creation of a first part (104, then 201 with Location), appends that do and do not complete', async () => {
    const bytes = content(`parts-${version}`, 50_000);
    const request = open(fx.receiver.url, 'POST', uploadPath(`parts-${version}/L0/001`), {
      ...uploadHeaders(token, `PARTS_${version}.HEIC`),
      ...creation(version, false, bytes.length),
      'content-length': '1000',
    });
    request.end(bytes.subarray(0, 1000));
    const created = await request.answer;
    expect(created.interim.map((i) => i.status)).toEqual([104]);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.location).toBe(created.interim[0]?.headers.location);
    expect(created.headers['upload-offset']).toBe('1000');
    expect(answeredComplete(version, created)).toBe(false);
    const location = String(created.headers.location);

    const middle = await patch(fx, location, version, 1000, bytes.subarray(1000, 20_000), false);
    expect(middle.status, middle.text).toBe(spec.incompleteAppendStatus);
    expect(answeredComplete(version, middle)).toBe(false);
    expect(middle.headers['upload-offset']).toBe('20000');
    expectStored(fx, await patch(fx, location, version, 20_000, bytes.subarray(20_000)), bytes, version);
  });

  it(
    'PATCH at a wrong offset: 409 with the offset held, the ' +
      'mismatching-offset problem where defined; the upload goes on',
    async () => {
      const bytes = content(`conflict-${version}`, 20_000);
      const location = await createPartial(version, 'conflict', bytes, 5000);
      for (const wrong of [0, 4999, 6000]) {
        const conflict = await patch(fx, location, version, wrong, bytes.subarray(wrong));
        expect(conflict.status).toBe(409);
        expect(conflict.headers['upload-offset']).toBe('5000');
        expect(answeredComplete(version, conflict)).toBe(false);
        expect(conflict.headers['shoebox-error']).toBe('BAD_OFFSET');
        const problem = expectProblem(version, conflict, 'mismatchingOffset');
        if (problem) expect(problem).toMatchObject({ 'expected-offset': 5000, 'provided-offset': wrong });
      }
      expectStored(fx, await patch(fx, location, version, 5000, bytes.subarray(5000)), bytes, version);
    },
  );

  it(
    'PATCH after completion: answered as the version says ' + '(refused, 410 Gone, or the final answer replayed)',
    async () => {
      const bytes = content(`again-${version}`, 8000);
      const location = await createPartial(version, 'again', bytes, 3000);
      const done = await patch(fx, location, version, 3000, bytes.subarray(3000));
      expectStored(fx, done, bytes, version);

      const empty = await patch(fx, location, version, bytes.length, Buffer.alloc(0));
      if (spec.appendToComplete === 'replay') {
        expect(empty.status).toBe(201);
        expect(empty.headers['shoebox-path']).toBe(done.headers['shoebox-path']);
      } else {
        expect(empty.status).toBe(spec.appendToComplete === 'gone' ? 410 : 400);
        expectProblem(version, empty, 'completedUpload');
      }
      expect(answeredComplete(version, empty)).toBe(true);

      const more = await patch(fx, location, version, bytes.length, Buffer.from('more'));
      expect(more.status).toBe(400);
      expectProblem(version, more, spec.appendToComplete === 'refuse' ? 'completedUpload' : 'inconsistentLength');
    },
  );

  it('DELETE without credentials cancels the upload; HEAD then finds nothing', async () => {
    const bytes = content(`delete-${version}`, 30_000);
    const location = await createPartial(version, 'delete', bytes, 10_000);
    const deleted = await send(fx.receiver.url, 'DELETE', pathOf(location), {
      'upload-draft-interop-version': String(version),
    });
    expect(deleted.status).toBe(204);
    expect(
      (await receiverInternals(fx.receiver).staging.list()).some((s) => s.spec.filename === `DELETE_${version}.HEIC`),
    ).toBe(false);
    const gone = await head(fx, location, version);
    expect(gone.status).toBe(404);
    expect(gone.headers['shoebox-error']).toBe('UNKNOWN_UPLOAD');
  });

  it(
    spec.offsetByGet ? 'GET reads the offset like HEAD' : 'GET is not an offset retrieval in this version',
    async () => {
      const bytes = content(`get-${version}`, 9000);
      const location = await createPartial(version, 'get', bytes, 4000);
      const got = await send(fx.receiver.url, 'GET', pathOf(location), {
        'upload-draft-interop-version': String(version),
      });
      if (spec.offsetByGet) {
        expect(got.status).toBe(204);
        expect(got.headers['upload-offset']).toBe('4000');
      } else {
        expect(got.status).toBe(404);
      }
    },
  );

  it.skipIf(!spec.uploadLength)(
    'refuses lengths that disagree, with the inconsistent-length problem where defined',
    async () => {
      const answer = await send(
        fx.receiver.url,
        'POST',
        uploadPath(`length-${version}/L0/001`),
        {
          ...uploadHeaders(token, `LEN_${version}.HEIC`),
          ...completeFields(version, true),
          'upload-length': '999',
        },
        content('length', 1000),
      );
      expect(answer.status).toBe(400);
      expect(answer.interim).toEqual([]);
      expectProblem(version, answer, 'inconsistentLength');
    },
  );

  it.skipIf(!spec.partialUploadType)('refuses a PATCH not typed application/partial-upload', async () => {
    const bytes = content(`type-${version}`, 4000);
    const location = await createPartial(version, 'type', bytes, 1000);
    const fields = { ...patchFields(version, 1000, true), 'content-type': 'application/octet-stream' };
    const answer = await send(fx.receiver.url, 'PATCH', pathOf(location), fields, bytes.subarray(1000));
    expect(answer.status).toBe(400);
    expect(answer.headers['shoebox-error']).toBe('BAD_MESSAGE');
  });
});

describe('versions the receiver does not speak', () => {
  it(
    'serves a newer version (10) as a correct plain ' + 'upload without 104, and logs once which version it saw',
    async () => {
      const lines: string[] = [];
      const onLog = (line: string) => lines.push(line);
      fx.receiver.events.on('log', onLog);
      try {
        for (const n of [1, 2]) {
          const bytes = content(`v10-${n}`, 2000);
          const answer = await send(
            fx.receiver.url,
            'POST',
            uploadPath(`v10-${n}/L0/001`),
            {
              ...uploadHeaders(token, `V10_${n}.JPG`),
              'upload-draft-interop-version': '10',
              'upload-complete': '?1',
              'upload-length': '2000',
            },
            bytes,
          );
          expect(answer.status).toBe(201);
          expect(answer.interim).toEqual([]);
          expect(answer.headers.location).toBeUndefined();
        }
      } finally {
        fx.receiver.events.off('log', onLog);
      }
      expect(lines.filter((line) => /interop version 10\b/.test(line))).toHaveLength(1);
    },
  );
});
