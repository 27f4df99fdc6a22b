/** PhotoKit uploads in the receiver's live upload activity (queue views), as transport 'http'. */
import type { UploadActivityState, UploadActivityTracker } from '../activity/upload-activity';
import type { UploadSpec } from '../ingest/upload-spec';

export type ActivityReport = (state: UploadActivityState, received: number, extra?: { path?: string; error?: unknown }) => void;

/** A reporter for one upload; a no-op without a tracker. */
export function activityReporter(tracker: UploadActivityTracker | undefined, deviceName: string, spec: UploadSpec, key: string): ActivityReport {
  if (!tracker) return () => undefined;
  return (state, received, extra = {}) => tracker.reportUpload({ key, spec, deviceName, transport: 'http', state, received, ...extra });
}
