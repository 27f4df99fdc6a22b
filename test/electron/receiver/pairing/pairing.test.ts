import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PATHS } from '../../../../shared/protocol';
import { DeviceRegistry } from '../../../../electron/receiver/pairing/device-registry';
import { PairingWindow } from '../../../../electron/receiver/pairing/pairing-window';
import { RawClient, sha256Hex } from '../../../helpers/raw-client';
import { makeTempDir, startFixture, type Fixture } from '../../../helpers/receiver-fixture';

describe('PairingWindow', () => {
  it('accepts the code once, then is closed', () => {
    const window = new PairingWindow();
    const { code } = window.open();
    expect(code).toMatch(/^\d{6}$/);
    window.redeem(code, 'a');
    expect(window.isOpen).toBe(false);
    expect(() => window.redeem(code, 'a')).toThrowError(expect.objectContaining({ code: 'PAIRING_CODE_INVALID' }));
    window.dispose();
  });

  it('expires after its lifetime', () => {
    let now = 0;
    const window = new PairingWindow({ now: () => now, lifetimeMs: 1000 });
    const { code } = window.open();
    now = 1001;
    expect(() => window.redeem(code, 'a')).toThrowError(expect.objectContaining({ code: 'PAIRING_CODE_INVALID' }));
    window.dispose();
  });

  it('locks a client out after repeated wrong codes, for longer each time', () => {
    let now = 0;
    const window = new PairingWindow({
      now: () => now,
      maxFailuresPerClient: 3,
      lockoutMs: 1000,
      maxFailuresPerCode: 100,
    });
    const { code } = window.open();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i += 1)
      expect(() => window.redeem(wrong, 'x')).toThrowError(expect.objectContaining({ code: 'PAIRING_CODE_INVALID' }));
    expect(() => window.redeem(code, 'x')).toThrowError(expect.objectContaining({ code: 'PAIRING_RATE_LIMITED' }));
    now = 1001;
    for (let i = 0; i < 3; i += 1) expect(() => window.redeem(wrong, 'x')).toThrow();
    now = 2500; // second lock-out lasts 2 s
    expect(() => window.redeem(code, 'x')).toThrowError(expect.objectContaining({ code: 'PAIRING_RATE_LIMITED' }));
    window.redeem(code, 'y'); // another client with the right code is not blocked
    window.dispose();
  });

  it('withdraws the code after too many wrong guesses in total', () => {
    const window = new PairingWindow({ maxFailuresPerClient: 1000, maxFailuresPerCode: 5 });
    const { code } = window.open();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) expect(() => window.redeem(wrong, `client-${i}`)).toThrow();
    expect(window.isOpen).toBe(false);
    expect(() => window.redeem(code, 'z')).toThrowError(expect.objectContaining({ code: 'PAIRING_CODE_INVALID' }));
    window.dispose();
  });
});

describe('DeviceRegistry', () => {
  it('stores only token hashes, privately, and survives a reopen', async () => {
    const dir = await makeTempDir();
    const registry = await DeviceRegistry.open(dir, { name: 'Desk' });
    const { token, device } = await registry.pair('phone-1', 'Ana’s iPhone');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, 'receiver.json');
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain(token);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    await registry.close();
    const again = await DeviceRegistry.open(dir);
    expect(again.authenticate(token)).toMatchObject({ id: device.id, name: 'Ana’s iPhone' });
    expect(again.name).toBe('Desk');
    await again.revoke('phone-1');
    expect(() => again.authenticate(token)).toThrowError(expect.objectContaining({ code: 'DEVICE_REVOKED' }));
    const repaired = await again.pair('phone-1', 'Ana’s iPhone');
    expect(again.authenticate(repaired.token).revokedAt).toBeNull();
    expect(() => again.authenticate(token)).toThrowError(expect.objectContaining({ code: 'AUTH_FAILED' }));
    await again.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('starts afresh (keeping the damaged file aside) when its file is damaged', async () => {
    const dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'receiver.json'), '{"version":1, "receiverId": ');
    const messages: string[] = [];
    const registry = await DeviceRegistry.open(dir, { log: (m) => messages.push(m) });
    expect(registry.list()).toEqual([]);
    expect(messages.join()).toContain('damaged');
    expect((await fs.readdir(dir)).some((n) => n.startsWith('receiver.json.damaged-'))).toBe(true);
    await registry.close();
  });
});

describe('pairing over HTTP and revocation', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
  });

  async function pairWith(code: string, deviceId = 'iphone-a') {
    return fetch(`${fx!.receiver.url}${PATHS.pair}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName: 'Phone', deviceId }),
    });
  }

  it('pairs with the printed code once, rate-limits wrong codes, and validates the request', async () => {
    fx = await startFixture({}, { pairing: { maxFailuresPerClient: 3, lockoutMs: 60_000 } });
    const code = fx.receiver.pairingCode!.code;
    const wrong = code === '123456' ? '654321' : '123456';
    const bad = await pairWith(wrong);
    expect(bad.status).toBe(403);
    expect(bad.headers.get('shoebox-error')).toBe('PAIRING_CODE_INVALID');
    await pairWith(wrong);
    await pairWith(wrong);
    const limited = await pairWith(code);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.json()).toMatchObject({ error: { code: 'PAIRING_RATE_LIMITED', retryable: true } });

    const invalid = await fetch(`${fx.receiver.url}${PATHS.pair}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":1}',
    });
    expect(invalid.status).toBe(400);
    const notJson = await fetch(`${fx.receiver.url}${PATHS.pair}`, { method: 'POST', body: 'code=1' });
    expect(notJson.status).toBe(400);
    const huge = await fetch(`${fx.receiver.url}${PATHS.pair}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(10_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it('gives a 256-bit token for the right code; the code then stops working', async () => {
    fx = await startFixture();
    const code = fx.receiver.pairingCode!.code;
    const ok = await pairWith(code);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { token: string };
    expect(body).toMatchObject({
      deviceId: 'iphone-a',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      receiverId: fx.receiver.receiverId,
    });
    expect(Buffer.from(body.token, 'base64url').byteLength).toBe(32);
    expect((await pairWith(code, 'iphone-b')).status).toBe(403);
    expect(fx.receiver.listDevices().map((d) => d.id)).toEqual(['iphone-a']);
  });

  it('refuses a revoked device at once, mid-upload too, while others keep uploading', async () => {
    fx = await startFixture();
    const victim = await fx.pair('Lost iPhone', 'lost');
    const other = await fx.pair('Other iPhone', 'other');
    const c = await RawClient.authed(fx.wsUrl, victim.token);
    const o = await RawClient.authed(fx.wsUrl, other.token);
    const bytes = randomBytes(100_000);
    c.json({
      type: 'announce',
      uploadId: 1,
      assetId: 'REVOKE/1',
      resourceType: 'photo',
      filename: 'r.jpg',
      size: bytes.byteLength,
      sha256: sha256Hex(bytes),
    });
    await c.next((m) => m.type === 'ready');
    c.chunk(1, 0, bytes.subarray(0, 50_000));
    await c.next((m) => m.type === 'ack');
    expect(await fx.receiver.revokeDevice('lost')).toBe(true);
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'DEVICE_REVOKED', retryable: false });
    expect(await c.closed()).toBe(4003);

    const again = await RawClient.connect(fx.wsUrl);
    again.json({ type: 'hello', protocol: 1, token: victim.token });
    expect(await again.next((m) => m.type === 'error')).toMatchObject({ code: 'DEVICE_REVOKED' });
    expect(await again.closed()).toBe(4003);
    expect(await o.upload(1, randomBytes(1000), { filename: 'fine.jpg' })).toMatchObject({ type: 'committed' });
    o.close();
  });
});

describe('the receiver name', () => {
  it('is kept fit for Bonjour, certificates and pairing URLs, even when saved unfit by an older version', async () => {
    const dir = await makeTempDir();
    try {
      const registry = await DeviceRegistry.open(dir);
      await registry.setName('Ana\t Mac\n');
      expect(registry.name).toBe('Ana Mac');
      await registry.setName('\u0007\u0000');
      // eslint-disable-next-line no-control-regex -- the check is for control characters
      expect(registry.name).not.toMatch(/[\u0000-\u001f]/);
      expect(registry.name.length).toBeGreaterThan(0);
      await registry.close();
      const file = path.join(dir, 'receiver.json');
      const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
      await fs.writeFile(file, JSON.stringify({ ...saved, name: 'Old\tName' }));
      const reopened = await DeviceRegistry.open(dir);
      expect(reopened.name).toBe('Old Name');
      await reopened.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
