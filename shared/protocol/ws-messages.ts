/**
 * WebSocket chunk-stream protocol v1: every JSON (text) message, as zod schemas and their types.
 * Both ends validate what they receive with these schemas; binary frames are in chunk-frame.ts.
 */
import { z } from 'zod';
import { DEVICE_TOKEN_LENGTH, MAX_UPLOAD_ID, PROTOCOL_VERSION, RESOURCE_TYPES } from './constants';
import { ERROR_CODE_NAMES } from './errors';

export const uploadIdSchema = z.number().int().min(1).max(MAX_UPLOAD_ID);
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');
/**
 * A capture date as the phone knows it: ISO 8601 local date-time, with the phone's UTC offset when known
 * ("2019-08-21T16:15:33+02:00"). The folder is chosen from the local date as written.
 */
export const captureDateSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/, 'captureDate must be ISO 8601');
export const resourceTypeSchema = z.enum(RESOURCE_TYPES);
export const tokenSchema = z
  .string()
  .length(DEVICE_TOKEN_LENGTH)
  .regex(/^[A-Za-z0-9_-]+$/);

// ---- client to receiver ----

export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().max(256),
  client: z.strictObject({ name: z.string().max(200), version: z.string().max(50) }).optional(),
});

export const announceSchema = z.strictObject({
  type: z.literal('announce'),
  uploadId: uploadIdSchema,
  /** The phone's asset identifier (PHAsset.localIdentifier); shared by a Live Photo's photo and pairedVideo. */
  assetId: z.string().min(1).max(512),
  resourceType: resourceTypeSchema,
  /** The original filename (PHAssetResource.originalFilename). Checked for safety by the receiver. */
  filename: z.string().min(1).max(1024),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: sha256HexSchema,
  contentType: z.string().max(200).optional(),
  captureDate: captureDateSchema.optional(),
});

export const finishSchema = z.strictObject({ type: z.literal('finish'), uploadId: uploadIdSchema });
export const cancelSchema = z.strictObject({ type: z.literal('cancel'), uploadId: uploadIdSchema });

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  announceSchema,
  finishSchema,
  cancelSchema,
]);
export const CLIENT_MESSAGE_TYPES = ['hello', 'announce', 'finish', 'cancel'] as const;

export type Hello = z.infer<typeof helloSchema>;
export type Announce = z.infer<typeof announceSchema>;
export type Finish = z.infer<typeof finishSchema>;
export type Cancel = z.infer<typeof cancelSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- receiver to client ----

export const limitsSchema = z.strictObject({
  maxChunkBytes: z.number().int().positive(),
  maxUploadBytes: z.number().int().positive(),
  maxConcurrentUploads: z.number().int().positive(),
});

export const welcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.literal(PROTOCOL_VERSION),
  receiverId: z.string(),
  receiverName: z.string(),
  deviceId: z.string(),
  limits: limitsSchema,
});

export const readySchema = z.strictObject({
  type: z.literal('ready'),
  uploadId: uploadIdSchema,
  /** Bytes the receiver already holds durably: send from here. 0 for a new upload. */
  offset: z.number().int().min(0),
});

export const ackSchema = z.strictObject({
  type: z.literal('ack'),
  uploadId: uploadIdSchema,
  /** Every byte before this offset is fsynced in staging and survives a receiver crash. */
  offset: z.number().int().min(0),
});

export const committedSchema = z.strictObject({
  type: z.literal('committed'),
  uploadId: uploadIdSchema,
  /** Where the file is, relative to the backup folder, with forward slashes. */
  path: z.string(),
  sha256: sha256HexSchema,
  size: z.number().int().min(0),
  /** True when the same bytes were already stored: no second copy was made. */
  duplicate: z.boolean(),
  /** The capture date used to file it, local time as written (YYYY-MM-DDTHH:mm:ss). */
  captureDate: z.string(),
});

export const errorMessageSchema = z.strictObject({
  type: z.literal('error'),
  uploadId: uploadIdSchema.optional(),
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string(),
  retryable: z.boolean(),
  offset: z.number().int().min(0).optional(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  readySchema,
  ackSchema,
  committedSchema,
  errorMessageSchema,
]);

export type Limits = z.infer<typeof limitsSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type Ready = z.infer<typeof readySchema>;
export type Ack = z.infer<typeof ackSchema>;
export type Committed = z.infer<typeof committedSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
