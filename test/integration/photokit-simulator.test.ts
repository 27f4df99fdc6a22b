/**
 * Issue 4's "done when": the simulator in photokit mode, phone locked, the extension terminated at random
 * moments, backs up the sample photos byte-identical and exactly once each, against a real receiver over
 * plain HTTP and over pinned HTTPS; a Live Photo's photo and pairedVideo land side by side; a second run
 * reports every job as succeeded with 200 (already stored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulatorCli } from '../../shared/simulator/cli/main.nodejs';
import { allPhotos, HAVE_PHOTOS, PHOTOS_DIR, photo, SKIP_PHOTOS_MESSAGE } from '../helpers/photos';
import { makeTempDir, startFixture, type Fixture } from '../helpers/receiver-fixture';
import { captureIo, differences, findFile, listFiles, sha256File } from '../helpers/simulator/cli';

const FFMPEG = '/usr/bin/ffmpeg';
const LOCKED = [
  '--mode',
  'photokit',
  '--locked',
  '--terminate-every',
  '0.2',
  '--limit-rate',
  '24m',
  '--job-limit',
  '5',
  '--seed',
  '4',
];

/**
 * A Live Photo: a HEIC of its own (a sample with a unique tail,
 * so it is not a duplicate) and a .MOV with the same name.
 */
async function makeLivePhoto(dir: string): Promise<void> {
  const still = Buffer.concat([await fs.readFile(photo('heic-single.heic')), Buffer.from('live photo still')]);
  await fs.writeFile(path.join(dir, 'LIVE_0001.HEIC'), still);
  const movie = path.join(dir, 'LIVE_0001.MOV');
  if (existsSync(FFMPEG)) {
    execFileSync(FFMPEG, [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=32x32:d=0.3',
      '-c:v',
      'mpeg4',
      '-f',
      'mov',
      '-y',
      movie,
    ]);
  } else {
    await fs.writeFile(movie, Buffer.from('not really a movie, but named like the motion part of a Live Photo'));
  }
}

/** Files in the backup folder outside its hidden staging, relative, sorted. */
async function backedUp(folder: string): Promise<string[]> {
  return (await listFiles(folder))
    .map((f) => path.relative(folder, f))
    .filter((f) => !f.split(path.sep).some((p) => p.startsWith('.')))
    .sort();
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

async function expectBackedUpOnce(fx: Fixture, liveDir: string, photos: string[]): Promise<void> {
  const files = await backedUp(fx.folder);
  expect(files, files.join('\n')).toHaveLength(photos.length + 2);
  expect(files.filter((f) => / \(\d+\)\./.test(f))).toEqual([]); // no "name (1).ext" second copies
  expect(await differences(PHOTOS_DIR, fx.folder, photos)).toEqual([]);
  expect(await differences(liveDir, fx.folder, ['LIVE_0001.HEIC', 'LIVE_0001.MOV'])).toEqual([]);
  expect(fx.receiver.library.totals().resources).toBe(photos.length + 2);
  const still = await findFile(fx.folder, 'LIVE_0001.HEIC');
  const movie = await findFile(fx.folder, 'LIVE_0001.MOV');
  expect(path.dirname(movie!)).toBe(path.dirname(still!)); // side by side
  const pair = fx.receiver.library.getBySha(await sha256File(path.join(liveDir, 'LIVE_0001.MOV')));
  expect(pair).toMatchObject({ resourceType: 'pairedVideo' });
  expect(
    fx.receiver.library
      .getAssetResources(pair!.assetId!)
      .map((r) => r.resourceType)
      .sort(),
  ).toEqual(['pairedVideo', 'photo']);
}

function expectTimeline(out: string, resources: number): void {
  for (const state of ['registered', 'pending', 'succeeded', 'acknowledged'])
    expect(count(out, new RegExp(`job-\\d{4}\\s+${state}\\s`))).toBe(resources);
  expect(out).toMatch(/extension #1\s+launched/);
  expect(out).toMatch(/terminated \(notifyTermination\)/);
  const [, launches, terminations] = /extension\s+(\d+) launches, (\d+) terminations/.exec(out) ?? [];
  expect(Number(terminations)).toBeGreaterThan(0);
  expect(Number(launches)).toBeGreaterThan(1);
}

describe.skipIf(!HAVE_PHOTOS)(
  `simulate --mode photokit against a real receiver (${HAVE_PHOTOS ? 'sample photos' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    const photos = allPhotos();
    const resources = photos.length + 2;
    let liveDir: string;
    let stateDir: string;

    beforeAll(async () => {
      liveDir = await makeTempDir('shoebox-live-');
      stateDir = await makeTempDir('shoebox-sim-state-');
      await makeLivePhoto(liveDir);
    });
    afterAll(async () => {
      await fs.rm(liveDir, { recursive: true, force: true });
      await fs.rm(stateDir, { recursive: true, force: true });
    });

    describe('plain HTTP (--no-tls receiver)', () => {
      let fx: Fixture;
      let base: string[];
      beforeAll(async () => {
        fx = await startFixture();
        const { token } = await fx.pair('Locked iPhone');
        // a token may start with '-'
        base = ['--host', '127.0.0.1', '--port', String(fx.receiver.port), `--token=${token}`];
      });
      afterAll(async () => fx?.dispose());

      it(
        'locked, with random terminations: every photo ' +
          'byte-identical and exactly once, the Live Photo side by side',
        async () => {
          const io = captureIo();
          const code = await runSimulatorCli([...base, ...LOCKED, PHOTOS_DIR, liveDir], io, {});
          expect(code, io.text()).toBe(0);
          expect(io.out()).toMatch(
            new RegExp(`succeeded\\s+${resources} \\(201 stored ${resources}, 200 already stored 0\\)`),
          );
          expect(io.out()).toMatch(/failed\s+0/);
          expectTimeline(io.out(), resources);
          expect(io.out()).toMatch(/connection cut after/);
          expect(io.out()).toMatch(/resuming at .* \(HEAD Upload-Offset\)/);
          await expectBackedUpOnce(fx, liveDir, photos);
        },
        120_000,
      );

      it('a second run reports every job as succeeded with 200 (already stored), and stores nothing new', async () => {
        const before = await backedUp(fx.folder);
        const io = captureIo();
        expect(await runSimulatorCli([...base, ...LOCKED, PHOTOS_DIR, liveDir], io, {}), io.text()).toBe(0);
        expect(io.out()).toMatch(
          new RegExp(`succeeded\\s+${resources} \\(201 stored 0, 200 already stored ${resources}\\)`),
        );
        expect(count(io.out(), /succeeded\s+\S.* 200 OK, already stored/)).toBe(resources);
        expect(await backedUp(fx.folder)).toEqual(before);
      }, 120_000);
    });

    describe("pinned HTTPS (the receiver's default)", () => {
      let fx: Fixture;
      let env: NodeJS.ProcessEnv;
      beforeAll(async () => {
        fx = await startFixture({ tls: true });
        env = { SHOEBOX_SIM_STATE: path.join(stateDir, 'pairings.json') };
      });
      afterAll(async () => fx?.dispose());

      it(
        'pairs with --pair-url, then backs up locked with ' + 'terminations over photokit-http, every request pinned',
        async () => {
          const code = fx.receiver.pairingCode?.code ?? fx.receiver.openPairing().code;
          const io = captureIo();
          const exit = await runSimulatorCli(
            ['--pair-url', fx.receiver.trust!.pairingUrl(code), ...LOCKED, '--interop', '5', PHOTOS_DIR, liveDir],
            io,
            env,
          );
          expect(exit, io.text()).toBe(0);
          expect(io.text()).toContain('TLS pin verified');
          expect(io.out()).toMatch(
            new RegExp(`succeeded\\s+${resources} \\(201 stored ${resources}, 200 already stored 0\\)`),
          );
          expectTimeline(io.out(), resources);
          await expectBackedUpOnce(fx, liveDir, photos);
        },
        120_000,
      );

      it('runs again with the saved pairing over the ws transport: every job succeeded with 200', async () => {
        const io = captureIo();
        const exit = await runSimulatorCli(
          [
            '--mode',
            'photokit',
            '--transport',
            'ws',
            '--terminate-every',
            '0.2',
            '--job-limit',
            '4',
            PHOTOS_DIR,
            liveDir,
          ],
          io,
          env,
        );
        expect(exit, io.text()).toBe(0);
        expect(io.out()).toMatch(/PhotoKit summary \(ws\)/);
        expect(io.out()).toMatch(
          new RegExp(`succeeded\\s+${resources} \\(201 stored 0, 200 already stored ${resources}\\)`),
        );
        expect((await backedUp(fx.folder)).length).toBe(resources);
      }, 120_000);
    });
  },
);
