/** JSON bodies of the receiver's plain HTTP endpoints (GET /v1/info, POST /v1/pair, errors). */
import { z } from 'zod';
import { PRODUCT, PROTOCOL_VERSION } from './constants';
import { ERROR_ACTIONS, ERROR_CODE_NAMES } from './errors';
import { tokenSchema } from './ws-messages';

export const infoSchema = z.strictObject({
  product: z.literal(PRODUCT),
  protocol: z.literal(PROTOCOL_VERSION),
  receiverId: z.string(),
  name: z.string(),
  version: z.string(),
  pairingOpen: z.boolean(),
  /** Whether this listener speaks TLS (HTTPS/WSS). */
  tls: z.boolean(),
  /**
   * SPKI pin of the TLS certificate (SHA-256, base64url), when tls is on. Unauthenticated: compare it with the pin
   * from pairing.
   */
  fp: z.string().optional(),
});
export type Info = z.infer<typeof infoSchema>;

export const pairRequestSchema = z.strictObject({
  code: z.string().max(16),
  deviceName: z.string().trim().min(1).max(100),
  /** A stable id the device chose for itself (identifierForVendor, say). */
  deviceId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/, 'deviceId may use letters, digits and . _ : -'),
});
export type PairRequest = z.infer<typeof pairRequestSchema>;

export const pairResponseSchema = z.strictObject({
  deviceId: z.string(),
  token: tokenSchema,
  receiverId: z.string(),
  receiverName: z.string(),
});
export type PairResponse = z.infer<typeof pairResponseSchema>;

export const httpErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODE_NAMES),
    message: z.string(),
    retryable: z.boolean(),
    /**
     * What a PhotoKit extension does about the failed job (also sent as Shoebox-Error-Action); always sent by this
     * receiver.
     */
    action: z.enum(ERROR_ACTIONS).optional(),
  }),
});
export type HttpErrorBody = z.infer<typeof httpErrorBodySchema>;
