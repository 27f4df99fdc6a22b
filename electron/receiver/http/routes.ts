/** The plain HTTP endpoints: GET /v1/info and POST /v1/pair. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PRODUCT,
  PROTOCOL_VERSION,
  ShoeboxError,
  pairRequestSchema,
  type Info,
  type PairResponse,
} from '../../../shared/protocol';
import type { DeviceRegistry } from '../pairing/device-registry';
import type { PairingWindow } from '../pairing/pairing-window';
import { readJsonBody, sendJson } from './http-utils';

export const APP_VERSION = '0.1.0';

/** Who this receiver is; never any secret. */
export function handleInfo(res: ServerResponse, who: Omit<Info, 'product' | 'protocol' | 'version'>): void {
  const info: Info = { product: PRODUCT, protocol: PROTOCOL_VERSION, version: APP_VERSION, ...who };
  sendJson(res, 200, info);
}

export async function handlePair(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { devices: DeviceRegistry; pairing: PairingWindow },
): Promise<void> {
  const body = await readJsonBody(req, 4096);
  const parsed = pairRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShoeboxError(
      'BAD_MESSAGE',
      `Invalid pairing request (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`,
    );
  }
  deps.pairing.redeem(parsed.data.code, req.socket.remoteAddress ?? 'unknown');
  const { device, token } = await deps.devices.pair(parsed.data.deviceId, parsed.data.deviceName);
  const answer: PairResponse = {
    deviceId: device.id,
    token,
    receiverId: deps.devices.receiverId,
    receiverName: deps.devices.name,
  };
  sendJson(res, 200, answer);
}
