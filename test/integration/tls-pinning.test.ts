/**
 * Issue 3, trust, on loopback: a real receiver with TLS; the simulator CLI pairs with the pairing URL
 * from its QR code and backs the sample photos up over WSS, byte-identical, every connection pinned.
 * A second receiver (own data dir, so its own CA and key) with the same name on another port is
 * refused with the pin-mismatch message, and nothing reaches it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPairingUrl, parsePairingUrl } from '../../shared/discovery/pairing-url';
import { runSimulatorCli } from '../../shared/simulator/cli/main.nodejs';
import { allPhotos, HAVE_PHOTOS, PHOTOS_DIR, SKIP_PHOTOS_MESSAGE } from '../helpers/photos';
import { makeTempDir, startFixture, type Fixture } from '../helpers/receiver-fixture';
import { captureIo, differences, receivedFiles, type SimulatorState } from '../helpers/simulator/cli';

const PIN_MISMATCH = /is not the computer you paired with \(certificate pin mismatch\): pair again/;

function pairingCode(fx: Fixture): string {
  return fx.receiver.pairingCode?.code ?? fx.receiver.openPairing().code;
}

describe.skipIf(!HAVE_PHOTOS)(
  `simulator over TLS with pinning (${HAVE_PHOTOS ? 'sample photos' : SKIP_PHOTOS_MESSAGE})`,
  () => {
    let real: Fixture;
    let impostor: Fixture;
    let stateDir: string;
    let env: NodeJS.ProcessEnv;
    const photos = allPhotos();

    beforeAll(async () => {
      real = await startFixture({ tls: true });
      impostor = await startFixture({ tls: true }); // same name ("Test Receiver"), its own CA and key
      stateDir = await makeTempDir('shoebox-sim-state-');
      env = { SHOEBOX_SIM_STATE: path.join(stateDir, 'pairings.json') };
    });
    afterAll(async () => {
      await real?.dispose();
      await impostor?.dispose();
      if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
    });

    it('serves HTTPS/WSS with a pin and a pairing URL', () => {
      expect(real.receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(real.receiver.trust!.pin).not.toBe(impostor.receiver.trust!.pin);
      expect(impostor.receiver.name).toBe(real.receiver.name);
    });

    it(
      'pairs with --pair-url, saves the pairing (0600) and ' + 'uploads the sample photos over WSS, byte-identical',
      async () => {
        const io = captureIo();
        const url = real.receiver.trust!.pairingUrl(pairingCode(real));
        const code = await runSimulatorCli(
          ['--pair-url', url, '--chunk-size', '256k', '--drop-every', '9', PHOTOS_DIR],
          io,
          env,
        );
        expect(code, io.text()).toBe(0);
        expect(io.text()).toContain('TLS pin verified');
        expect(io.text()).toMatch(/paired with "Test Receiver" .* over TLS \(pinned\); saved in/);
        expect(io.out()).toMatch(new RegExp(`committed\\s+${photos.length}`));
        expect(await differences(PHOTOS_DIR, real.folder, photos)).toEqual([]);
        expect(real.receiver.listDevices()).toHaveLength(1);

        const stateFile = env.SHOEBOX_SIM_STATE!;
        expect((await fs.stat(stateFile)).mode & 0o777).toBe(0o600);
        const state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as SimulatorState;
        expect(state.pairings).toEqual([
          expect.objectContaining({
            receiverId: real.receiver.receiverId,
            name: 'Test Receiver',
            host: '127.0.0.1',
            port: real.receiver.port,
            fp: real.receiver.trust!.pin,
          }),
        ]);
      },
      90_000,
    );

    it('runs again with nothing but the saved pairing: every photo is already stored', async () => {
      const io = captureIo();
      expect(await runSimulatorCli([PHOTOS_DIR], io, env), io.text()).toBe(0);
      expect(io.out()).toMatch(new RegExp(`duplicates\\s+${photos.length}`));
      expect(io.out()).toMatch(/committed\s+0/);
    }, 60_000);

    describe('an impostor with the same name on another port', () => {
      it('is refused when the saved pairing is pointed at it', async () => {
        const io = captureIo();
        const code = await runSimulatorCli(
          ['--receiver', 'Test Receiver', '--port', String(impostor.receiver.port), PHOTOS_DIR],
          io,
          env,
        );
        expect(code, io.text()).toBe(1);
        expect(io.text()).toMatch(PIN_MISMATCH);
        expect(io.text()).toContain(`127.0.0.1:${impostor.receiver.port}`);
        expect(io.text()).not.toMatch(/found \d+ files/); // refused before reading a single photo
      });

      it('is refused when a pairing URL with the real pin leads to it, even with its own valid code', async () => {
        const io = captureIo();
        const genuine = parsePairingUrl(real.receiver.trust!.pairingUrl('000000'));
        const tampered = buildPairingUrl({ ...genuine, port: impostor.receiver.port, code: pairingCode(impostor) });
        expect(await runSimulatorCli(['--pair-url', tampered, PHOTOS_DIR], io, env)).toBe(1);
        expect(io.text()).toMatch(PIN_MISMATCH);
        expect(io.text()).not.toContain('token:');
      });

      it('is refused with explicit --host/--port/--fp and the real token', async () => {
        const state = JSON.parse(await fs.readFile(env.SHOEBOX_SIM_STATE!, 'utf8')) as SimulatorState;
        const io = captureIo();
        const argv = [
          '--host',
          '127.0.0.1',
          '--port',
          String(impostor.receiver.port),
          '--fp',
          real.receiver.trust!.pin,
          '--token',
          state.pairings[0]!.token,
          PHOTOS_DIR,
        ];
        expect(await runSimulatorCli(argv, io, env)).toBe(1);
        expect(io.text()).toMatch(PIN_MISMATCH);
      });

      it('received nothing: no device paired, no file stored or staged', async () => {
        expect(impostor.receiver.listDevices()).toEqual([]);
        expect(impostor.receiver.library.totals()).toMatchObject({ resources: 0 });
        expect(await receivedFiles(impostor.folder)).toEqual([]); // the index's own files and the lock only
      });
    });

    it('still works with the real receiver afterwards (the saved pairing was not changed)', async () => {
      const io = captureIo();
      expect(await runSimulatorCli(['--receiver', 'test receiver', PHOTOS_DIR], io, env), io.text()).toBe(0);
      expect(io.out()).toMatch(new RegExp(`duplicates\\s+${photos.length}`));
    }, 60_000);
  },
);
