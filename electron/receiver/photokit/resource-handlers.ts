/**
 * The upload resource `/v1/uploads/<id>`: HEAD (offset retrieval), PATCH (append, maybe completing
 * the upload) and DELETE (cancel). Only the device that created a resource can see it; everyone else
 * gets the same 404 as for a resource that does not exist. A request arriving while an older one is
 * still writing into the resource stops the older one first (the client has given up on it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import type { DeviceSummary } from '../pairing/device-registry';
import { answerEmpty, resultHeaders, withHeaders, withProblem } from './http-io';
import type { InFlightUpload } from './in-flight';
import { authorizeResource } from './credentials';
import { commitGuard, inconsistentLength, tooLarge, unknownResource, type PhotoKitContext } from './photokit-context';
import { contentLength, singleHeader, uploadLength } from './request-headers';
import {
  answerAppendToComplete,
  answerOutcome,
  answerResourceError,
  resourceLimit,
  type ResourceExchange,
} from './resource-answers';
import { interopSpec, PARTIAL_UPLOAD_TYPE, UPLOAD_HEADER, type InteropVersion } from '../../../shared/protocol';
import {
  optionsLimitHeader,
  problemOf,
  readResourceFields,
  stateHeaders,
  type ResumableFields,
} from './resumable-protocol';
import { runTransfer } from './upload-transfer';
import type { UploadResource } from './upload-resources';

interface Owned {
  device: DeviceSummary;
  resource: UploadResource;
  fields: ResumableFields;
}

/** The resource at this URL and its owner: the URL is the capability; a token sent anyway must be the owner's. */
function findOwned(ctx: PhotoKitContext, req: IncomingMessage, id: string): Owned {
  const resource = ctx.resources.get(id);
  if (!resource) throw unknownResource();
  const device = authorizeResource(ctx.devices, req, resource.spec.deviceId, unknownResource);
  return { device, resource, fields: readResourceFields(req, resource.interop) };
}

/** Stops a request still writing into the resource and waits until it has let go. */
async function takeOver(ctx: PhotoKitContext, resource: UploadResource): Promise<void> {
  await ctx.inFlight
    .forResource(resource.id)
    ?.stop(new ShoeboxError('UPLOAD_BUSY', 'A newer request for this upload resource took over.'));
}

/** Offset and completeness; null (and the resource forgotten) when it expired or its bytes are gone. */
async function currentState(
  ctx: PhotoKitContext,
  resource: UploadResource,
): Promise<{ complete: boolean; offset: number } | null> {
  const expired = Date.now() > ctx.resources.expiresAt(resource);
  if (resource.result && !expired) return { complete: true, offset: resource.result.size };
  const held = expired ? null : await ctx.resources.bytesHeld(resource);
  if (held !== null) return { complete: false, offset: held };
  await ctx.resources.remove(resource);
  return null;
}

export async function handleHead(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const { resource, fields } = findOwned(ctx, req, id);
  await ctx.locks.run(resource.id, async () => {
    await takeOver(ctx, resource);
    const state = await currentState(ctx, resource);
    if (!state) throw unknownResource();
    const result = resource.result
      ? resultHeaders({
          assetId: resource.spec.assetId,
          resourceType: resource.spec.resourceType,
          result: resource.result,
        })
      : {};
    const length: Record<string, string> =
      resource.length === null || !interopSpec(fields.version).uploadLength
        ? {}
        : { [UPLOAD_HEADER.length]: String(resource.length) };
    answerEmpty(req, res, 204, {
      ...stateHeaders(fields.version, state),
      ...length,
      ...resourceLimit(ctx, resource, fields.version),
      ...result,
    });
  });
}

export async function handleDelete(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const { resource, fields } = findOwned(ctx, req, id);
  await ctx.locks.run(resource.id, async () => {
    await takeOver(ctx, resource);
    await ctx.resources.remove(resource);
    answerEmpty(req, res, 204, { [UPLOAD_HEADER.version]: String(fields.version) });
  });
}

/** The resource's length after this PATCH's indications (Content-Length with completion, Upload-Length). */
function patchedLength(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  resource: UploadResource,
  held: number,
  completes: boolean,
  version: InteropVersion,
): number | null {
  const bodyLength = contentLength(req);
  let length = resource.length;
  for (const indicated of [completes && bodyLength !== null ? held + bodyLength : null, uploadLength(req)]) {
    if (indicated === null) continue;
    if (length !== null && indicated !== length)
      throw inconsistentLength(
        `this request implies ${indicated} bytes, the upload was announced as ${length}`,
        version,
      );
    length = indicated;
  }
  if (length !== null && length > ctx.maxUploadBytes)
    throw withHeaders(tooLarge(ctx.maxUploadBytes, length), optionsLimitHeader(ctx.maxUploadBytes));
  if (length !== null && length < held)
    throw inconsistentLength(`the receiver already holds ${held} bytes, more than ${length}`, version);
  return length;
}

export async function handlePatch(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const { device, resource, fields } = findOwned(ctx, req, id);
  const { version } = fields;
  const stateOf = (complete: boolean, offset: number) => stateHeaders(version, { complete, offset });
  const type = singleHeader(req, 'content-type', 200);
  if (
    interopSpec(version).partialUploadType &&
    (type ?? '').split(';')[0]?.trim().toLowerCase() !== PARTIAL_UPLOAD_TYPE
  ) {
    throw new ShoeboxError('BAD_MESSAGE', `Send the appended bytes as Content-Type: ${PARTIAL_UPLOAD_TYPE}.`);
  }
  if (fields.offset === null)
    throw new ShoeboxError('BAD_MESSAGE', 'A PATCH needs Upload-Offset: the offset HEAD reported.');
  const completes = fields.complete ?? true;
  const started = await ctx.locks.run(
    resource.id,
    async (): Promise<{ request: InFlightUpload; held: number } | 'complete'> => {
      await takeOver(ctx, resource);
      const state = await currentState(ctx, resource);
      if (!state) throw unknownResource();
      if (state.complete) return 'complete';
      if (fields.offset !== state.offset) {
        const error = new ShoeboxError(
          'BAD_OFFSET',
          `The receiver holds ${state.offset} bytes of this upload, not ${fields.offset}: send from ${state.offset}.`,
          { offset: state.offset },
        );
        throw withProblem(
          withHeaders(error, stateOf(false, state.offset)),
          problemOf(version, 'mismatchingOffset', {
            'expected-offset': state.offset,
            'provided-offset': fields.offset ?? 0,
          }),
        );
      }
      const length = patchedLength(ctx, req, resource, state.offset, completes, version);
      if (length !== null && length !== resource.length) {
        resource.length = length;
        resource.spec.size = length;
      }
      return { request: ctx.inFlight.start(device.id, resource.id), held: state.offset };
    },
  );
  const x: ResourceExchange = { ctx, req, res, device, resource, version, location: null };
  if (started === 'complete') {
    answerAppendToComplete(x, contentLength(req) === 0);
    return;
  }
  try {
    const outcome = await runTransfer(
      ctx,
      req,
      {
        spec: resource.spec,
        sizeKnown: resource.length !== null,
        key: resource.key,
        offset: started.held,
        completes,
        resumable: true,
        mayCommit: commitGuard(ctx, device.id, resource),
        onOpened: () => ctx.resources.save(resource),
      },
      started.request,
      device,
    );
    await answerOutcome(x, outcome);
  } catch (error) {
    await answerResourceError(x, error, true);
  } finally {
    ctx.inFlight.end(started.request);
  }
}
