/**
 * Who may do what on the PhotoKit endpoints.
 *
 * - Creating an upload (POST/PUT /v1/photokit/...) needs the device token, in one of three places:
 *   `Shoebox-Token: <token>` (recommended: URLSession passes app headers through), the destination URL's
 *   `token` query parameter, or `Authorization: Bearer <token>` (a reserved header that URLSession may
 *   drop or overwrite, so it is accepted but never required). Two places with different tokens are refused.
 * - An upload resource (HEAD/PATCH/DELETE /v1/uploads/<id>) is reached by its URL alone: its 128-bit
 *   random id is the capability, as in Apple's NIOResumableUpload, because URLSession resumes without the
 *   app's headers. A token that is present anyway must belong to the device that created the resource,
 *   and that device must still be paired (revocation stops its resources at once).
 */
import type { IncomingMessage } from 'node:http';
import { SHOEBOX_HEADER_KEY, ShoeboxError } from '../../../shared/protocol';
import type { DeviceRegistry, DeviceSummary } from '../pairing/device-registry';
import { singleHeader } from './request-headers';

export const TOKEN_QUERY = 'token';

const TOKEN_SHAPE = /^[A-Za-z0-9._~+/-]+=*$/;

function malformed(where: string): ShoeboxError {
  return new ShoeboxError('AUTH_FAILED', `The device token in ${where} is malformed; pair this device again.`);
}

/** `Authorization: Bearer <token>`; null when absent or another scheme (URLSession may set its own). */
function bearer(req: IncomingMessage): string | null {
  const value = req.headers.authorization;
  if (value === undefined || value.length > 300) return null;
  const match = /^Bearer +(\S+) *$/i.exec(value);
  if (!match?.[1]) return null;
  if (!TOKEN_SHAPE.test(match[1])) throw malformed('Authorization');
  return match[1];
}

/** The device token the request presents, from any of its places; null when it presents none. */
export function presentedToken(req: IncomingMessage, url?: URL): string | null {
  const found: string[] = [];
  const header = singleHeader(req, SHOEBOX_HEADER_KEY.token, 300);
  if (header !== undefined) {
    if (!TOKEN_SHAPE.test(header.trim())) throw malformed('Shoebox-Token');
    found.push(header.trim());
  }
  const queried = url?.searchParams.getAll(TOKEN_QUERY) ?? [];
  if (queried.length > 1) throw new ShoeboxError('BAD_MESSAGE', 'Send the token query parameter once.');
  if (queried[0] !== undefined) {
    if (!TOKEN_SHAPE.test(queried[0]) || queried[0].length > 300) throw malformed('the token query parameter');
    found.push(queried[0]);
  }
  const fromAuthorization = bearer(req);
  if (fromAuthorization !== null) found.push(fromAuthorization);
  if (found.some((token) => token !== found[0])) {
    throw new ShoeboxError(
      'BAD_MESSAGE',
      'The request carries two different device tokens (Shoebox-Token, token=, Authorization): send one.',
    );
  }
  return found[0] ?? null;
}

/** The paired device creating an upload; AUTH_FAILED without a token, DEVICE_REVOKED for a revoked one. */
export function authenticateCreation(devices: DeviceRegistry, req: IncomingMessage, url: URL): DeviceSummary {
  const token = presentedToken(req, url);
  if (token === null) {
    throw new ShoeboxError(
      'AUTH_FAILED',
      'Send the device token as "Shoebox-Token: <token>" (or "Authorization: Bearer <token>", ' +
        'or ?token= in the URL); pair this device first if it has none.',
    );
  }
  const device = devices.authenticate(token);
  devices.touch(device.id);
  return device;
}

export function revokedError(device: DeviceSummary | undefined): ShoeboxError | null {
  if (device && !device.revokedAt) return null;
  return new ShoeboxError(
    'DEVICE_REVOKED',
    `"${device?.name ?? 'This device'}" was removed from this computer's paired devices: ` +
      `pair it again to back up here.`,
  );
}

/**
 * The device that owns an upload resource, for a request that reached it by its URL. `unknown` is the
 * error for "no such resource", answered alike to a token of another device (no existence oracle).
 */
export function authorizeResource(
  devices: DeviceRegistry,
  req: IncomingMessage,
  ownerId: string,
  unknown: () => ShoeboxError,
): DeviceSummary {
  const token = presentedToken(req);
  if (token !== null) {
    const presenter = devices.authenticate(token);
    if (presenter.id !== ownerId) throw unknown();
  }
  const owner = devices.get(ownerId);
  const refusal = revokedError(owner);
  if (refusal || !owner) throw refusal ?? unknown();
  devices.touch(owner.id);
  return owner;
}

/**
 * The request target for logs, without what grants access: the query (which may hold a token) and an
 * upload resource's id (the capability for HEAD, PATCH and DELETE).
 */
export function loggableTarget(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0]!.slice(0, 200);
  return path.replace(/^\/v1\/uploads\/[^/]+/, '/v1/uploads/<id>');
}
