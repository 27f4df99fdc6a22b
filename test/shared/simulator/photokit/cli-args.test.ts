/** The simulator CLI's PhotoKit options, and the JSON state file that lets a later run pick up. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from '../../../../shared/simulator/cli/args.nodejs';
import { JsonStateFile } from '../../../../shared/simulator/photokit/json-file-storage.nodejs';
import { makeTempDir } from '../../../helpers/receiver-fixture';

const TARGET = ['--host', '127.0.0.1', '--port', '47120', '--token', 'T'.repeat(43)];

function run(...args: string[]) {
  const parsed = parseSimulatorArgs([...TARGET, ...args, '/photos'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind === 'error' ? parsed.message : 'help');
  return parsed.config;
}

function error(...args: string[]): string {
  const parsed = parseSimulatorArgs([...TARGET, ...args, '/photos'], {});
  return parsed.kind === 'error' ? parsed.message : `no error: ${parsed.kind}`;
}

describe('--mode photokit options', () => {
  it('refuses a malformed --receiver-away, and one with --transport ws', () => {
    expect(error('--mode', 'photokit', '--receiver-away', '30')).toMatch(/AFTER\+FOR/);
    expect(error('--mode', 'photokit', '--receiver-away', '30+0')).toMatch(/AFTER\+FOR/);
    expect(error('--mode', 'photokit', '--transport', 'ws', '--receiver-away', '1+1')).toMatch(/photokit-http only/);
  });

  it('defaults to files mode without PhotoKit settings', () => {
    expect(run()).toMatchObject({ mode: 'files', photokit: undefined });
  });

  it(
    'defaults in photokit mode: photokit-http, interop 8, iOS 26.1, a 20 s process() budget, jobLimit 100, seed 1, ' +
      'unlocked, no terminations',
    () => {
      expect(run('--mode', 'photokit').photokit).toEqual({
        transport: 'photokit-http',
        locked: false,
        terminateEveryMs: undefined,
        jobLimit: 100,
        interop: 8,
        ios: '26.1',
        processBudgetMs: 20_000,
        optimizedStorage: false,
        outages: [],
        seed: 1,
        jobStore: undefined,
        verbose: false,
      });
    },
  );

  it('reads every option', () => {
    expect(
      run(
        '--mode',
        'photokit',
        '--locked',
        '--terminate-every',
        '2.5',
        '--job-limit',
        '10',
        '--interop',
        '3',
        '--ios',
        '26.5',
        '--process-budget',
        '1.5',
        '--optimized-storage',
        '--receiver-away',
        '30+120,600+0.5',
        '--seed',
        '9',
        '--job-store',
        'state.json',
        '--timeline-verbose',
      ).photokit,
    ).toEqual({
      transport: 'photokit-http',
      locked: true,
      terminateEveryMs: 2500,
      jobLimit: 10,
      interop: 3,
      ios: '26.5',
      processBudgetMs: 1500,
      optimizedStorage: true,
      outages: [
        { afterMs: 30_000, forMs: 120_000 },
        { afterMs: 600_000, forMs: 500 },
      ],
      seed: 9,
      jobStore: 'state.json',
      verbose: true,
    });
    for (const version of [3, 4, 5, 6, 7, 8, 9])
      expect(run('--mode', 'photokit', '--interop', String(version)).photokit?.interop).toBe(version);
    for (const ios of ['26.1', '26.4', '26.5', '27'])
      expect(run('--mode', 'photokit', '--ios', ios).photokit?.ios).toBe(ios);
    expect(run('--mode', 'photokit', '--interop', '0').photokit?.interop).toBe(false);
    expect(run('--mode', 'photokit', '--transport', 'ws').photokit?.transport).toBe('ws');
  });

  it('refuses what makes no sense', () => {
    expect(error('--locked')).toBe('--locked needs --mode photokit');
    expect(error('--seed', '2', '--job-limit', '3')).toBe('--job-limit, --seed need --mode photokit');
    expect(error('--mode', 'phone')).toMatch(/--mode is files or photokit/);
    expect(error('--mode', 'photokit', '--interop', '10')).toBe('--interop is 3, 4, 5, 6, 7, 8, 9, or 0 for none');
    expect(error('--mode', 'photokit', '--interop', '2')).toMatch(/--interop is 3, 4/);
    expect(error('--mode', 'photokit', '--interop', 'eight')).toMatch(/--interop is 3, 4/);
    expect(error('--mode', 'photokit', '--ios', '26.2')).toBe('--ios is 26.1, 26.4, 26.5, 27, not "26.2"');
    expect(error('--mode', 'photokit', '--process-budget', '0')).toMatch(/--process-budget is seconds/);
    expect(error('--ios', '27')).toBe('--ios needs --mode photokit');
    expect(error('--mode', 'photokit', '--transport', 'ws', '--interop', '5')).toMatch(/photokit-http only/);
    expect(error('--mode', 'photokit', '--transport', 'tcp')).toMatch(/--transport is photokit-http or ws/);
    expect(error('--mode', 'photokit', '--terminate-every', '0')).toMatch(/--terminate-every is seconds/);
    expect(error('--mode', 'photokit', '--job-limit', '0')).toMatch(/--job-limit must be a whole number from 1/);
  });
});

describe('JsonStateFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('shoebox-pk-state-');
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('keeps sections in one private file that a new instance reads back', async () => {
    const file = path.join(dir, 'nested', 'state.json');
    const state = new JsonStateFile(file);
    expect(await state.section('jobs').load()).toBeUndefined();
    await Promise.all([state.section('jobs').save({ n: 1 }), state.section('container').save({ entries: ['a'] })]);
    await state.section('jobs').save({ n: 2 });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const again = new JsonStateFile(file);
    expect(await again.section('jobs').load()).toEqual({ n: 2 });
    expect(await again.section('container').load()).toEqual({ entries: ['a'] });
  });

  it('refuses a file that is not a state file', async () => {
    const file = path.join(dir, 'list.json');
    await fs.writeFile(file, '[1, 2]');
    await expect(new JsonStateFile(file).section('jobs').load()).rejects.toThrow(/not a simulator state file/);
  });
});
