/**
 * One request body into the one ingest core: begin (dedupe, space, staging), stream the body through
 * the lease, then commit when the body completes the upload. Plain uploads drop their bytes when the
 * request fails; resumable ones keep them (fsynced) so HEAD reports them and PATCH continues. The
 * ingest core publishes the upload's state (queue views, the committed event); this only tells it
 * what the request did.
 */
import type { IncomingMessage } from 'node:http';
import { ShoeboxError, isShoeboxError } from '../../../shared/protocol';
import type { CommitResult } from '../ingest/committer';
import type { IngestService } from '../ingest/ingest-service';
import type { UploadLease } from '../ingest/upload-lease';
import type { UploadSpec } from '../ingest/upload-spec';
import type { DeviceSummary } from '../pairing/device-registry';
import { pumpBody } from './body-pump';
import type { InFlightUpload } from './in-flight';

export interface TransferContext {
  ingest: IngestService;
  maxUploadBytes: number;
  idleTimeoutMs: number;
}

export interface TransferPlan {
  /** spec.size is the upload's length, or maxUploadBytes when `sizeKnown` is false. */
  spec: UploadSpec;
  sizeKnown: boolean;
  key: string;
  /** Where this request's body starts in the upload. */
  offset: number;
  /** Whether the end of this body is the end of the upload. */
  completes: boolean;
  /** Keep the received bytes when the request fails (resumable uploads). */
  resumable: boolean;
  /** Called once the upload is open and before the body is read (resumable creation: save, then 104). */
  onOpened?: (lease: UploadLease) => Promise<void>;
  /**
   * Checked once every byte is in, right before the commit: throws when the upload may no longer be stored (device
   * revoked, resource gone).
   */
  mayCommit: () => void;
}

export type TransferOutcome =
  /** Committed now, or already stored (`early`: answered before reading the body). */
  | { kind: 'stored'; result: CommitResult; early: boolean }
  /** The body ended but the upload is not complete: `offset` bytes are durable. */
  | { kind: 'partial'; offset: number }
  /** The connection closed mid-body. */
  | { kind: 'cut'; offset: number };

/** Errors after which the partial upload is worthless: it is deleted even for resumable uploads. */
const FATAL = new Set(['TOO_LARGE', 'OUT_OF_RANGE', 'CHECKSUM_MISMATCH', 'BAD_MESSAGE']);

export function isFatal(error: unknown): boolean {
  return isShoeboxError(error) && FATAL.has(error.code);
}

export async function runTransfer(
  ctx: TransferContext,
  req: IncomingMessage,
  plan: TransferPlan,
  request: InFlightUpload,
  device: DeviceSummary,
): Promise<TransferOutcome> {
  if (request.signal.aborted) throw request.signal.reason; // revoked or closing before it began
  const begun = await ctx.ingest.begin(plan.spec, {
    origin: { transport: 'http', device },
    key: plan.key,
    sizeKnown: plan.sizeKnown,
    // A plain upload cannot be resumed: its bytes go with any failure. A resumable one keeps them unless they are
    // worthless.
    keepBytes: (reason) => plan.resumable && !isFatal(reason),
  });
  if (begun.kind === 'stored') return { kind: 'stored', result: begun.result, early: true };
  const { lease } = begun;
  try {
    if (lease.startOffset !== plan.offset) {
      throw new ShoeboxError(
        'BAD_OFFSET',
        `The upload holds ${lease.startOffset} bytes, not ${plan.offset}: send from ${lease.startOffset}.`,
        { offset: lease.startOffset },
      );
    }
    if (request.signal.aborted) throw request.signal.reason;
    await plan.onOpened?.(lease);
    lease.markReady();
    const limit = plan.spec.size;
    const pumped = await pumpBody(req, lease, {
      offset: plan.offset,
      limit,
      overLimit: () =>
        plan.sizeKnown && limit < ctx.maxUploadBytes
          ? new ShoeboxError(
              'OUT_OF_RANGE',
              `The body goes past the announced length of ${limit} bytes; the upload was discarded.`,
            )
          : new ShoeboxError(
              'TOO_LARGE',
              `The upload is over this receiver's limit of ${ctx.maxUploadBytes} bytes per file.`,
            ),
      idleMs: ctx.idleTimeoutMs,
      signal: request.signal,
    });
    if (pumped.kind === 'cut' || !plan.completes) {
      await lease.interrupt().catch(() => undefined);
      return pumped.kind === 'cut' ? { kind: 'cut', offset: lease.held } : { kind: 'partial', offset: lease.held };
    }
    if (!plan.sizeKnown) await lease.setSize(lease.held);
    if (request.signal.aborted) throw request.signal.reason;
    plan.mayCommit();
    request.committing = true;
    const result = await lease.finish();
    return { kind: 'stored', result, early: false };
  } catch (error) {
    await lease.fail(error).catch(() => undefined);
    throw error;
  }
}
