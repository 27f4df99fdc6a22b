/** The trust boundary: every command's request is checked before a handler runs, answers on the way out. */
import { describe, expect, it, vi } from 'vitest';
import { AppApiError, apiErrorSchema, type AppApiHandlers } from '../../../shared/app-api';
import { dispatch } from '../../../electron/app/api-dispatch';
import { ShoeboxError } from '../../../shared/protocol';

function handlers(over: Partial<AppApiHandlers> = {}): AppApiHandlers {
  const fail = async () => {
    throw new Error('not in this test');
  };
  return new Proxy(over, {
    get: (target, key) => (target as Record<string | symbol, unknown>)[key] ?? fail,
  }) as AppApiHandlers;
}

describe('dispatch', () => {
  it('refuses unknown commands, including prototype names', async () => {
    expect(await dispatch(handlers(), 'fs.delete', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await dispatch(handlers(), '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await dispatch(handlers(), 42, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it('checks requests against the contract before calling the handler', async () => {
    const page = vi.fn(async () => ({ offset: 0, total: 0, items: [] }));
    const h = handlers({ 'arrivals.page': page });
    expect(await dispatch(h, 'arrivals.page', { offset: -1, limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await dispatch(h, 'arrivals.page', { offset: 0, limit: 10_000 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await dispatch(h, 'arrivals.page', { offset: 0, limit: 10, extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await dispatch(h, 'folder.change', { path: '/x\0y', mode: 'move' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(page).not.toHaveBeenCalled();
    expect(await dispatch(h, 'arrivals.page', { offset: 0, limit: 10 })).toEqual({
      ok: true,
      value: { offset: 0, total: 0, items: [] },
    });
  });

  it('refuses a computer name with control characters before anything is saved', async () => {
    let called = false;
    const handlers = { 'settings.setName': async () => ((called = true), {} as never) } as unknown as AppApiHandlers;
    const result = await dispatch(handlers, 'settings.setName', { name: 'Ana\tMac' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('control characters') as unknown },
    });
    expect(called).toBe(false);
  });

  it('keeps error answers within the contract, however long the message', async () => {
    const handlers = {
      'folder.get': async () => {
        throw new AppApiError('BAD_FOLDER', `x`.repeat(5000));
      },
    } as unknown as AppApiHandlers;
    const result = await dispatch(handlers, 'folder.get', {});
    expect(result.ok).toBe(false);
    expect(apiErrorSchema.safeParse((result as { error: unknown }).error).success).toBe(true);
  });

  it('checks answers too, and maps errors to codes without leaking stacks', async () => {
    const log = vi.fn();
    const bad = handlers({ 'devices.list': async () => [{ id: 1 }] as never });
    expect(await dispatch(bad, 'devices.list', {}, log)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const errors = handlers({
      'devices.revoke': async () => {
        throw new AppApiError('NOT_FOUND', 'No paired device with that id.');
      },
      'pairing.open': async () => {
        throw new ShoeboxError('STORAGE_ERROR', 'disk trouble');
      },
    });
    expect(await dispatch(errors, 'devices.revoke', { deviceId: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No paired device with that id.' },
    });
    expect(await dispatch(errors, 'pairing.open', {})).toEqual({
      ok: false,
      error: { code: 'STORAGE_ERROR', message: 'disk trouble' },
    });
  });
});
