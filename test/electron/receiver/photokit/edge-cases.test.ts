/**
 * PhotoKit uploads at the edges: the same bytes again without a
 * length, commits that fail, requests that outlive their device.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ShoeboxError } from '../../../../shared/protocol';
import type { IncomingMessage } from 'node:http';
import { loggableTarget } from '../../../../electron/receiver/photokit/credentials';
import { InFlightRegistry } from '../../../../electron/receiver/photokit/in-flight';
import { commitGuard, type PhotoKitContext } from '../../../../electron/receiver/photokit/photokit-context';
import type { UploadResource } from '../../../../electron/receiver/photokit/upload-resources';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { reprDigest, send, uploadHeaders, uploadPath } from '../../../helpers/photokit-http';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.dispose();
  fx = undefined;
});

async function visibleFiles(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !path.relative(folder, path.join(e.parentPath, e.name)).startsWith('.'))
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
    .sort();
}

describe('PhotoKit uploads at the edges', () => {
  it(
    'answers the same bytes sent again chunked (no length) ' +
      'under another name as already stored, keeping the first',
    async () => {
      fx = await startFixture();
      const { token } = await fx.pair();
      const bytes = Buffer.from('the same photo, twice');
      const first = await send(
        fx.receiver.url,
        'POST',
        uploadPath('TWICE/L0/001'),
        uploadHeaders(token, 'A.JPG', { 'shoebox-creation-date': '2020-02-02T10:00:00' }),
        bytes,
      );
      expect(first.status, first.text).toBe(201);
      const again = await send(
        fx.receiver.url,
        'POST',
        uploadPath('TWICE-COPY/L0/001'),
        uploadHeaders(token, 'B.JPG', { 'repr-digest': reprDigest(bytes) }),
        [bytes.subarray(0, 5), bytes.subarray(5)],
      );
      expect(again.status, again.text).toBe(200);
      expect(decodeURIComponent(String(again.headers['shoebox-path']))).toBe('2020/2020-02/A.JPG');
      expect(await visibleFiles(fx.folder)).toEqual([path.join('2020', '2020-02', 'A.JPG')]);
      expect(fx.receiver.library.getByPath('2020/2020-02/A.JPG')).toBeDefined();
    },
  );

  it('leaves nothing in staging when a plain upload cannot be stored, however often it is tried', async () => {
    fx = await startFixture();
    const { token } = await fx.pair();
    // commit fails (ENOTDIR)
    await fs.writeFile(path.join(fx.folder, '2020'), 'a file where the year folder should be');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = await send(
        fx.receiver.url,
        'POST',
        uploadPath(`FAILS-${attempt}/L0/001`),
        uploadHeaders(token, 'F.JPG', { 'shoebox-creation-date': '2020-03-03T10:00:00' }),
        Buffer.alloc(50_000, attempt),
      );
      expect(answer.status).toBeGreaterThanOrEqual(500);
    }
    const staged = await fs.readdir(path.join(fx.folder, '.shoebox', 'staging'));
    expect(staged.filter((name) => name.endsWith('.part'))).toEqual([]);
    // Nor its record (the staging sidecar, the one record of an unfinished upload).
    await expect
      .poll(async () =>
        (await fs.readdir(path.join(fx!.folder, '.shoebox', 'staging'))).filter((name) => name.endsWith('.json')),
      )
      .toEqual([]);
  });
});

describe('requests that start after their device is revoked or the receiver closes', () => {
  it('start stopped, with the reason', async () => {
    const revoked = new ShoeboxError('DEVICE_REVOKED', 'gone');
    const registry = new InFlightRegistry((id) => (id === 'old-phone' ? revoked : null));
    const late = registry.start('old-phone', 'r1');
    expect(late.signal.reason).toBe(revoked);
    registry.end(late);
    const fine = registry.start('phone', 'r2');
    expect(fine.signal.aborted).toBe(false);
    const closing = new ShoeboxError('SHUTTING_DOWN', 'bye');
    const stopped = registry.stopAll(closing);
    expect(fine.signal.reason).toBe(closing);
    registry.end(fine);
    await stopped;
    expect(registry.start('phone', 'r3').signal.reason).toBe(closing);
  });
});

describe('the last check before a commit', () => {
  const resource = { id: 'r1', spec: { deviceId: 'phone' } } as unknown as UploadResource;
  function ctxWith(
    device: { revokedAt: string | null } | undefined,
    stored: UploadResource | undefined,
  ): PhotoKitContext {
    return {
      devices: { get: () => (device ? { id: 'phone', name: 'Phone', ...device } : undefined) },
      resources: { get: () => stored },
    } as unknown as PhotoKitContext;
  }

  it('passes for a paired device and its open resource', () => {
    expect(() => commitGuard(ctxWith({ revokedAt: null }, resource), 'phone', resource)()).not.toThrow();
  });

  it('refuses a device revoked (or forgotten) since the upload began', () => {
    expect(() => commitGuard(ctxWith({ revokedAt: '2026-12-01T00:00:00Z' }, resource), 'phone', resource)()).toThrow(
      expect.objectContaining({ code: 'DEVICE_REVOKED' }),
    );
    expect(() => commitGuard(ctxWith(undefined, resource), 'phone')()).toThrow(
      expect.objectContaining({ code: 'DEVICE_REVOKED' }),
    );
  });

  it('refuses a resource cancelled meanwhile, or bound to another device', () => {
    expect(() => commitGuard(ctxWith({ revokedAt: null }, undefined), 'phone', resource)()).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_UPLOAD' }),
    );
    expect(() => commitGuard(ctxWith({ revokedAt: null }, resource), 'tablet', resource)()).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_UPLOAD' }),
    );
  });
});

describe('log lines', () => {
  it("leave out a token in the query and an upload resource's id", () => {
    const of = (url: string) => loggableTarget({ url } as IncomingMessage);
    expect(of('/v1/photokit/A%2FL0/photo?token=secret')).toBe('/v1/photokit/A%2FL0/photo');
    expect(of('/v1/uploads/0123456789abcdef0123456789abcdef')).toBe('/v1/uploads/<id>');
  });
});
