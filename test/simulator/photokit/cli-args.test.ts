/** The simulator CLI's PhotoKit options, and the JSON state file that lets a later run pick up. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from '../../../shared/simulator/cli/args';
import { JsonStateFile } from '../../../shared/simulator/photokit/node/json-file-storage';
import { makeTempDir } from '../../helpers/receiver-fixture';

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
  it('defaults to files mode without PhotoKit settings', () => {
    expect(run()).toMatchObject({ mode: 'files', photokit: undefined });
  });

  it('defaults in photokit mode: photokit-http, interop 6, jobLimit 100, seed 1, unlocked, no terminations', () => {
    expect(run('--mode', 'photokit').photokit).toEqual({
      transport: 'photokit-http', locked: false, terminateEveryMs: undefined, jobLimit: 100, interop: 6, seed: 1, jobStore: undefined, verbose: false,
    });
  });

  it('reads every option', () => {
    expect(run('--mode', 'photokit', '--locked', '--terminate-every', '2.5', '--job-limit', '10', '--interop', '3', '--seed', '9', '--job-store', 'state.json', '--timeline-verbose').photokit)
      .toEqual({ transport: 'photokit-http', locked: true, terminateEveryMs: 2500, jobLimit: 10, interop: 3, seed: 9, jobStore: 'state.json', verbose: true });
    expect(run('--mode', 'photokit', '--interop', '0').photokit?.interop).toBe(false);
    expect(run('--mode', 'photokit', '--transport', 'ws').photokit?.transport).toBe('ws');
  });

  it('refuses what makes no sense', () => {
    expect(error('--locked')).toBe('--locked needs --mode photokit');
    expect(error('--seed', '2', '--job-limit', '3')).toBe('--job-limit, --seed need --mode photokit');
    expect(error('--mode', 'phone')).toMatch(/--mode is files or photokit/);
    expect(error('--mode', 'photokit', '--interop', '4')).toMatch(/--interop is 3, 5, 6, or 0/);
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
