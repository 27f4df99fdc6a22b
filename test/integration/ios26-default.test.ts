/**
 * Issue 9's "done when", end to end: the simulator in its iOS 26 default (interop 8 with Upload-Length,
 * HEAD and PATCH without the app's headers, the iOS 26.1 API surface) backs up every sample photo to a
 * real receiver while the phone is locked, the extension is terminated at random and the receiver goes
 * away for seconds mid-run. Every photo arrives byte-identical and exactly once, and after each
 * interruption the phone resends only bytes the receiver had not yet made durable: the resumption
 * offset never falls below where the interrupted request started.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFileSources } from '../../shared/simulator/file-sources.nodejs';
import type { HttpClient, HttpRequest } from '../../shared/simulator/photokit/http-client';
import { PhotoKitHttpTransport } from '../../shared/simulator/photokit/http-transport';
import { nodeHttpClient } from '../../shared/simulator/photokit/http-client.nodejs';
import { runPhotoKitSimulation } from '../../shared/simulator/photokit/simulation';
import type { TimelineEvent } from '../../shared/simulator/photokit/timeline';
import { allPhotos, HAVE_PHOTOS, PHOTOS_DIR, SKIP_PHOTOS_MESSAGE } from '../helpers/photos';
import { startFixture, type Fixture } from '../helpers/receiver-fixture';

/** One request as the phone sent it: where its body started, how much of it went out, how it ended. */
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  start: number;
  bytes: number;
  answered: boolean;
  /** The upload resource's URL: a PATCH's own, or the Location a creation's 104 gave. */
  resource?: string;
}

/** The node client, recording every request and counting the body bytes handed to the socket. */
function recording(log: Sent[]): HttpClient {
  const inner = nodeHttpClient({ earlyAnswerMs: 50 });
  return {
    seesInterimResponses: true,
    async request(request: HttpRequest) {
      const entry: Sent = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        answered: false,
        bytes: 0,
        start: request.method === 'PATCH' ? Number(request.headers['upload-offset']) : 0,
        ...(request.method === 'PATCH' ? { resource: request.url } : {}),
      };
      const onInterim = request.onInterim;
      log.push(entry);
      const body = request.body;
      const counted = body && {
        length: body.length,
        chunks: (async function* () {
          for await (const chunk of body.chunks) {
            entry.bytes += chunk.byteLength;
            yield chunk;
          }
        })(),
      };
      const answer = await inner.request({
        ...request,
        ...(counted ? { body: counted } : {}),
        onInterim: (status, headers) => {
          if (status === 104 && headers.location) entry.resource = new URL(headers.location, request.url).href;
          onInterim?.(status, headers);
        },
      });
      entry.answered = true;
      return answer;
    },
  };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!HAVE_PHOTOS)(
  `the iOS 26 default against a real receiver (${HAVE_PHOTOS ? 'sample photos' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    let fx: Fixture;
    let token: string;
    beforeAll(async () => {
      fx = await startFixture();
      token = (await fx.pair('iOS 26 iPhone')).token;
    });
    afterAll(async () => fx?.dispose());

    it(
      'locked, terminated at random, the receiver away for 3 s: every ' +
        'photo byte-identical, exactly once, no acknowledged byte resent',
      async () => {
        const photos = allPhotos();
        const items = await findFileSources([PHOTOS_DIR]);
        const sent: Sent[] = [];
        const events: TimelineEvent[] = [];
        let away: Promise<unknown> | undefined;
        const transport = new PhotoKitHttpTransport({ http: recording(sent), backoff: { baseMs: 200, maxMs: 2000 } });
        const { summary } = await runPhotoKitSimulation({
          items,
          transport,
          destination: { baseUrl: fx.receiver.url, token },
          locked: true,
          conditions: { bytesPerSecond: 3_000_000, cutChance: 0.03, cutAfterInterimChance: 0.1 },
          terminateEveryMs: 700,
          jobLimit: 4,
          concurrency: 2,
          seed: 26,
          onEvent: (event) => {
            events.push(event);
            // Once a few megabytes are through, the computer goes to sleep for 3 s.
            if (!away && event.type === 'transfer' && sent.reduce((n, s) => n + s.bytes, 0) > 3_000_000)
              away = fx.goAway(3000);
          },
        });
        await away;
        expect(away, 'the receiver never went away').toBeDefined();

        // Every photo, byte-identical, exactly once.
        expect(summary).toMatchObject({ resources: photos.length, succeeded: photos.length, failed: 0, unfinished: 0 });
        expect(fx.receiver.library.totals().resources).toBe(photos.length);
        for (const name of photos) {
          const bytes = readFileSync(path.join(PHOTOS_DIR, name));
          const stored = fx.receiver.library.getBySha(sha(bytes));
          expect(stored, name).toBeDefined();
          expect(sha(readFileSync(path.join(fx.folder, stored!.path))), name).toBe(sha(bytes));
        }

        // As iOS 26 sends it: interop 8 with Upload-Length; no app headers on any resumption request.
        const creations = sent.filter((s) => s.method === 'POST');
        for (const c of creations)
          expect(c.headers).toMatchObject({
            'upload-draft-interop-version': '8',
            'upload-complete': '?1',
            'upload-length': expect.stringMatching(/^\d+$/) as unknown,
          });
        const resumptions = sent.filter((s) => s.method === 'HEAD' || s.method === 'PATCH');
        expect(resumptions.length).toBeGreaterThan(0);
        for (const r of resumptions) {
          const names = Object.keys(r.headers).map((h) => h.toLowerCase());
          expect(names).not.toContain('authorization');
          expect(names).not.toContain('shoebox-token');
        }

        // After each interruption the phone resumed at or past where the interrupted request started: it
        // resent only bytes that followed the last offset the receiver had reported, never the whole file.
        let interruptions = 0;
        let resent = 0;
        let sentInInterrupted = 0;
        sent.forEach((cut, i) => {
          if (cut.answered || cut.resource === undefined || cut.bytes === 0) return;
          const next = sent.slice(i + 1).find((later) => later.method === 'PATCH' && later.resource === cut.resource);
          if (!next) return;
          interruptions += 1;
          expect(next.start, `resumed below where the interrupted ${cut.method} started`).toBeGreaterThanOrEqual(
            cut.start,
          );
          expect(next.start).toBeLessThanOrEqual(cut.start + cut.bytes);
          resent += cut.start + cut.bytes - next.start;
          sentInInterrupted += cut.bytes;
        });
        expect(interruptions).toBeGreaterThan(0);
        expect(resent).toBeLessThan(sentInInterrupted);
      },
      180_000,
    );
  },
);
