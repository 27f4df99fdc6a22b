import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulatorArgs, parseSize } from '../../../shared/simulator/cli/args.nodejs';
import { runSimulatorCli, type CliIo } from '../../../shared/simulator/cli/main.nodejs';
import { FAKE_PAIRING_CODE, FAKE_TOKEN, FakeReceiver } from '../../helpers/simulator/fake-receiver';
import { bytesOf } from '../../helpers/simulator/helpers';

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}

describe('argument parsing', () => {
  it('parses sizes with binary units', () => {
    expect(parseSize('256k', 'x')).toBe(262_144);
    expect(parseSize('1m', 'x')).toBe(1_048_576);
    expect(parseSize('2MiB/s', 'x')).toBe(2_097_152);
    expect(parseSize('1.5k', 'x')).toBe(1536);
    expect(() => parseSize('fast', 'x')).toThrow();
  });

  it('reads a full command line', () => {
    const parsed = parseSimulatorArgs([
      '--port',
      '8765',
      '--token',
      FAKE_TOKEN,
      '--chunk-size',
      '256k',
      '--limit-rate',
      '2m',
      '--drop-every',
      '5',
      '--concurrency',
      '2',
      'a',
      'b',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      config: {
        host: '127.0.0.1',
        port: 8765,
        chunkBytes: 262_144,
        bytesPerSecond: 2_097_152,
        dropEvery: 5,
        concurrency: 2,
        dirs: ['a', 'b'],
      },
    });
  });

  it.each([
    [['--token', 'x', 'dir'], /--port is required/],
    [['--port', '1', 'dir'], /--code/],
    [['--port', '1', '--token', 'x'], /DIR/],
    [['--port', '1', '--code', '12', 'd'], /six digits/],
    [['--port', '1', '--code', '123456', '--token', 'x', 'd'], /not both/],
    [['--port', '70000', '--token', 'x', 'd'], /--port/],
    [['--port', '1', '--token', 'x', '--bogus', 'd'], /bogus/],
    [['--port', '1', '--token', 'x', '--chunk-size', 'big', 'd'], /--chunk-size/],
  ])('rejects %j', (argv, message) => {
    const parsed = parseSimulatorArgs(argv);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toMatch(message);
  });
});

describe('runSimulatorCli', () => {
  let dir: string;
  /** Keeps saved pairings in the test's folder, never in ~/.config. */
  const env = () => ({ SHOEBOX_SIM_STATE: path.join(dir, 'pairings.json') });
  let receiver: FakeReceiver | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shoebox-cli-'));
    await writeFile(path.join(dir, 'IMG_0001.JPG'), bytesOf(50_000, 1));
    await writeFile(path.join(dir, 'IMG_0001.MOV'), bytesOf(70_000, 2));
    await writeFile(path.join(dir, 'IMG_0002.PNG'), bytesOf(3000, 3));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('exits 2 with usage on bad arguments', async () => {
    const io = capture();
    expect(await runSimulatorCli(['--nope'], io, env())).toBe(2);
    expect(io.err()).toMatch(/Usage:/);
  });

  it('pairs with --code, prints the token, uploads and summarizes (exit 0)', async () => {
    receiver = await FakeReceiver.start();
    const io = capture();
    const code = await runSimulatorCli(
      ['--port', String(receiver.port), '--code', FAKE_PAIRING_CODE, '--chunk-size', '16k', '--drop-every', '4', dir],
      io,
      env(),
    );
    expect(io.err()).not.toMatch(/failed/);
    expect(code).toBe(0);
    expect(io.out()).toContain(`token: ${FAKE_TOKEN}`);
    expect(io.out()).toMatch(/committed {2}IMG_0001\.MOV \(pairedVideo\) -> undated\/IMG_0001\.MOV/);
    expect(io.out()).toMatch(/Summary: 3 files/);
    expect(io.out()).toMatch(/committed {3}3/);
    expect(receiver.connections).toBeGreaterThan(1);
  });

  it('exits 1 when some files fail, naming code and message', async () => {
    receiver = await FakeReceiver.start({
      onAnnounce: (a) => (a.filename.endsWith('.PNG') ? { code: 'TOO_LARGE', message: 'over the limit' } : undefined),
    });
    const io = capture();
    const code = await runSimulatorCli(['--port', String(receiver.port), '--token', FAKE_TOKEN, dir], io, env());
    expect(code).toBe(1);
    expect(io.out()).toMatch(/failed {5}IMG_0002\.PNG \(photo\): TOO_LARGE: over the limit/);
    expect(io.out()).toMatch(/failed {6}1/);
  });

  it('exits 1 at once when the token is refused', async () => {
    receiver = await FakeReceiver.start();
    const io = capture();
    expect(await runSimulatorCli(['--port', String(receiver.port), '--token', 'W'.repeat(43), dir], io, env())).toBe(1);
    expect(io.err()).toMatch(/cannot upload: AUTH_FAILED/);
    expect(receiver.announces).toHaveLength(0);
  });

  it('exits 1 when pairing is refused', async () => {
    receiver = await FakeReceiver.start();
    const io = capture();
    expect(await runSimulatorCli(['--port', String(receiver.port), '--code', '999999', dir], io, env())).toBe(1);
    expect(io.err()).toMatch(/PAIRING_CODE_INVALID/);
  });
});
