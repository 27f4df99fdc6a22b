/** The live queue: states, speed and time left, retries, totals, revoked devices. */
import { describe, expect, it } from 'vitest';
import { QueueModel } from '../../../electron/app/queue-model';
import type { UploadActivity } from '../../../electron/receiver/activity/upload-activity';

function activity(over: Partial<UploadActivity>): UploadActivity {
  return {
    key: 'k1',
    deviceId: 'd1',
    deviceName: 'Ana’s iPhone',
    assetId: 'a1',
    resourceType: 'photo',
    filename: 'IMG_0001.HEIC',
    size: 10_000_000,
    received: 0,
    state: 'receiving',
    transport: 'ws',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('QueueModel', () => {
  it('measures speed and time left from received bytes over time', () => {
    let now = 1_000_000;
    const model = new QueueModel(() => now);
    model.apply(activity({ received: 0 }));
    now += 1000;
    model.apply(activity({ received: 1_000_000 }));
    now += 1000;
    model.apply(activity({ received: 2_000_000 }));
    const lane = model.snapshot().devices[0]!;
    const item = lane.items[0]!;
    expect(item.state).toBe('receiving');
    expect(item.bytesPerSecond).toBeCloseTo(1_000_000, -3);
    expect(item.etaSeconds).toBeCloseTo(8, 0);
    expect(lane.state).toBe('active');
    expect(lane.etaSeconds).toBeCloseTo(8, 0);
    expect(model.snapshot().session.receivedBytes).toBe(2_000_000);
  });

  it('shows zero speed once progress stalls, and a paused device while it waits for the phone', () => {
    let now = 0;
    const model = new QueueModel(() => now);
    model.apply(activity({ received: 0 }));
    now += 500;
    model.apply(activity({ received: 500_000 }));
    now += 10_000;
    expect(model.snapshot().devices[0]!.items[0]!.bytesPerSecond).toBe(0);
    model.apply(activity({ received: 500_000, state: 'interrupted' }));
    const lane = model.snapshot().devices[0]!;
    expect(lane.items[0]!.state).toBe('waiting');
    expect(lane.state).toBe('paused');
  });

  it('counts a resumed upload as retrying, then stored once, with session totals', () => {
    const model = new QueueModel();
    model.apply(activity({ received: 100 }));
    model.apply(activity({ received: 100, state: 'interrupted' }));
    model.apply(activity({ received: 200, state: 'receiving' }));
    expect(model.snapshot().devices[0]!.items[0]).toMatchObject({ state: 'retrying', retries: 1 });
    model.apply(activity({ received: 10_000_000, state: 'verifying' }));
    model.apply(activity({ received: 10_000_000, state: 'stored', path: '2026/2026-01/IMG_0001.HEIC' }));
    model.apply(activity({ key: 'k2', received: 5, size: 5, state: 'duplicate' }));
    model.apply(
      activity({
        key: 'k3',
        state: 'failed',
        error: { code: 'CHECKSUM_MISMATCH', message: 'bad bytes', retryable: true },
      }),
    );
    const snap = model.snapshot();
    expect(snap.session).toMatchObject({ stored: 1, storedBytes: 10_000_000, duplicates: 1, failed: 1 });
    const states = snap.devices[0]!.items.map((i) => i.state);
    expect(states[0]).toBe('failed'); // problems first, then what is done
    expect(states.slice(1).sort()).toEqual(['duplicate', 'stored']);
    expect(snap.devices[0]!.state).toBe('idle');
    // The failed upload comes back: no longer counted failed.
    model.apply(activity({ key: 'k3', state: 'receiving', received: 10 }));
    expect(model.snapshot().session.failed).toBe(0);
    model.clearFinished();
    expect(model.snapshot().devices[0]!.items.map((i) => i.key)).toEqual(['k3']);
  });

  it('fails a revoked device’s open uploads with the reason and ignores the disconnects that follow', () => {
    const model = new QueueModel();
    model.apply(activity({ received: 100 }));
    model.failDevice('d1', { code: 'DEVICE_REVOKED', message: 'removed', retryable: false });
    model.apply(activity({ received: 100, state: 'interrupted' }));
    const item = model.snapshot().devices[0]!.items[0]!;
    expect(item).toMatchObject({ state: 'failed', error: { code: 'DEVICE_REVOKED' } });
    expect(model.isUploading('d1')).toBe(false);
  });
});
