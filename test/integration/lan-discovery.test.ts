/**
 * Issue 3, discovery, on the isolated LAN only (/work/shared/tools/isolated-lan: desk 10.213.0.1,
 * phone 10.213.0.2, a private network namespace; never a real interface). A receiver on the desk
 * with Bonjour and TLS; the simulator on the phone side lists it, pairs with it by name and a code
 * (its advertised pin, trust on first use), uploads over WSS, finds it again later by name; the
 * receiver's new addresses are announced, its close() says goodbye, and an impostor advertising the
 * same name with another key is refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressWatcher } from '../../electron/receiver/discovery';
import {
  watchReceivers,
  type DiscoveredReceiver,
  type ReceiverWatch,
} from '../../shared/discovery/receiver-browser.nodejs';
import { runSimulatorCli } from '../../shared/simulator/cli/main.nodejs';
import { allPhotos, HAVE_PHOTOS, PHOTOS_DIR, SKIP_PHOTOS_MESSAGE } from '../helpers/photos';
import { makeTempDir, startFixture, type Fixture } from '../helpers/receiver-fixture';
import { captureIo, differences, receivedFiles, type SimulatorState } from '../helpers/simulator/cli';

const LAN = process.env.ISOLATED_LAN === '1';
const DESK = process.env.ISOLATED_LAN_DESK ?? '10.213.0.1';
const PHONE = process.env.ISOLATED_LAN_PHONE ?? '10.213.0.2';
const EXTRA = '10.213.0.3';
const NAME = 'Shoebox LAN Desk';
const SKIP = !LAN
  ? 'skipped: run inside /work/shared/tools/isolated-lan (e.g. ' +
    '/work/shared/tools/isolated-lan npx vitest run test/integration/lan-discovery.test.ts)'
  : !HAVE_PHOTOS
    ? SKIP_PHOTOS_MESSAGE
    : 'isolated LAN, sample photos';

function waitFor(
  watch: ReceiverWatch,
  event: 'up' | 'update' | 'down',
  test: (r: DiscoveredReceiver) => boolean,
  timeoutMs = 5000,
): Promise<DiscoveredReceiver> {
  return new Promise((resolve, reject) => {
    const existing = event === 'up' ? watch.receivers().find(test) : undefined;
    if (existing) return resolve(existing);
    const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (r: DiscoveredReceiver): void => {
      if (!test(r)) return;
      clearTimeout(timer);
      watch.removeListener(event, listener);
      resolve(r);
    };
    watch.on(event, listener);
  });
}

describe.skipIf(!LAN || !HAVE_PHOTOS)(`simulator discovery and trust on the LAN (${SKIP})`, () => {
  let desk: Fixture;
  let impostor: Fixture | undefined;
  let watch: ReceiverWatch;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let extraAdded = false;
  const photos = allPhotos();

  beforeAll(async () => {
    // Refuse to run anywhere but the namespace: both ends must be addresses of this (namespaced) host.
    const local = Object.values(os.networkInterfaces()).flatMap((infos) => (infos ?? []).map((i) => i.address));
    expect(local).toContain(DESK);
    expect(local).toContain(PHONE);
    desk = await startFixture(
      { tls: true, bonjour: true, host: DESK, name: NAME },
      { addressWatcher: createAddressWatcher({ intervalMs: 200 }) },
    );
    expect(desk.receiver.advertiser, 'the receiver advertises').toBeDefined();
    watch = watchReceivers({ interfaceAddress: PHONE });
    stateDir = await makeTempDir('shoebox-sim-state-');
    env = { SHOEBOX_SIM_STATE: path.join(stateDir, 'pairings.json') };
  });
  afterAll(async () => {
    await watch?.stop();
    await desk?.dispose();
    await impostor?.dispose();
    if (extraAdded) execFileSync('ip', ['addr', 'del', `${EXTRA}/24`, 'dev', 'desk0']);
    if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('--discover --interface lists the receiver with its address, id, pairing state, TLS and pin', async () => {
    const io = captureIo();
    expect(await runSimulatorCli(['--discover', '--interface', PHONE, '--browse-time', '2'], io, env), io.text()).toBe(
      0,
    );
    const line = io
      .out()
      .split('\n')
      .find((l) => l.startsWith(`"${NAME}"`));
    expect(line).toBe(
      `"${NAME}" at ${DESK}:${desk.receiver.port}  id=${desk.receiver.receiverId}  ` +
        `pairing=open  tls=yes  fp=${desk.receiver.trust!.pin}`,
    );
  });

  it('--receiver NAME --code pairs (advertised pin, warned) and uploads over WSS from the phone side', async () => {
    const io = captureIo();
    const code = desk.receiver.pairingCode!.code;
    const argv = [
      '--receiver',
      NAME,
      '--code',
      code,
      '--interface',
      PHONE,
      '--local-address',
      PHONE,
      '--chunk-size',
      '256k',
      PHOTOS_DIR,
    ];
    expect(await runSimulatorCli(argv, io, env), io.text()).toBe(0);
    expect(io.text()).toMatch(/trusting the TLS pin .* \(trust on first use/);
    expect(io.text()).toContain(`"${NAME}" at ${DESK}:${desk.receiver.port}: TLS pin verified`);
    expect(io.out()).toMatch(new RegExp(`committed\\s+${photos.length}`));
    expect(await differences(PHOTOS_DIR, desk.folder, photos)).toEqual([]);
    const state = JSON.parse(await fs.readFile(env.SHOEBOX_SIM_STATE!, 'utf8')) as SimulatorState;
    expect(state.pairings).toEqual([
      expect.objectContaining({ name: NAME, host: DESK, port: desk.receiver.port, fp: desk.receiver.trust!.pin }),
    ]);
  }, 90_000);

  it('finds the saved receiver again by name (pin compared with the advertised one): all duplicates', async () => {
    const io = captureIo();
    expect(
      await runSimulatorCli(
        ['--receiver', NAME.toLowerCase(), '--interface', PHONE, '--local-address', PHONE, PHOTOS_DIR],
        io,
        env,
      ),
      io.text(),
    ).toBe(0);
    expect(io.out()).toMatch(new RegExp(`duplicates\\s+${photos.length}`));
  }, 60_000);

  it('announces an address added to desk0', async () => {
    await waitFor(watch, 'up', (r) => r.name === NAME);
    const updated = waitFor(watch, 'update', (r) => r.name === NAME && r.addresses.includes(EXTRA), 8000);
    execFileSync('ip', ['addr', 'add', `${EXTRA}/24`, 'dev', 'desk0']);
    extraAdded = true;
    expect((await updated).addresses).toEqual(expect.arrayContaining([DESK, EXTRA]));
  });

  it('disappears from a live browse as soon as the receiver closes (goodbye)', async () => {
    await waitFor(watch, 'up', (r) => r.name === NAME);
    const gone = waitFor(watch, 'down', (r) => r.name === NAME, 2000);
    const started = Date.now();
    await desk.receiver.close();
    await gone;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(watch.receivers().filter((r) => r.name === NAME)).toEqual([]);
  });

  it('refuses an impostor advertising the same name with another key: pair again, nothing sent', async () => {
    impostor = await startFixture({ tls: true, bonjour: true, host: DESK, name: NAME }); // own data dir: own CA and key
    const advertised = await waitFor(watch, 'up', (r) => r.receiverId === impostor!.receiver.receiverId);
    expect(advertised.name).toBe(NAME); // the real one said goodbye, so the name is free
    const io = captureIo();
    expect(await runSimulatorCli(['--receiver', NAME, '--interface', PHONE, PHOTOS_DIR], io, env)).toBe(1);
    expect(io.text()).toMatch(/is not the computer you paired with \(certificate pin mismatch\): pair again/);
    expect(impostor.receiver.listDevices()).toEqual([]);
    expect(await receivedFiles(impostor.folder)).toEqual([]); // the index's own files and the lock only
  });
});
