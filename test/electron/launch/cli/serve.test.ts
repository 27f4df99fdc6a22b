import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PATHS, pairResponseSchema } from '../../../../shared/protocol';
import { ConfigError, defaultConfig, parseBytes, parseServeArgs } from '../../../../electron/receiver/config';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { makeTempDir } from '../../../helpers/receiver-fixture';
import { loopbackReceiverArgs, spawnReceiver } from '../../../helpers/receiver-process';

describe('serve options', () => {
  it('reads flags over environment over defaults', () => {
    const config = parseServeArgs(
      ['--folder', '/tmp/x', '--port', '0', '--no-bonjour', '--max-upload', '2GB', '--stale-days', '1'],
      { SHOEBOX_BIND: '127.0.0.1', SHOEBOX_PORT: '9', SHOEBOX_NO_TLS: '1' },
    );
    expect(config).toMatchObject({
      folder: '/tmp/x',
      host: '127.0.0.1',
      port: 0,
      bonjour: false,
      tls: false,
      maxUploadBytes: 2e9,
      staleUploadAgeMs: 86_400_000,
    });
    expect(defaultConfig({}).maxUploadBytes).toBe(50e9);
    expect(parseServeArgs(['--help'])).toBe('help');
  });

  it('explains bad values', () => {
    expect(() => parseServeArgs(['--port', 'http'])).toThrowError(ConfigError);
    expect(() => parseServeArgs(['--frobnicate'])).toThrowError(/frobnicate/);
    expect(() => parseBytes('lots', '--max-upload')).toThrowError(/not a size/);
    expect(parseBytes('512MiB', 'x')).toBe(512 * 1024 * 1024);
  });
});

describe('shoebox serve', () => {
  it('closes cleanly on Ctrl-C, leaving an upload in progress resumable', async () => {
    const root = await makeTempDir();
    const args = loopbackReceiverArgs(root);
    let proc = await spawnReceiver(args);
    try {
      const res = await fetch(`${proc.url}${PATHS.pair}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: proc.pairingCode, deviceName: 'Phone', deviceId: 'p' }),
      });
      const { token } = pairResponseSchema.parse(await res.json());
      const bytes = randomBytes(600_000);
      const announce = {
        type: 'announce',
        uploadId: 1,
        assetId: 'CTRL-C/L0/001',
        resourceType: 'photo',
        filename: 'ctrlc.jpg',
        size: bytes.byteLength,
        sha256: sha256Hex(bytes),
      };
      const first = await RawClient.authed(`${proc.url.replace('http', 'ws')}${PATHS.stream}`, token);
      first.json(announce);
      await first.next((m) => m.type === 'ready');
      first.chunk(1, 0, bytes.subarray(0, 300_000));
      await first.next((m) => m.type === 'ack' && m.offset === 300_000);
      proc.child.kill('SIGINT');
      expect(await first.next((m) => m.type === 'error')).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
      await proc.waitFor(/Closing: unfinished uploads stay resumable/);
      expect(await new Promise((resolve) => proc.child.on('exit', resolve))).toBe(0);

      proc = await spawnReceiver(args);
      const second = await RawClient.authed(`${proc.url.replace('http', 'ws')}${PATHS.stream}`, token);
      second.json(announce);
      expect(await second.next((m) => m.type === 'ready')).toMatchObject({ offset: 300_000 });
      second.chunk(1, 300_000, bytes.subarray(300_000));
      second.json({ type: 'finish', uploadId: 1 });
      expect(await second.next((m) => m.type === 'committed')).toMatchObject({ duplicate: false });
      second.close();
    } finally {
      await proc.kill('SIGTERM');
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
