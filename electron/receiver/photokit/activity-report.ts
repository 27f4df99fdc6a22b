/** PhotoKit uploads in the receiver's live upload activity (queue views), as transport 'http'. */
import { ShoeboxError, isShoeboxError } from '../../../shared/protocol';
import type { UploadActivityState, UploadActivityTracker } from '../activity/upload-activity';
import type { UploadSpec } from '../ingest/upload-spec';

export type ActivityReport = (state: UploadActivityState, received: number, extra?: { path?: string; error?: unknown }) => void;

/** A reporter for one upload; a no-op without a tracker. */
export function activityReporter(tracker: UploadActivityTracker | undefined, deviceName: string, spec: UploadSpec, key: string): ActivityReport {
  if (!tracker) return () => undefined;
  return (state, received, extra = {}) => {
    const e = extra.error === undefined ? undefined : isShoeboxError(extra.error) ? extra.error : new ShoeboxError('INTERNAL', String(extra.error));
    tracker.report({
      key, deviceId: spec.deviceId, deviceName, assetId: spec.assetId, resourceType: spec.resourceType,
      filename: spec.filename, size: spec.size, received, state, transport: 'http',
      ...(extra.path === undefined ? {} : { path: extra.path }),
      ...(e === undefined ? {} : { error: { code: e.code, message: e.message, retryable: e.retryable } }),
    });
  };
}
