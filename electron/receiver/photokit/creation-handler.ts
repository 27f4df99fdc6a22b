/**
 * `POST` / `PUT /v1/photokit/{assetId}/{resourceType}`: a PhotoKit resource's raw bytes as the body,
 * its metadata in headers. A plain request is one upload; with the resumable-upload fields it also
 * creates an upload resource, announced by `104 Upload Resumption Supported` before the body is read.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import type { UploadSpec } from '../ingest/upload-spec';
import type { DeviceSummary } from '../pairing/device-registry';
import { absoluteUrl, answerError, answerStored, sendInterim, withHeaders } from './http-io';
import { authenticateCreation } from './credentials';
import { commitGuard, inconsistentLength, tooLarge, type PhotoKitContext } from './photokit-context';
import { contentLength, parseUploadMetadata, parseUploadTarget, uploadLength } from './request-headers';
import { answerOutcome, answerResourceError, resourceLimit, type ResourceExchange } from './resource-answers';
import { PHOTOKIT_PATHS, UPLOAD_HEADER, type InteropVersion } from '../../../shared/protocol';
import { optionsLimitHeader, readCreationFields, stateHeaders } from './resumable-protocol';
import { runTransfer } from './upload-transfer';

/** The upload's length from Content-Length (when this body is all of it) and Upload-Length; null if unknown. */
function announcedLength(
  bodyLength: number | null,
  declared: number | null,
  completes: boolean,
  version: InteropVersion | undefined,
): number | null {
  const implied = completes ? bodyLength : null;
  if (implied !== null && declared !== null && implied !== declared) {
    throw inconsistentLength(`the body is ${implied} bytes but Upload-Length says ${declared}`, version);
  }
  if (!completes && bodyLength !== null && declared !== null && bodyLength > declared) {
    throw inconsistentLength(`a ${bodyLength}-byte body cannot be part of a ${declared}-byte upload`, version);
  }
  return implied ?? declared;
}

/** Logs, once per version, that a client spoke an interop version this receiver does not know. */
function noteUnknownVersion(ctx: PhotoKitContext, version: number): void {
  if (ctx.unknownVersionsSeen.has(version) || ctx.unknownVersionsSeen.size > 64) return;
  ctx.unknownVersionsSeen.add(version);
  ctx.log(
    `A client asked for resumable-upload interop version ${version}, which this receiver does not speak: ` +
      `serving it as plain uploads (an interrupted one starts over).`,
  );
}

export async function handleCreation(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rest: string,
): Promise<void> {
  const device = authenticateCreation(ctx.devices, req, url);
  const target = parseUploadTarget(rest);
  const meta = parseUploadMetadata(req);
  const resumable = readCreationFields(req, (version) => noteUnknownVersion(ctx, version));
  const completes = resumable?.complete ?? true;
  const bodyLength = contentLength(req);
  const length = announcedLength(bodyLength, uploadLength(req), completes, resumable?.version);
  for (const size of [length, bodyLength]) {
    if (size !== null && size > ctx.maxUploadBytes)
      throw withHeaders(tooLarge(ctx.maxUploadBytes, size), optionsLimitHeader(ctx.maxUploadBytes));
  }
  const spec: UploadSpec = {
    deviceId: device.id,
    assetId: target.assetId,
    resourceType: target.resourceType,
    filename: meta.filename,
    size: length ?? ctx.maxUploadBytes,
    sha256: meta.sha256,
    contentType: meta.contentType,
    captureDate: meta.captureDate,
  };
  if (resumable) await createResumable(ctx, req, res, device, spec, length, resumable.version, completes);
  else await plainUpload(ctx, req, res, device, spec, length !== null);
}

async function plainUpload(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  device: DeviceSummary,
  spec: UploadSpec,
  sizeKnown: boolean,
): Promise<void> {
  const request = ctx.inFlight.start(device.id, null);
  try {
    // a plain upload cannot be resumed: its own partial, dropped on failure
    const key = randomBytes(20).toString('hex');
    const outcome = await runTransfer(
      ctx,
      req,
      { spec, sizeKnown, key, offset: 0, completes: true, resumable: false, mayCommit: commitGuard(ctx, device.id) },
      request,
      device,
    );
    if (outcome.kind !== 'stored') return; // cut: nobody left to answer
    answerStored(req, res, { assetId: spec.assetId, resourceType: spec.resourceType, result: outcome.result });
  } catch (error) {
    answerError(req, res, error);
  } finally {
    ctx.inFlight.end(request);
  }
}

/** Makes room for a new resource: older unfinished resources of the same asset resource are abandoned. */
async function supersede(ctx: PhotoKitContext, spec: UploadSpec): Promise<void> {
  for (const old of ctx.resources.openOf(spec.deviceId)) {
    if (old.spec.assetId !== spec.assetId || old.spec.resourceType !== spec.resourceType) continue;
    if (ctx.inFlight.forResource(old.id) || ctx.ingest.isActive(old.key)) continue;
    await ctx.resources.remove(old);
  }
  if (ctx.resources.openOf(spec.deviceId).length >= ctx.maxOpenPerDevice) {
    throw new ShoeboxError(
      'TOO_MANY_UPLOADS',
      `This device has ${ctx.maxOpenPerDevice} unfinished uploads here: finish or cancel (DELETE) some first.`,
    );
  }
}

async function createResumable(
  ctx: PhotoKitContext,
  req: IncomingMessage,
  res: ServerResponse,
  device: DeviceSummary,
  spec: UploadSpec,
  length: number | null,
  version: InteropVersion,
  completes: boolean,
): Promise<void> {
  await supersede(ctx, spec);
  const resource = ctx.resources.build({ interop: version, spec, length });
  const x: ResourceExchange = {
    ctx,
    req,
    res,
    device,
    resource,
    version,
    location: absoluteUrl(req, `${PHOTOKIT_PATHS.resources}${resource.id}`),
  };
  const request = ctx.inFlight.start(device.id, resource.id);
  let saved = false;
  try {
    const outcome = await runTransfer(
      ctx,
      req,
      {
        spec: resource.spec,
        sizeKnown: length !== null,
        key: resource.key,
        offset: 0,
        completes,
        resumable: true,
        mayCommit: commitGuard(ctx, device.id, resource),
        onOpened: async () => {
          await ctx.resources.save(resource);
          saved = true;
          sendInterim(req, res, 104, 'Upload Resumption Supported', {
            location: x.location ?? '',
            [UPLOAD_HEADER.version]: String(version),
            ...resourceLimit(ctx, resource, version),
          });
        },
      },
      request,
      device,
    );
    if (outcome.kind === 'stored' && outcome.early) {
      // Already in the library: answered at once, no resource was announced.
      const state = stateHeaders(version, { complete: true, offset: outcome.result.size });
      answerStored(req, res, { assetId: spec.assetId, resourceType: spec.resourceType, result: outcome.result }, state);
      return;
    }
    await answerOutcome(x, outcome);
  } catch (error) {
    await answerResourceError(x, error, saved);
  } finally {
    ctx.inFlight.end(request);
  }
}
