/** What the tray and notifications say, as pure functions of the app API's data. */
import type { AppStatus, Arrival, QueueSnapshot } from '../../shared/app-api/schemas';
import { formatBytes } from '../../shared/format';

export type TrayState = 'idle' | 'receiving' | 'attention';

export interface TrayView {
  state: TrayState;
  /** First (disabled) line of the tray menu. */
  statusLine: string;
  /** Hover text; Windows cuts tooltips at 127 characters. */
  tooltip: string;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "Ana's iPhone", or a neutral name when the device is unknown. */
export function deviceLabel(name: string | null | undefined): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : 'your iPhone';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const OPEN_STATES = new Set(['waiting', 'receiving', 'retrying', 'verifying']);

export function trayView(status: AppStatus | null, queue: QueueSnapshot | null): TrayView {
  const view = (state: TrayState, statusLine: string, detail = statusLine): TrayView => ({
    state,
    statusLine: clip(statusLine, 80),
    tooltip: clip(`Shoebox: ${detail}`, 127),
  });
  if (status?.banner) {
    const line =
      status.banner.kind === 'disk-full'
        ? 'Backup disk is full'
        : status.banner.kind === 'low-space'
          ? 'Backup disk is almost full'
          : 'Shoebox needs attention';
    return view('attention', line, status.banner.message);
  }
  if (status?.busy) return view('receiving', status.busy);
  const active = queue?.devices.filter((d) => d.state === 'active') ?? [];
  if (active.length > 0) {
    const files = active.reduce((n, d) => n + d.items.filter((i) => OPEN_STATES.has(i.state)).length, 0);
    const speed = active.reduce((n, d) => n + d.bytesPerSecond, 0);
    const from = active.length === 1 ? deviceLabel(active[0]?.deviceName) : `${active.length} devices`;
    const line = `Receiving ${count(files, 'file')} from ${from}`;
    return view('receiving', line, speed > 0 ? `${line} (${formatBytes(speed)}/s)` : line);
  }
  const paused = queue?.devices.find((d) => d.state === 'paused');
  if (paused) return view('idle', `Waiting for ${deviceLabel(paused.deviceName)} to continue`);
  const stored = queue?.session.stored ?? 0;
  return view(
    'idle',
    stored > 0 ? `Up to date: ${count(stored, 'file')} backed up since Shoebox started` : 'Ready for photos',
  );
}

/** "12 photos", "3 videos", "12 photos and 3 videos", "2 photos, 1 video and 4 files". */
export function describeArrivals(items: Pick<Arrival, 'kind'>[]): string {
  const photos = items.filter((i) => i.kind === 'photo').length;
  const videos = items.filter((i) => i.kind === 'video').length;
  const other = items.length - photos - videos;
  const parts = [
    photos > 0 ? count(photos, 'photo') : null,
    videos > 0 ? count(videos, 'video') : null,
    other > 0 ? count(other, photos + videos > 0 ? 'other file' : 'file') : null,
  ].filter((p): p is string => p !== null);
  if (parts.length <= 1) return parts[0] ?? 'Nothing';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "12 photos backed up from Ana's iPhone". */
export function arrivalsSentence(items: Pick<Arrival, 'kind'>[], deviceName: string | null): string {
  return `${describeArrivals(items)} backed up from ${deviceLabel(deviceName)}`;
}
