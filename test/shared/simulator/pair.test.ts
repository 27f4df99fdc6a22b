import { afterEach, describe, expect, it } from 'vitest';
import { httpBaseUrl, pair, PairingError } from '../../../shared/simulator/pair';
import { FAKE_PAIRING_CODE, FAKE_TOKEN, FakeReceiver } from '../../helpers/simulator/fake-receiver';

let receiver: FakeReceiver | undefined;
afterEach(async () => receiver?.close());

const jsonFetch =
  (status: number, body: unknown): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), { status });

describe('pair', () => {
  it('pairs with the right code and returns the token', async () => {
    receiver = await FakeReceiver.start();
    const answer = await pair({
      baseUrl: httpBaseUrl('127.0.0.1', receiver.port),
      code: FAKE_PAIRING_CODE,
      deviceName: 'Test phone',
      deviceId: 'dev-1',
    });
    expect(answer).toEqual({ deviceId: 'dev-1', token: FAKE_TOKEN, receiverId: 'fake-receiver', receiverName: 'Fake' });
  });

  it("reports the receiver's error code for a wrong code", async () => {
    receiver = await FakeReceiver.start();
    const error = await pair({
      baseUrl: httpBaseUrl('127.0.0.1', receiver.port),
      code: '000000',
      deviceName: 'x',
      deviceId: 'd',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect(error).toMatchObject({ code: 'PAIRING_CODE_INVALID', retryable: false, status: 403 });
  });

  it('checks its input before sending anything', async () => {
    let called = false;
    const fetchSpy: typeof fetch = async () => ((called = true), new Response('{}'));
    await expect(
      pair({ baseUrl: 'http://127.0.0.1:1', code: '12345', deviceName: 'x', deviceId: 'd', fetch: fetchSpy }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(
      pair({ baseUrl: 'http://127.0.0.1:1', code: '123456', deviceName: 'x', deviceId: 'bad id!', fetch: fetchSpy }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(called).toBe(false);
  });

  it('validates the answer', async () => {
    const base = { baseUrl: 'http://127.0.0.1:1', code: '123456', deviceName: 'x', deviceId: 'd' };
    await expect(
      pair({ ...base, fetch: jsonFetch(200, { deviceId: 'd', token: 'short', receiverId: 'r', receiverName: 'n' }) }),
    ).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(
      pair({
        ...base,
        fetch: jsonFetch(429, { error: { code: 'PAIRING_RATE_LIMITED', message: 'wait', retryable: true } }),
      }),
    ).rejects.toMatchObject({ code: 'PAIRING_RATE_LIMITED', retryable: true });
    await expect(pair({ ...base, fetch: jsonFetch(500, { oops: true }) })).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      status: 500,
    });
    await expect(pair({ ...base, fetch: async () => new Response('<html>', { status: 200 }) })).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
    });
  });

  it('reports an unreachable receiver as NETWORK, retryable', async () => {
    receiver = await FakeReceiver.start();
    const port = receiver.port;
    await receiver.close();
    receiver = undefined;
    await expect(
      pair({ baseUrl: httpBaseUrl('127.0.0.1', port), code: '123456', deviceName: 'x', deviceId: 'd' }),
    ).rejects.toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('brackets IPv6 hosts', () => {
    expect(httpBaseUrl('::1', 8080)).toBe('http://[::1]:8080');
  });
});
