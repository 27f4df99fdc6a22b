import { describe, expect, it } from 'vitest';
import { buildPairingUrl } from '../../../shared/discovery/pairing-url';
import { parseSimulatorArgs, USAGE } from '../../../shared/simulator/cli/args.nodejs';

const PIN = 'yFI9CivxtK9V3XUQBk4SCM4I1BzGgYvUyf_RNedJCKI';
const URL = buildPairingUrl({
  host: '10.213.0.1',
  port: 47120,
  receiverId: 'rcv-1',
  fp: PIN,
  code: '123456',
  name: 'Desk',
});

function config(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseSimulatorArgs(argv, env);
  if (parsed.kind !== 'run') throw new Error(parsed.kind === 'error' ? parsed.message : 'help');
  return parsed.config;
}

function error(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  const parsed = parseSimulatorArgs(argv, env);
  return parsed.kind === 'error' ? parsed.message : `no error: ${parsed.kind}`;
}

describe('connection options', () => {
  it('reads a pairing URL (DIRs optional: pairing only)', () => {
    expect(config(['--pair-url', URL])).toMatchObject({
      pairUrl: { host: '10.213.0.1', port: 47120, fp: PIN, code: '123456', receiverId: 'rcv-1', name: 'Desk' },
      host: undefined,
      save: true,
    });
    expect(config(['--pair-url', URL, '--no-save', 'dir']).save).toBe(false);
    expect(error(['--pair-url', 'https://example.com/?fp=x'])).toMatch(/--pair-url: Not a pairing URL/);
    expect(error(['--pair-url', URL, '--port', '1', '--code', '654321'])).toMatch(
      /--pair-url carries .*leave out --port, --code/,
    );
  });

  it('needs nothing but DIRs for a saved pairing, and --receiver picks one', () => {
    expect(config(['dir'])).toMatchObject({ host: undefined, port: undefined, receiver: undefined, dirs: ['dir'] });
    expect(config(['--receiver', 'Desk', '--state', '/tmp/s.json', 'dir'])).toMatchObject({
      receiver: 'Desk',
      stateFile: '/tmp/s.json',
    });
    expect(error([])).toMatch(/give at least one DIR/);
    expect(error(['--token', 'x', 'dir'])).toMatch(/--port is required with --token/);
    expect(error(['--code', '123456', 'dir'])).toMatch(/--code needs a receiver/);
  });

  it('checks --fp, --host and --local-address', () => {
    expect(config(['--port', '9', '--fp', PIN, '--token', 't', 'd'])).toMatchObject({
      host: '127.0.0.1',
      port: 9,
      fp: PIN,
    });
    expect(error(['--port', '9', '--fp', 'abc', '--token', 't', 'd'])).toMatch(/--fp is the TLS certificate pin/);
    expect(error(['--host', 'h', '--token', 't', 'd'])).toMatch(/--port is required with --host/);
    expect(error(['--local-address', 'phone', 'd'])).toMatch(/--local-address/);
  });

  it('browses only on an interface given by --interface or $SHOEBOX_SIM_INTERFACE', () => {
    expect(error(['--discover'])).toMatch(/--discover needs --interface ADDR \(or \$SHOEBOX_SIM_INTERFACE\)/);
    expect(config(['--discover', '--interface', '10.213.0.2'])).toMatchObject({
      discover: true,
      interfaceAddress: '10.213.0.2',
      browseMs: 3000,
    });
    expect(config(['--discover', '--browse-time', '1.5'], { SHOEBOX_SIM_INTERFACE: '10.213.0.2' })).toMatchObject({
      interfaceAddress: '10.213.0.2',
      browseMs: 1500,
    });
    expect(error(['--discover', '--interface', 'eth0'])).toMatch(/--interface must be the IPv4 address/);
    expect(error(['--discover', '--interface', '10.213.0.2', '--port', '1'])).toMatch(/leave out --port/);
    expect(error(['--discover', '--interface', '10.213.0.2', 'dir'])).toMatch(/leave out the DIRs/);
    expect(error(['--discover', '--interface', '10.213.0.2', '--browse-time', '0'])).toMatch(/--browse-time/);
  });

  it('pairs with a receiver found by name only with an interface to browse on (or an address)', () => {
    expect(error(['--receiver', 'Desk', '--code', '123456', 'dir'])).toMatch(/needs --interface ADDR/);
    expect(config(['--receiver', 'Desk', '--code', '123456', '--interface', '10.213.0.2'])).toMatchObject({
      receiver: 'Desk',
      code: '123456',
    });
    expect(config(['--receiver', 'Desk', '--code', '123456', '--port', '9'])).toMatchObject({
      host: '127.0.0.1',
      port: 9,
    });
  });

  it('documents every flag in the usage', () => {
    for (const flag of [
      '--pair-url',
      '--receiver',
      '--fp',
      '--state',
      '--no-save',
      '--discover',
      '--interface',
      '--browse-time',
      '--local-address',
      'SHOEBOX_SIM_STATE',
      'SHOEBOX_SIM_INTERFACE',
    ]) {
      expect(USAGE).toContain(flag);
    }
  });
});
