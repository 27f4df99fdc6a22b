/**
 * Answers about an upload resource after a request that carried its bytes (creation or PATCH):
 * the stored result with Upload-Complete: ?1, an acknowledgement of a partial body, or an error that
 * says whether the bytes so far are kept (and from which offset to resume).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isShoeboxError } from '../../../shared/protocol';
import type { DeviceSummary } from '../pairing/device-registry';
import { answerEmpty, answerError, answerStored, withHeaders, withProblem } from './http-io';
import { inconsistentLength, type PhotoKitContext } from './photokit-context';
import { completeField, interopSpec, ShoeboxError, UPLOAD_HEADER, type InteropVersion } from '../../../shared/protocol';
import { limitHeader, problemOf, stateHeaders } from './resumable-protocol';
import { isFatal, type TransferOutcome } from './upload-transfer';
import type { UploadResource } from './upload-resources';

export interface ResourceExchange {
  ctx: PhotoKitContext;
  req: IncomingMessage;
  res: ServerResponse;
  device: DeviceSummary;
  resource: UploadResource;
  version: InteropVersion;
  /** The upload resource's URL, sent on answers to the creation request only. */
  location: string | null;
}

/** Upload-Limit for an existing resource: the size limit and the seconds until it expires. */
export function resourceLimit(
  ctx: PhotoKitContext,
  resource: UploadResource,
  version: InteropVersion,
): Record<string, string> {
  return limitHeader(version, ctx.maxUploadBytes, (ctx.resources.expiresAt(resource) - Date.now()) / 1000);
}

function locationHeader(x: ResourceExchange): Record<string, string> {
  return x.location === null ? {} : { location: x.location };
}

export async function answerOutcome(x: ResourceExchange, outcome: TransferOutcome): Promise<void> {
  const { ctx, req, res, resource, version } = x;
  if (outcome.kind === 'stored') {
    // Committed and durable: a failure to update the resource record must not turn that into an error.
    await ctx.resources
      .finish(resource, outcome.result)
      .catch((error: Error) =>
        ctx.log(`Could not record upload resource ${resource.id} as finished: ${error.message}`),
      );
    const state = stateHeaders(version, { complete: true, offset: outcome.result.size });
    answerStored(
      req,
      res,
      { assetId: resource.spec.assetId, resourceType: resource.spec.resourceType, result: outcome.result },
      { ...state, ...locationHeader(x) },
    );
    return;
  }
  await ctx.resources
    .save(resource)
    .catch((error: Error) => ctx.log(`Could not save upload resource ${resource.id}: ${error.message}`));
  if (outcome.kind === 'cut') return; // the client is gone; HEAD tells it the offset when it is back
  const headers = {
    ...stateHeaders(version, { complete: false, offset: outcome.offset }),
    ...resourceLimit(ctx, resource, version),
    ...locationHeader(x),
  };
  answerEmpty(req, res, x.location === null ? interopSpec(version).incompleteAppendStatus : 201, headers);
}

/**
 * A PATCH to an upload that is already complete, the way its version wants it: refused (400 with the
 * completed-upload problem, up to 7), 410 Gone for an empty append (8), the final answer replayed for an
 * empty append (9); from 8 a non-empty append is an inconsistent length.
 */
export function answerAppendToComplete(x: ResourceExchange, emptyBody: boolean): void {
  const { req, res, resource, version } = x;
  const rule = interopSpec(version).appendToComplete;
  const size = resource.result?.size ?? resource.length ?? 0;
  const state = stateHeaders(version, { complete: true, offset: size });
  if (rule === 'replay' && emptyBody && resource.result) {
    answerStored(
      req,
      res,
      { assetId: resource.spec.assetId, resourceType: resource.spec.resourceType, result: resource.result },
      state,
    );
    return;
  }
  let error: ShoeboxError;
  if (rule !== 'refuse' && !emptyBody)
    error = inconsistentLength(`the upload is complete at ${size} bytes; nothing more can be appended`, version);
  else if (rule === 'gone')
    error = withProblem(
      new ShoeboxError(
        'UPLOAD_COMPLETED',
        'This upload is already complete: nothing more can be appended; HEAD tells its outcome.',
      ),
      problemOf(version, 'completedUpload'),
    );
  else
    error = withProblem(
      new ShoeboxError('BAD_MESSAGE', 'This upload is already complete: nothing more can be appended.'),
      problemOf(version, 'completedUpload'),
    );
  answerError(req, res, withHeaders(error, state));
}

/**
 * Transient trouble while an announced resumable upload's body arrives (idle link, shutdown, a newer
 * request taking over, the disk reserve): URLSession resumes only a dropped connection, and fails the job
 * on a final 408, 409 or 503. So the connection is closed instead of answered; the bytes so far are kept
 * and HEAD reports them.
 */
const RESUME_BY_HANGING_UP = new Set<string>(['IDLE_TIMEOUT', 'SHUTTING_DOWN', 'UPLOAD_BUSY', 'DISK_FULL']);

export function resumesByHangingUp(error: unknown): boolean {
  return isShoeboxError(error) && RESUME_BY_HANGING_UP.has(error.code);
}

/** Closes the connection without a final answer (the client sees a dropped connection and resumes). */
export function hangUp(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.destroy();
}

/** Answers an error of a creation or PATCH request; fatal errors end the resource. */
export async function answerResourceError(x: ResourceExchange, error: unknown, saved: boolean): Promise<void> {
  const { ctx, req, res, resource, version } = x;
  if (saved && resumesByHangingUp(error)) {
    await ctx.resources
      .save(resource)
      .catch((e: Error) => ctx.log(`Could not save upload resource ${resource.id}: ${e.message}`));
    hangUp(res);
    return;
  }
  if (isFatal(error)) {
    await ctx.resources.remove(resource).catch(() => undefined);
    // CHECKSUM_MISMATCH: every byte arrived but processing failed; resuming cannot help.
    const processed = isShoeboxError(error) && error.code === 'CHECKSUM_MISMATCH';
    answerError(req, res, error, { [UPLOAD_HEADER.version]: String(version), ...completeField(version, processed) });
    return;
  }
  if (!saved) {
    await ctx.resources.remove(resource).catch(() => undefined); // never announced: nobody can resume it
    answerError(req, res, error, { [UPLOAD_HEADER.version]: String(version) });
    return;
  }
  const held = await ctx.resources.bytesHeld(resource);
  const offset = held ?? (isShoeboxError(error) ? error.offset : undefined) ?? 0;
  answerError(req, res, error, { ...stateHeaders(version, { complete: false, offset }), ...locationHeader(x) });
}
