/** The resumable-upload wire as bytes: 104 interim responses, OPTIONS, and the fallback for other versions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { open, pathOf, rawExchange, send, uploadHeaders, uploadPath } from '../../../helpers/photokit-http';
import { completeFields, content } from '../../../helpers/resumable';
import { receiverInternals } from '../../../../electron/receiver/test-seam';

let fx: Fixture;
let token: string;

beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('Wire iPhone')).token;
});
afterAll(async () => fx.dispose());

function requestHead(path: string, fields: Record<string, string>): string {
  const host = new URL(fx.receiver.url).host;
  const lines = Object.entries({ host, authorization: `Bearer ${token}`, ...fields }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** Splits raw HTTP/1.1 answers into their status lines and header blocks. */
function heads(raw: string): Array<{ status: string; headers: Map<string, string> }> {
  return raw
    .split('\r\n\r\n')
    .filter((block) => block.startsWith('HTTP/1.1 '))
    .map((block) => {
      const [status = '', ...lines] = block.split('\r\n');
      return {
        status,
        headers: new Map(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        ),
      };
    });
}

describe('104 Upload Resumption Supported', () => {
  it.each([
    [8, { 'upload-draft-interop-version': '8', 'upload-complete': '?1', 'upload-length': '5000' }],
    [6, { 'upload-draft-interop-version': '6', 'upload-complete': '?1' }],
    [5, { 'upload-draft-interop-version': '5', 'upload-complete': '?1' }],
    [3, { 'upload-draft-interop-version': '3', 'upload-incomplete': '?0' }],
  ] as const)('is written on the socket before the final answer (interop %i)', async (version, fields) => {
    const body = content(`raw-104-${version}`, 5000);
    const raw = await rawExchange(
      fx.receiver.url,
      Buffer.concat([
        Buffer.from(
          requestHead(uploadPath(`raw104-${version}/L0/001`), {
            'shoebox-filename': `W${version}.JPG`,
            'content-length': String(body.length),
            ...fields,
          }),
        ),
        body,
      ]),
      (received) => /\r\n\r\n\{[^]*\}$/.test(received.slice(received.indexOf('HTTP/1.1 201'))),
    );
    expect(raw.startsWith('HTTP/1.1 104 Upload Resumption Supported\r\n')).toBe(true);
    const [interim, final] = heads(raw);
    expect(interim?.headers.get('location')).toMatch(new RegExp(`^${fx.receiver.url}/v1/uploads/[0-9a-f]{32}$`));
    expect(interim?.headers.get('upload-draft-interop-version')).toBe(String(version));
    // Upload-Limit from interop 6 (its lifetime key `expires` until 6, `max-age` from 7); none before.
    const limit = { 8: /^max-size=\d+, max-age=\d+$/, 6: /^max-size=\d+, expires=\d+$/ }[version as 8 | 6];
    if (limit) expect(interim?.headers.get('upload-limit')).toMatch(limit);
    else expect(interim?.headers.has('upload-limit')).toBe(false);
    expect(final?.status).toBe('HTTP/1.1 201 Created');
    expect(final?.headers.get(version === 3 ? 'upload-incomplete' : 'upload-complete')).toBe(
      version === 3 ? '?0' : '?1',
    );
  });

  it('comes before the body is read, so a careful client can wait for it', async () => {
    const body = content('careful', 20_000);
    const upload = open(fx.receiver.url, 'POST', uploadPath('careful/L0/001'), {
      ...uploadHeaders(token, 'CAREFUL.JPG'),
      ...completeFields(6, true),
      'content-length': String(body.length),
    });
    upload.req.flushHeaders();
    const interim = await upload.resumption; // no body byte sent yet
    expect(pathOf(interim.headers.location)).toMatch(/^\/v1\/uploads\/[0-9a-f]{32}$/);
    upload.end(body);
    const answer = await upload.answer;
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toBe(interim.headers.location);
  });

  it('is never sent for a plain upload', async () => {
    const answer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('plain/L0/001'),
      uploadHeaders(token, 'PLAIN.JPG'),
      content('plain', 1000),
    );
    expect(answer.status).toBe(201);
    expect(answer.interim).toEqual([]);
    expect(answer.headers['upload-draft-interop-version']).toBeUndefined();
  });

  it('falls back to a plain upload for an interop version it does not speak, when the body is whole', async () => {
    const answer = await send(
      fx.receiver.url,
      'POST',
      uploadPath('v11/L0/001'),
      { ...uploadHeaders(token, 'V11.JPG'), 'upload-draft-interop-version': '11', 'upload-complete': '?1' },
      content('v11', 1000),
    );
    expect(answer.status).toBe(201);
    expect(answer.interim).toEqual([]);
  });
});

describe('over TLS (the default)', () => {
  it('sends 104 with an https Location, then stores the upload', async () => {
    const secure = await startFixture({ tls: true });
    try {
      const { token: t } = await receiverInternals(secure.receiver).devices.pair('tls-device', 'TLS iPhone');
      const host = new URL(secure.receiver.url).host;
      const body = content('tls-body', 3000);
      const head =
        `PUT ${uploadPath('tls/L0/001')} HTTP/1.1\r\nhost: ` +
        `${host}\r\nauthorization: Bearer ${t}\r\nshoebox-filename: TLS.JPG\r\n` +
        `upload-draft-interop-version: 6\r\nupload-complete: ?1\r\ncontent-length: ${body.length}\r\n\r\n`;
      const raw = await rawExchange(secure.receiver.url, Buffer.concat([Buffer.from(head), body]), (r) =>
        /HTTP\/1\.1 201[^]*\r\n\r\n\{[^]*\}$/.test(r),
      );
      const [interim, final] = heads(raw);
      expect(interim?.status).toBe('HTTP/1.1 104 Upload Resumption Supported');
      expect(interim?.headers.get('location')).toMatch(new RegExp(`^https://${host}/v1/uploads/[0-9a-f]{32}$`));
      expect(final?.status).toBe('HTTP/1.1 201 Created');
      expect(final?.headers.get('shoebox-path')).toMatch(/TLS\.JPG$/);
    } finally {
      await secure.dispose();
    }
  });
});

describe('OPTIONS', () => {
  it('answers 200 with Upload-Limit and Accept-Patch, without a token', async () => {
    const answer = await send(fx.receiver.url, 'OPTIONS', uploadPath('any/L0/001'), {
      'upload-draft-interop-version': '6',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['upload-limit']).toBe(`max-size=${fx.config.maxUploadBytes}`);
    expect(answer.headers['accept-patch']).toContain('application/partial-upload');
    expect(answer.headers['upload-draft-interop-version']).toBe('6');
  });

  it('answers on upload resources too', async () => {
    const answer = await send(fx.receiver.url, 'OPTIONS', '/v1/uploads/0123456789abcdef0123456789abcdef');
    expect(answer.status).toBe(200);
    expect(answer.headers['upload-limit']).toMatch(/^max-size=\d+$/);
  });
});
