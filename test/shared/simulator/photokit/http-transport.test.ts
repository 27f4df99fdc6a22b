/**
 * `photokit-http` against a real receiver on loopback: one raw-body POST per job, resumed after cuts
 * (mid-body and right after the 104) with HEAD + PATCH that carry no app headers, at every interop
 * version, started over without resumption, answered at once when the bytes are known, a receiver away
 * for a while, a final answer that ends the job (as on iOS), pinned over TLS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../../../shared/simulator/memory-source';
import { pinnedFetch } from '../../../../shared/simulator/pinned-http.nodejs';
import { pair } from '../../../../shared/simulator/pair';
import { buildDestination } from '../../../../shared/simulator/photokit/destination';
import { fetchHttpClient, type HttpClient, type HttpRequest } from '../../../../shared/simulator/photokit/http-client';
import { PhotoKitHttpTransport } from '../../../../shared/simulator/photokit/http-transport';
import { networkConditions, type NetworkConditions } from '../../../../shared/simulator/photokit/network-conditions';
import { nodeHttpClient } from '../../../../shared/simulator/photokit/http-client.nodejs';
import { seededRandom } from '../../../../shared/simulator/photokit/random';
import { INTEROP_VERSIONS, type InteropVersion } from '../../../../shared/simulator/photokit/resumable-fields';
import { realSimClock } from '../../../../shared/simulator/photokit/sim-clock';
import { TokenBucket } from '../../../../shared/simulator/throttle';
import type { TransferEvent } from '../../../../shared/simulator/photokit/timeline';
import type { TransferContext, TransferJob } from '../../../../shared/simulator/photokit/transport-types';
import type { UploadSource } from '../../../../shared/simulator/upload-source';
import { startFixture, type Fixture } from '../../../helpers/receiver-fixture';
import { bytesOf } from '../../../helpers/simulator/helpers';

let fx: Fixture;
let token: string;
beforeAll(async () => {
  fx = await startFixture();
  token = (await fx.pair('PhotoKit transport')).token;
});
afterAll(async () => fx?.dispose());

function harness(conditions: Partial<NetworkConditions> = {}, seed = 1) {
  const events: Array<Pick<TransferEvent, 'what' | 'offset' | 'method' | 'location' | 'message'>> = [];
  let transfer = {};
  const ctx: TransferContext = {
    clock: realSimClock,
    conditions: networkConditions(false, { chunkBytes: 16 * 1024, ...conditions }),
    random: seededRandom(seed),
    throttle: undefined,
    signal: new AbortController().signal,
    event: (what, detail = {}) => events.push({ what, ...detail }),
    saveTransfer: (state) => (transfer = state),
  };
  return { ctx, events, transfer: () => transfer };
}

let counter = 0;
async function job(
  label: string,
  size = 200_000,
  base = fx.receiver.url,
  withToken = token,
): Promise<{ job: TransferJob; source: UploadSource; bytes: Uint8Array }> {
  const bytes = bytesOf(size, 1000 + ++counter);
  const source = await memorySource({
    assetId: `PK-${label}-${counter}/L0/001`,
    filename: `${label}_${counter}.HEIC`,
    bytes,
    contentType: 'image/heic',
  });
  const description = { ...source, sha256: source.sha256, contentType: 'image/heic' };
  return {
    job: {
      id: `job-${counter}`,
      resource: source,
      destination: buildDestination({ baseUrl: base, token: withToken }, description),
      transfer: {},
    },
    source,
    bytes,
  };
}

/**
 * The node client, holding the body after its first chunk until the 104 has arrived: on a phone the
 * 104 comes back within a round trip, long before the rest of a photo has left. Without this, a loaded
 * test machine can send a whole small body before it reads the 104, and the cuts these tests plan
 * after the 104 would never happen.
 */
function interimFirst(inner: HttpClient): HttpClient {
  return {
    seesInterimResponses: inner.seesInterimResponses,
    request(r) {
      const announced = Object.keys(r.headers).some((name) => name.toLowerCase() === 'upload-draft-interop-version');
      if (!r.body || !r.onInterim || r.method !== 'POST' || !announced) return inner.request(r);
      let interim!: () => void;
      const seen = new Promise<void>((resolve) => (interim = resolve));
      const onInterim = r.onInterim;
      const source = r.body.chunks;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        let first = true;
        for await (const chunk of source) {
          yield chunk;
          if (first) await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 5_000))]);
          first = false;
        }
      }
      const request = inner.request({
        ...r,
        body: { length: r.body.length, chunks: chunks() },
        onInterim: (status, headers) => (onInterim(status, headers), interim()),
      });
      void request.finally(interim).catch(() => undefined);
      return request;
    },
  };
}

/** The node client, recording every request's method and headers. */
function recording(inner: HttpClient = interimFirst(nodeHttpClient())): {
  http: HttpClient;
  sent: Array<Pick<HttpRequest, 'method' | 'headers'>>;
} {
  const sent: Array<Pick<HttpRequest, 'method' | 'headers'>> = [];
  return {
    sent,
    http: {
      seesInterimResponses: inner.seesInterimResponses,
      request: (r) => (sent.push({ method: r.method, headers: r.headers }), inner.request(r)),
    },
  };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function count(text: string, word: string): number {
  return text.split(',').filter((w) => w === word).length;
}

function storedBytes(headers: Record<string, string>): Buffer {
  const relative = headers['shoebox-path']!.split('/').map(decodeURIComponent).join('/');
  return readFileSync(path.join(fx.folder, relative));
}

describe('PhotoKitHttpTransport', () => {
  it.each([...INTEROP_VERSIONS] as InteropVersion[])(
    'interop %i: resumes cut uploads with HEAD and PATCH, without app headers, byte-identical',
    async (version) => {
      const { http, sent } = recording();
      const transport = new PhotoKitHttpTransport({ http, interopVersion: version });
      const { job: j, source, bytes } = await job(`v${version}`);
      const { ctx, events } = harness({ cutChance: 0.3, maxCutsPerJob: 3 }, version);
      const outcome = await transport.transfer(j, source, ctx);
      expect(outcome).toMatchObject({ ok: true, status: 201 });
      if (!outcome.ok) return;
      expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
      expect(outcome.headers['repr-digest']).toBe(j.destination.headers['Repr-Digest']);
      const whats = events.map((e) => e.what);
      expect(whats.filter((w) => w === 'cut')).toHaveLength(3);
      expect(whats).toContain('resumable');
      expect(whats.filter((w) => w === 'offset').length).toBeGreaterThanOrEqual(1);
      // POST again only while no 104 gave a Location yet (a cut before it: start over), then PATCHes.
      const methods = events
        .filter((e) => e.what === 'request')
        .map((e) => e.method)
        .join(',');
      expect(methods).toMatch(/^(POST,)*POST(,PATCH)*$/);
      expect(count(methods, 'POST')).toBe(1 + whats.filter((w) => w === 'restart').length);
      expect(count(methods, 'PATCH')).toBe(whats.filter((w) => w === 'offset').length);
      expect(fx.receiver.library.getAssetResources(j.resource.assetId)).toHaveLength(1);
      for (const request of sent.filter((r) => r.method === 'HEAD' || r.method === 'PATCH')) {
        const headers = lower(request.headers);
        expect(headers.authorization).toBeUndefined();
        expect(headers['shoebox-token']).toBeUndefined();
        expect(headers['shoebox-filename']).toBeUndefined();
        expect(headers['upload-draft-interop-version']).toBe(String(version));
      }
    },
  );

  it('defaults to what iOS 26 sends: interop 8, Upload-Complete: ?1 and Upload-Length on the creation', async () => {
    const { http, sent } = recording();
    const { job: j, source } = await job('ios26', 50_000);
    expect(await new PhotoKitHttpTransport({ http }).transfer(j, source, harness().ctx)).toMatchObject({
      ok: true,
      status: 201,
    });
    const creation = lower(sent.find((r) => r.method === 'POST')!.headers);
    expect(creation).toMatchObject({
      'upload-draft-interop-version': '8',
      'upload-complete': '?1',
      'upload-length': '50000',
    });
    expect(lower(sent[0]!.headers)).toEqual({ 'upload-draft-interop-version': '8' }); // OPTIONS
    expect(sent[0]!.method).toBe('OPTIONS');
  });

  it('resumes a connection cut right after the 104, before more of the body', async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) });
    const { job: j, source, bytes } = await job('after-104', 300_000);
    const { ctx, events } = harness({ cutAfterInterimChance: 1, maxCutsPerJob: 1 });
    const outcome = await transport.transfer(j, source, ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    const whats = events.map((e) => e.what);
    expect(whats.indexOf('cut')).toBeGreaterThan(whats.indexOf('resumable'));
    expect(whats).toContain('offset');
    expect(events.filter((e) => e.what === 'request').map((e) => e.method)).toEqual(['POST', 'PATCH']);
  });

  it('waits out a receiver that is away (connections refused), then resumes where it was', async () => {
    const transport = new PhotoKitHttpTransport({
      http: interimFirst(nodeHttpClient()),
      backoff: { baseMs: 50, maxMs: 200 },
    });
    const { job: j, source, bytes } = await job('away', 400_000);
    // The outage begins once 96 KiB of the body have left, not at a fixed time from the start, so a slow
    // machine cannot put it before the first byte (then there would be nothing to resume).
    const outages: Array<{ afterMs: number; forMs: number }> = [];
    const { ctx, events } = harness({ outages, bytesPerSecond: 2_000_000 });
    const start = realSimClock.now();
    let sent = 0;
    class CountingBucket extends TokenBucket {
      override take(bytes: number): Promise<void> {
        sent += bytes;
        if (outages.length === 0 && sent >= 96 * 1024)
          outages.push({ afterMs: realSimClock.now() - start, forMs: 800 });
        return super.take(bytes);
      }
    }
    ctx.throttle = new CountingBucket(2_000_000, { clock: realSimClock, burstBytes: 16 * 1024 });
    const outcome = await transport.transfer(j, source, ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    const away = events.filter((e) => e.what === 'network-error');
    expect(away.length).toBeGreaterThan(0);
    expect(away[0]!.message).toMatch(/away/);
    expect(events.some((e) => e.what === 'offset' && (e.offset ?? 0) > 0)).toBe(true);
  });

  it('fails the job with a network error when the receiver stays away past giveUpAfterMs', async () => {
    const transport = new PhotoKitHttpTransport({
      http: interimFirst(nodeHttpClient()),
      giveUpAfterMs: 300,
      backoff: { baseMs: 20, maxMs: 50 },
    });
    const { job: j, source } = await job('gone-for-good', 10_000);
    const outcome = await transport.transfer(j, source, harness({ outages: [{ afterMs: 0, forMs: 60_000 }] }).ctx);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'cannotConnect', retryable: true } });
  });

  it.each([408, 409, 503])(
    'ends the job on a final %i to a resumption: no further HEAD or PATCH, as on iOS',
    async (status) => {
      const inner = interimFirst(nodeHttpClient());
      let heads = 0;
      const sent: string[] = [];
      const http: HttpClient = {
        seesInterimResponses: true,
        request: async (r) => {
          sent.push(r.method);
          if (r.method === 'HEAD' && ++heads === 1) return { status, headers: { 'shoebox-error': 'X' }, body: '' };
          return inner.request(r);
        },
      };
      const { job: j, source } = await job(`final-${status}`, 200_000);
      // Cut right after the 104 (a cut before it would restart with a new POST, not resume).
      const outcome = await new PhotoKitHttpTransport({ http }).transfer(
        j,
        source,
        harness({ cutAfterInterimChance: 1, maxCutsPerJob: 1 }).ctx,
      );
      expect(outcome).toMatchObject({ ok: false, error: { status } });
      expect(sent).toEqual(['OPTIONS', 'POST', 'HEAD']);
    },
  );

  it('learns the outcome with HEAD when the answer to a complete body is lost', async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) });
    const { job: j, source, bytes } = await job('lost-answer', 30_000);
    const { ctx, events } = harness({ chunkBytes: 30_000, cutChance: 1, maxCutsPerJob: 1 });
    const outcome = await transport.transfer(j, source, ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    expect(events.find((e) => e.what === 'cut')?.offset).toBe(30_000);
  });

  it('starts over when resumption is off (interop 0): still stored once', async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()), interopVersion: false });
    const { job: j, source, bytes } = await job('plain');
    const { ctx, events } = harness({ cutChance: 0.2, maxCutsPerJob: 2 });
    const outcome = await transport.transfer(j, source, ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    expect(events.filter((e) => e.what === 'restart')).toHaveLength(2);
    expect(events.some((e) => e.what === 'resumable' || e.what === 'offset')).toBe(false);
  });

  it('resumes from a Location saved by an earlier attempt (a restarted system)', async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) });
    const { job: j, source, bytes } = await job('saved-location', 120_000);
    const first = harness({ cutChance: 1, maxCutsPerJob: 3 });
    const aborting = new AbortController();
    first.ctx.signal = aborting.signal;
    first.ctx.event = (what, detail) => {
      first.events.push({ what, ...detail });
      // The system stops at the first cut after the 104 gave a Location (a cut before it just restarts, as on iOS).
      if (what === 'cut' && (first.transfer() as { location?: string }).location)
        aborting.abort(new Error('the system stopped'));
    };
    await expect(transport.transfer(j, source, first.ctx)).rejects.toThrow('the system stopped');
    const saved = first.transfer() as { location?: string };
    expect(saved.location).toMatch(/\/v1\/uploads\/[0-9a-f]{32}$/);

    const second = harness();
    const outcome = await new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) }).transfer(
      { ...j, transfer: saved },
      source,
      second.ctx,
    );
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    expect(second.events.map((e) => e.what).slice(0, 2)).toEqual(['offset', 'request']);
    expect(second.events.find((e) => e.what === 'offset')!.offset).toBeGreaterThan(0);
  });

  it('is answered 200 at once, before the body, when the receiver already has the bytes', async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) });
    const { job: j, source } = await job('twice', 2_000_000);
    expect(await transport.transfer(j, source, harness().ctx)).toMatchObject({ ok: true, status: 201 });
    const again = harness();
    const outcome = await transport.transfer({ ...j, id: 'job-again' }, source, again.ctx);
    expect(outcome).toMatchObject({ ok: true, status: 200, headers: { 'shoebox-duplicate': '?1' } });
    expect(again.events.filter((e) => e.what === 'network-error')).toEqual([]);
  });

  it("fails the job with the receiver's code on a final error (no Retry-After: not retryable)", async () => {
    const transport = new PhotoKitHttpTransport({ http: interimFirst(nodeHttpClient()) });
    const { job: j, source } = await job('bad-token', 10_000, fx.receiver.url, 'x'.repeat(43));
    const outcome = await transport.transfer(j, source, harness().ctx);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED', status: 401, retryable: false } });
  });

  it("over fetch (the browser's way): no 104 to see, so plain uploads that start over after a cut", async () => {
    const transport = new PhotoKitHttpTransport({ http: fetchHttpClient() });
    const { job: j, source, bytes } = await job('fetch');
    const { ctx, events } = harness({ cutChance: 0.2, maxCutsPerJob: 1 });
    const outcome = await transport.transfer(j, source, ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201 });
    if (outcome.ok) expect(storedBytes(outcome.headers).equals(Buffer.from(bytes))).toBe(true);
    expect(events.filter((e) => e.what === 'request').every((e) => e.method === 'POST')).toBe(true);
    expect(events.some((e) => e.what === 'offset')).toBe(false);
  });

  it('pins TLS: uploads to the pinned receiver, refuses another key', async () => {
    const secure = await startFixture({ tls: true });
    try {
      const pin = secure.receiver.trust!.pin;
      const code = secure.receiver.pairingCode?.code ?? secure.receiver.openPairing().code;
      const paired = await fetchPinned(secure, pin, code);
      const { job: j, source } = await job('tls', 100_000, secure.receiver.url, paired);
      const outcome = await new PhotoKitHttpTransport({ http: nodeHttpClient({ pin }) }).transfer(
        j,
        source,
        harness({ cutChance: 0.2, maxCutsPerJob: 1 }).ctx,
      );
      expect(outcome).toMatchObject({ ok: true, status: 201 });
      expect(secure.receiver.library.totals().resources).toBe(1);

      const wrongPin = 'A'.repeat(43);
      const { job: k, source: other } = await job('tls-wrong', 1000, secure.receiver.url, paired);
      const refused = await new PhotoKitHttpTransport({
        http: nodeHttpClient({ pin: wrongPin }),
        maxNetworkFailures: 1,
        backoff: { baseMs: 1, maxMs: 2 },
      }).transfer(k, other, harness().ctx);
      expect(refused).toMatchObject({ ok: false, error: { code: 'networkError' } });
      if (!refused.ok) expect(refused.error.message).toMatch(/does not match the pin/);
      expect(secure.receiver.library.totals().resources).toBe(1);
    } finally {
      await secure.dispose();
    }
  });
});

/** Pairs over a pinned connection (the fixture's own pair() uses fetch, which does not trust the test CA). */
async function fetchPinned(fixture: Fixture, pin: string, code: string): Promise<string> {
  const answer = await pair({
    baseUrl: fixture.receiver.url,
    fetch: pinnedFetch(pin),
    code,
    deviceName: 'TLS phone',
    deviceId: 'tls-phone',
  });
  return answer.token;
}
