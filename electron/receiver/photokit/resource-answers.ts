/**
 * Answers about an upload resource after a request that carried its bytes (creation or PATCH):
 * the stored result with Upload-Complete: ?1, an acknowledgement of a partial body, or an error that
 * says whether the bytes so far are kept (and from which offset to resume).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isShoeboxError } from '../../../shared/protocol';
import type { DeviceSummary } from '../pairing/device-registry';
import { answerEmpty, answerError, answerStored } from './http-io';
import type { PhotoKitContext } from './photokit-context';
import { completeHeaders, limitHeader, stateHeaders, UPLOAD_HEADER, type InteropVersion } from './resumable-protocol';
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
export function resourceLimit(ctx: PhotoKitContext, resource: UploadResource): Record<string, string> {
  return limitHeader(ctx.maxUploadBytes, (ctx.resources.expiresAt(resource) - Date.now()) / 1000);
}

function locationHeader(x: ResourceExchange): Record<string, string> {
  return x.location === null ? {} : { location: x.location };
}

export async function answerOutcome(x: ResourceExchange, outcome: TransferOutcome): Promise<void> {
  const { ctx, req, res, resource, version } = x;
  if (outcome.kind === 'stored') {
    // Committed and durable: a failure to update the resource record must not turn that into an error.
    await ctx.resources.finish(resource, outcome.result).catch((error: Error) => ctx.log(`Could not record upload resource ${resource.id} as finished: ${error.message}`));
    ctx.onCommitted({ device: x.device, filename: resource.spec.filename, result: outcome.result });
    const state = stateHeaders(version, { complete: true, offset: outcome.result.size });
    answerStored(req, res, { assetId: resource.spec.assetId, resourceType: resource.spec.resourceType, result: outcome.result }, { ...state, ...locationHeader(x) });
    return;
  }
  await ctx.resources.save(resource).catch((error: Error) => ctx.log(`Could not save upload resource ${resource.id}: ${error.message}`));
  if (outcome.kind === 'cut') return; // the client is gone; HEAD tells it the offset when it is back
  const headers = { ...stateHeaders(version, { complete: false, offset: outcome.offset }), ...resourceLimit(ctx, resource), ...locationHeader(x) };
  answerEmpty(req, res, x.location === null ? 204 : 201, headers);
}

/** Answers an error of a creation or PATCH request; fatal errors end the resource. */
export async function answerResourceError(x: ResourceExchange, error: unknown, saved: boolean): Promise<void> {
  const { ctx, req, res, resource, version } = x;
  if (isFatal(error)) {
    await ctx.resources.remove(resource).catch(() => undefined);
    // CHECKSUM_MISMATCH: every byte arrived but processing failed; resuming cannot help.
    const processed = isShoeboxError(error) && error.code === 'CHECKSUM_MISMATCH';
    answerError(req, res, error, { [UPLOAD_HEADER.version]: String(version), ...completeHeaders(version, processed) });
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
