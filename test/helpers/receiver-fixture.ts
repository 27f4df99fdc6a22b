/** Starts a real receiver on 127.0.0.1 in temporary folders, and pairs test devices with it. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pairResponseSchema, PATHS, type PairResponse } from '../../shared/protocol';
import { defaultConfig, type ReceiverConfig } from '../../electron/receiver/config';
import { startReceiver, type Receiver, type ReceiverOptions } from '../../electron/receiver/receiver';

export interface Fixture {
  receiver: Receiver;
  root: string;
  folder: string;
  dataDir: string;
  config: ReceiverConfig;
  wsUrl: string;
  pair(deviceName?: string, deviceId?: string): Promise<PairResponse>;
  restart(options?: ReceiverOptions): Promise<Receiver>;
  /** Stops the receiver for `ms` (the computer asleep, or off the network), then starts it again on the same port. */
  goAway(ms: number): Promise<Receiver>;
  dispose(): Promise<void>;
}

export async function makeTempDir(prefix = 'shoebox-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function testConfig(root: string, overrides: Partial<ReceiverConfig> = {}): ReceiverConfig {
  return {
    ...defaultConfig({}),
    folder: path.join(root, 'Backup'),
    dataDir: path.join(root, 'data'),
    host: '127.0.0.1',
    port: 0,
    name: 'Test Receiver',
    bonjour: false,
    tls: false,
    minFreeBytes: 0,
    ...overrides,
  };
}

export async function startFixture(
  overrides: Partial<ReceiverConfig> = {},
  options: ReceiverOptions = {},
): Promise<Fixture> {
  const root = await makeTempDir();
  const config = testConfig(root, overrides);
  let receiver = await startReceiver(config, options);
  let deviceCounter = 0;
  const fixture: Fixture = {
    get receiver() {
      return receiver;
    },
    root,
    folder: config.folder,
    dataDir: config.dataDir,
    config,
    get wsUrl() {
      return `${receiver.url.replace(/^http/, 'ws')}${PATHS.stream}`;
    },
    async pair(deviceName = 'Test iPhone', deviceId = `device-${++deviceCounter}`) {
      const code = receiver.pairingCode?.code ?? receiver.openPairing().code;
      const res = await fetch(`${receiver.url}${PATHS.pair}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, deviceName, deviceId }),
      });
      if (res.status !== 200) throw new Error(`pairing failed: ${res.status} ${await res.text()}`);
      return pairResponseSchema.parse(await res.json());
    },
    async restart(nextOptions = options) {
      await receiver.close();
      receiver = await startReceiver({ ...config, port: receiver.port }, nextOptions);
      return receiver;
    },
    async goAway(ms) {
      await receiver.close();
      await new Promise((resolve) => setTimeout(resolve, ms));
      receiver = await startReceiver({ ...config, port: receiver.port }, options);
      return receiver;
    },
    async dispose() {
      await receiver.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  return fixture;
}
