/**
 * The app API over a local WebSocket (headless mode): JSON text frames. The client sends calls; the
 * server answers each call once and pushes events. Both ends validate what they receive.
 */
import { z } from 'zod';
import { apiErrorSchema } from './contract';

/** Largest frame either side accepts (a snapshot with a long queue fits easily). */
export const MAX_WIRE_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Path of the API socket on the headless server. */
export const API_SOCKET_PATH = '/api/socket';
/** Path prefix of thumbnails on the headless server: /thumbs/<sha256>. */
export const THUMBNAIL_PATH = '/thumbs/';

export const clientMessageSchema = z
  .object({
    t: z.literal('call'),
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    command: z.string().max(64),
    request: z.unknown(),
  })
  .strict();
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const serverMessageSchema = z.union([
  z.object({ t: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ t: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: apiErrorSchema }),
  z.object({ t: z.literal('event'), event: z.string().max(64), payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
