/**
 * The PhotoKit HTTP endpoints as one route for the receiver's server: raw-body uploads at
 * /v1/photokit/{assetId}/{resourceType} and resumable upload resources at /v1/uploads/<id>.
 * Owns the upload resources (loaded at start, swept with the stale-upload age) and stops in-flight
 * requests of a revoked device at once, and every in-flight request at shutdown.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PHOTOKIT_PATHS, ShoeboxError, isShoeboxError } from '../../../shared/protocol';
import type { IngestService } from '../ingest/ingest-service';
import type { StagingArea } from '../ingest/staging-area';
import type { DeviceRegistry } from '../pairing/device-registry';
import type { HttpRoute } from '../http/route';
import { KeyedLock } from '../util/keyed-lock';
import { handleCreation } from './creation-handler';
import { loggableTarget, revokedError } from './credentials';
import { answerEmpty, answerError } from './http-io';
import { InFlightRegistry } from './in-flight';
import type { PhotoKitContext } from './photokit-context';
import { handleDelete, handleHead, handlePatch } from './resource-handlers';
import {
  interopSpec,
  isInteropVersion,
  LATEST_INTEROP,
  PARTIAL_UPLOAD_TYPE,
  UPLOAD_HEADER,
} from '../../../shared/protocol';
import { optionsLimitHeader, requestedVersion } from './resumable-protocol';
import { hangUp } from './resource-answers';
import { ResourceStore } from './upload-resources';

export interface PhotoKitOptions {
  folder: string;
  devices: DeviceRegistry;
  ingest: IngestService;
  staging: StagingArea;
  maxUploadBytes: number;
  /** A request body silent this long is given up (resumable uploads keep their bytes). */
  idleTimeoutMs: number;
  /** Upload resources untouched this long expire, like staged partial uploads. */
  staleUploadAgeMs: number;
  log: (message: string) => void;
  maxOpenPerDevice?: number;
  sweepEveryMs?: number;
}

export interface PhotoKitEndpoints {
  route: HttpRoute;
  /** Stops every in-flight upload request (their bytes stay resumable) and the sweep timer. */
  close(): Promise<void>;
}

async function answerOptions(
  req: IncomingMessage,
  res: ServerResponse,
  maxUploadBytes: number,
  allow: string,
): Promise<void> {
  const requested = (() => {
    try {
      return requestedVersion(req);
    } catch {
      return null;
    }
  })();
  const version = requested !== null && isInteropVersion(requested) ? requested : LATEST_INTEROP;
  answerEmpty(req, res, 200, {
    allow,
    'accept-patch': PARTIAL_UPLOAD_TYPE,
    [UPLOAD_HEADER.version]: String(version),
    ...optionsLimitHeader(maxUploadBytes),
  });
}

/** Interop 9 lets a client read the offset with GET as well as HEAD. */
function offsetByGet(req: IncomingMessage): boolean {
  try {
    const version = requestedVersion(req);
    return version !== null && isInteropVersion(version) && interopSpec(version).offsetByGet;
  } catch {
    return false;
  }
}

export async function startPhotoKit(options: PhotoKitOptions): Promise<PhotoKitEndpoints> {
  const resources = await ResourceStore.open(options.folder, options.staging, options.staleUploadAgeMs, options.log);
  const ctx: PhotoKitContext = {
    ingest: options.ingest,
    maxUploadBytes: options.maxUploadBytes,
    idleTimeoutMs: options.idleTimeoutMs,
    devices: options.devices,
    resources,
    inFlight: new InFlightRegistry((id) => revokedError(options.devices.get(id))),
    locks: new KeyedLock(),
    maxOpenPerDevice: options.maxOpenPerDevice ?? 256,
    log: options.log,
    unknownVersionsSeen: new Set(),
  };
  const sweep = async () => {
    const removed = await resources.sweep(
      (r) => ctx.inFlight.forResource(r.id) !== undefined || ctx.ingest.isActive(r.key),
    );
    if (removed > 0) options.log(`Removed ${removed} expired resumable upload resource(s).`);
  };
  await sweep();
  const sweepTimer = setInterval(
    () => void sweep().catch((e: Error) => options.log(`Sweeping upload resources failed: ${e.message}`)),
    options.sweepEveryMs ?? 60 * 60_000,
  );
  sweepTimer.unref();

  options.devices.on('revoked', (device) => {
    void ctx.inFlight.stopDevice(device.id, revokedError(device)!);
  });

  const guarded = async (req: IncomingMessage, res: ServerResponse, work: () => Promise<void>): Promise<true> => {
    try {
      await work();
    } catch (error) {
      if (!isShoeboxError(error))
        options.log(`PhotoKit ${req.method} ${loggableTarget(req)}: ${(error as Error)?.stack ?? String(error)}`);
      answerError(req, res, error);
    }
    return true;
  };

  let closing: Promise<void> | undefined;
  const route: HttpRoute = async (req, res, url) => {
    const { pathname } = url;
    if (closing && pathname.startsWith(PHOTOKIT_PATHS.resources)) {
      // Resumption on a kept-alive connection after close began: a dropped connection makes URLSession
      // resume later, a final 503 would fail the job.
      hangUp(res);
      return true;
    }
    if (closing && pathname.startsWith(PHOTOKIT_PATHS.uploads)) {
      // A new upload on a kept-alive connection after close began: come back later.
      return guarded(req, res, async () => {
        throw new ShoeboxError(
          'SHUTTING_DOWN',
          'The receiver is shutting down; resumable uploads continue where they stopped when it is back.',
        );
      });
    }
    if (pathname.startsWith(PHOTOKIT_PATHS.uploads)) {
      const rest = pathname.slice(PHOTOKIT_PATHS.uploads.length);
      if (req.method === 'OPTIONS')
        return guarded(req, res, () => answerOptions(req, res, ctx.maxUploadBytes, 'OPTIONS, POST, PUT'));
      if (req.method === 'POST' || req.method === 'PUT')
        return guarded(req, res, () => handleCreation(ctx, req, res, url, rest));
      return false;
    }
    if (pathname.startsWith(PHOTOKIT_PATHS.resources)) {
      const id = pathname.slice(PHOTOKIT_PATHS.resources.length);
      switch (req.method) {
        case 'OPTIONS':
          return guarded(req, res, () => answerOptions(req, res, ctx.maxUploadBytes, 'OPTIONS, HEAD, PATCH, DELETE'));
        case 'HEAD':
          return guarded(req, res, () => handleHead(ctx, req, res, id));
        case 'GET':
          return offsetByGet(req) ? guarded(req, res, () => handleHead(ctx, req, res, id)) : false;
        case 'PATCH':
          return guarded(req, res, () => handlePatch(ctx, req, res, id));
        case 'DELETE':
          return guarded(req, res, () => handleDelete(ctx, req, res, id));
        default:
          return false;
      }
    }
    return false;
  };

  const close = () => {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      await ctx.inFlight.stopAll(
        new ShoeboxError(
          'SHUTTING_DOWN',
          'The receiver is shutting down; resumable uploads continue where they stopped when it is back.',
        ),
      );
    })();
    return closing;
  };
  return { route, close };
}
