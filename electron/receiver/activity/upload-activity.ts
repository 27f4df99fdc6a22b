/**
 * What the receiver is doing right now, per upload, for queue views (the window, the tray, the
 * terminal): the tracker follows the ingest core's upload events (whatever the transport), keeps the
 * latest state of each upload, and gives listeners throttled progress events.
 */
import { EventEmitter } from 'node:events';
import type { ErrorCode, ResourceType } from '../../../shared/protocol';
import type { IngestEvents, UploadEvent } from '../ingest/ingest-events';

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

/** The part of the ingest core the tracker listens to. */
export interface IngestEventSource {
  on(event: 'upload', listener: (...args: IngestEvents['upload']) => void): unknown;
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
    const next: UploadActivity = {
      ...update,
      startedAt: previous?.startedAt ?? new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
    if (FINAL.has(next.state)) {
      this.current.delete(next.key);
      this.lastEmit.delete(next.key);
      this.emit('activity', next);
      return;
    }
    this.current.set(next.key, next);
    const stateChanged = previous?.state !== next.state;
    if (
      stateChanged ||
      now - (this.lastEmit.get(next.key) ?? 0) >= this.progressEveryMs ||
      next.received === next.size
    ) {
      this.lastEmit.set(next.key, now);
      this.emit('activity', next);
    }
  }

  /** Follows every upload of the ingest core from now on. */
  follow(ingest: IngestEventSource): this {
    ingest.on('upload', (event) => this.record(event));
    return this;
  }

  /** Records one upload event of the ingest core. */
  record(event: UploadEvent): void {
    const { key, spec, origin, received, state } = event;
    const path = 'result' in event ? event.result.path : undefined;
    const e = 'error' in event ? event.error : undefined;
    this.report({
      key,
      deviceId: spec.deviceId,
      deviceName: origin.device.name,
      assetId: spec.assetId,
      resourceType: spec.resourceType,
      filename: spec.filename,
      size: spec.size,
      received,
      state,
      transport: origin.transport,
      ...(path === undefined ? {} : { path }),
      ...(e === undefined ? {} : { error: { code: e.code, message: e.message, retryable: e.retryable } }),
    });
  }

  /** Uploads not finished: receiving, verifying or interrupted. */
  list(): UploadActivity[] {
    return [...this.current.values()];
  }
}
