/**
 * What the receiver is doing right now, per upload, for queue views (the window, the tray, the
 * terminal): every transport reports here, and listeners get throttled progress events.
 */
import { EventEmitter } from 'node:events';
import { ShoeboxError, isShoeboxError, type ErrorCode, type ResourceType } from '../../../shared/protocol';
import type { UploadSpec } from '../ingest/upload-spec';

export type UploadActivityState =
  /** Bytes are arriving. */
  | 'receiving'
  /** All bytes in; checking the SHA-256 and filing it. */
  | 'verifying'
  | 'stored'
  | 'duplicate'
  /** The connection went away; the bytes so far are kept and the upload resumes when the device is back. */
  | 'interrupted'
  | 'failed';

export interface UploadActivity {
  /** Staging key: stable across reconnects and restarts of the same upload. */
  key: string;
  deviceId: string;
  deviceName: string;
  assetId: string;
  resourceType: ResourceType;
  filename: string;
  size: number;
  /** Bytes the receiver holds. */
  received: number;
  state: UploadActivityState;
  transport: 'ws' | 'http';
  startedAt: string;
  updatedAt: string;
  /** Where it was stored (stored / duplicate). */
  path?: string;
  error?: { code: ErrorCode; message: string; retryable: boolean };
}

export interface UploadActivityEvents {
  activity: [activity: UploadActivity];
}

/** One transport's view of an upload, as reportUpload() takes it. */
export interface UploadReport {
  key: string;
  spec: UploadSpec;
  deviceName: string;
  transport: UploadActivity['transport'];
  state: UploadActivityState;
  received: number;
  path?: string;
  /** Any thrown value: ShoeboxErrors keep their code, anything else reads as INTERNAL. */
  error?: unknown;
}

const FINAL: ReadonlySet<UploadActivityState> = new Set(['stored', 'duplicate', 'failed']);

/** Keeps the latest state of each upload; emits changes, progress at most every `progressEveryMs`. */
export class UploadActivityTracker extends EventEmitter<UploadActivityEvents> {
  private readonly current = new Map<string, UploadActivity>();
  private readonly lastEmit = new Map<string, number>();

  constructor(private readonly progressEveryMs = 250) {
    super();
  }

  /** Records a change; `received`-only changes are throttled, state changes always emitted. */
  report(update: Omit<UploadActivity, 'startedAt' | 'updatedAt'>): void {
    const now = Date.now();
    const previous = this.current.get(update.key);
    const next: UploadActivity = { ...update, startedAt: previous?.startedAt ?? new Date(now).toISOString(), updatedAt: new Date(now).toISOString() };
    if (FINAL.has(next.state)) {
      this.current.delete(next.key);
      this.lastEmit.delete(next.key);
      this.emit('activity', next);
      return;
    }
    this.current.set(next.key, next);
    const stateChanged = previous?.state !== next.state;
    if (stateChanged || now - (this.lastEmit.get(next.key) ?? 0) >= this.progressEveryMs || next.received === next.size) {
      this.lastEmit.set(next.key, now);
      this.emit('activity', next);
    }
  }

  /** Records a change of an upload described by its announcement (what both transports have at hand). */
  reportUpload({ key, spec, deviceName, transport, state, received, path, error }: UploadReport): void {
    const e = error === undefined ? undefined : isShoeboxError(error) ? error : new ShoeboxError('INTERNAL', String(error));
    this.report({
      key, deviceId: spec.deviceId, deviceName, assetId: spec.assetId, resourceType: spec.resourceType,
      filename: spec.filename, size: spec.size, received, state, transport,
      ...(path === undefined ? {} : { path }),
      ...(e === undefined ? {} : { error: { code: e.code, message: e.message, retryable: e.retryable } }),
    });
  }

  /** Uploads not finished: receiving, verifying or interrupted. */
  list(): UploadActivity[] {
    return [...this.current.values()];
  }
}
