/** Notifications: batched arrivals per device, disk trouble once, devices paired and removed. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Notifier } from '../../../electron/main/notifier';
import { arrivalsSentence, describeArrivals } from '../../../electron/main/wording';
import { FakeNotification } from '../../helpers/shell/fakes';
import { arrival, device, status } from '../../helpers/shell/fixtures';

function setup(focused = false) {
  const shown: FakeNotification[] = [];
  const onClick = vi.fn();
  let isFocused = focused;
  const notifier = new Notifier({
    notify: (options) => {
      const n = new FakeNotification(options);
      shown.push(n);
      return n;
    },
    onClick,
    isWindowFocused: () => isFocused,
    quietMs: 5_000,
    maxWaitMs: 60_000,
  });
  const bodies = () => shown.filter((n) => n.shown).map((n) => `${n.options.title} | ${n.options.body}`);
  return { notifier, shown, bodies, onClick, focus: (f: boolean) => (isFocused = f) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('wording', () => {
  it('counts kinds in plain English', () => {
    const kinds = (photo: number, video: number, other: number) => [
      ...Array.from({ length: photo }, () => ({ kind: 'photo' as const })),
      ...Array.from({ length: video }, () => ({ kind: 'video' as const })),
      ...Array.from({ length: other }, () => ({ kind: 'other' as const })),
    ];
    expect(describeArrivals(kinds(1, 0, 0))).toBe('1 photo');
    expect(describeArrivals(kinds(12, 0, 0))).toBe('12 photos');
    expect(describeArrivals(kinds(0, 3, 0))).toBe('3 videos');
    expect(describeArrivals(kinds(12, 1, 0))).toBe('12 photos and 1 video');
    expect(describeArrivals(kinds(2, 1, 4))).toBe('2 photos, 1 video and 4 other files');
    expect(describeArrivals(kinds(0, 0, 2))).toBe('2 files');
    expect(describeArrivals(kinds(1200, 0, 0))).toBe('1,200 photos');
    expect(arrivalsSentence(kinds(12, 0, 0), "Ana's iPhone")).toBe("12 photos backed up from Ana's iPhone");
    expect(arrivalsSentence(kinds(1, 0, 0), null)).toBe('1 photo backed up from your iPhone');
  });
});

describe('Notifier', () => {
  it('batches arrivals until things go quiet: one notification for 12 photos', () => {
    const { notifier, bodies } = setup();
    for (let i = 0; i < 4; i++) {
      notifier.arrivals({ items: [arrival(), arrival(), arrival()] });
      vi.advanceTimersByTime(1_000);
    }
    expect(bodies()).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(bodies()).toEqual(["Shoebox | 12 photos backed up from Ana's iPhone."]);
    vi.advanceTimersByTime(120_000);
    expect(bodies()).toHaveLength(1);
  });

  it('tells each device apart, and mixes kinds in one sentence', () => {
    const { notifier, bodies } = setup();
    notifier.arrivals({ items: [arrival(), arrival({ kind: 'video' }), arrival({ deviceName: "Ben's iPhone" })] });
    vi.advanceTimersByTime(5_000);
    expect(bodies()).toEqual([
      "Shoebox | 1 photo and 1 video backed up from Ana's iPhone.",
      "Shoebox | 1 photo backed up from Ben's iPhone.",
    ]);
  });

  it('does not wait forever during a long steady backup', () => {
    const { notifier, bodies } = setup();
    for (let t = 0; t < 61; t++) {
      notifier.arrivals({ items: [arrival()] });
      vi.advanceTimersByTime(1_000);
    }
    expect(bodies()).toEqual(["Shoebox | 60 photos backed up from Ana's iPhone."]);
  });

  it('stays quiet about arrivals while the window has the focus', () => {
    const { notifier, bodies, focus } = setup(true);
    notifier.arrivals({ items: [arrival()] });
    vi.advanceTimersByTime(10_000);
    expect(bodies()).toEqual([]);
    focus(false);
    notifier.arrivals({ items: [arrival()] });
    vi.advanceTimersByTime(10_000);
    expect(bodies()).toEqual(["Shoebox | 1 photo backed up from Ana's iPhone."]);
  });

  it('tells a full disk once, even as its message changes, and again after it cleared', () => {
    const { notifier, bodies } = setup(true);
    notifier.status(status());
    notifier.status(status({ banner: { kind: 'disk-full', message: 'Only 200 MB free.' } }));
    notifier.status(status({ banner: { kind: 'disk-full', message: 'Only 100 MB free.' } }));
    notifier.status(status({ banner: { kind: 'low-space', message: 'Only 1.5 GB free.' } }));
    notifier.status(status());
    notifier.status(status({ banner: { kind: 'disk-full', message: 'Only 50 MB free.' } }));
    notifier.status(status({ banner: { kind: 'error', message: 'A' } }));
    notifier.status(status({ banner: { kind: 'error', message: 'B' } }));
    expect(bodies()).toEqual([
      'Backup disk is full | Only 200 MB free.',
      'Backup disk is almost full | Only 1.5 GB free.',
      'Backup disk is full | Only 50 MB free.',
      'Shoebox needs attention | A',
      'Shoebox needs attention | B',
    ]);
  });

  it('tells a device paired or removed, not the ones known at start', () => {
    const { notifier, bodies } = setup();
    notifier.devices([device()]);
    notifier.devices([device(), device({ id: 'd2', name: "Ben's iPhone" })]);
    notifier.devices([device({ revokedAt: '2025-11-23T11:00:00.000Z' }), device({ id: 'd2', name: "Ben's iPhone" })]);
    notifier.devices([device({ revokedAt: '2025-11-23T11:00:00.000Z' }), device({ id: 'd2', name: "Ben's iPhone" })]);
    expect(bodies()).toEqual([
      "iPhone paired | “Ben's iPhone” can now back up its photos to this computer.",
      "iPhone removed | “Ana's iPhone” can no longer back up to this computer.",
    ]);
  });

  it('opens the window when a notification is clicked; stops after dispose', () => {
    const { notifier, shown, onClick, bodies } = setup();
    notifier.status(status({ banner: { kind: 'disk-full', message: 'Full.' } }));
    shown[0]!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);
    notifier.arrivals({ items: [arrival()] });
    notifier.dispose();
    vi.advanceTimersByTime(100_000);
    notifier.status(status({ banner: { kind: 'error', message: 'late' } }));
    expect(bodies()).toHaveLength(1);
  });

  it('copes with a system without notifications', () => {
    const notifier = new Notifier({ notify: () => null, onClick: () => undefined, isWindowFocused: () => false });
    notifier.status(status({ banner: { kind: 'disk-full', message: 'Full.' } }));
    notifier.arrivals({ items: [arrival()] });
    notifier.flush();
  });
});
