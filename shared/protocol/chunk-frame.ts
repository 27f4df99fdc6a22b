/**
 * Binary chunk frames of protocol v1 (works in Node and the browser):
 *
 *   byte 0      frame kind, 0x01 = chunk
 *   bytes 1-4   uploadId, uint32 big-endian
 *   bytes 5-12  offset of the first payload byte, uint64 big-endian
 *   bytes 13-   payload
 */
import { MAX_UPLOAD_ID } from './constants';

export const CHUNK_FRAME_KIND = 0x01;
export const CHUNK_HEADER_BYTES = 13;

export interface ChunkFrame {
  uploadId: number;
  offset: number;
  payload: Uint8Array;
}

export function encodeChunkFrame(uploadId: number, offset: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(uploadId) || uploadId < 1 || uploadId > MAX_UPLOAD_ID)
    throw new RangeError('uploadId out of range');
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('offset out of range');
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + payload.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, CHUNK_FRAME_KIND);
  view.setUint32(1, uploadId);
  view.setBigUint64(5, BigInt(offset));
  frame.set(payload, CHUNK_HEADER_BYTES);
  return frame;
}

/** Decodes a chunk frame; returns a reason string when the frame is malformed. */
export function decodeChunkFrame(frame: Uint8Array): ChunkFrame | string {
  if (frame.byteLength < CHUNK_HEADER_BYTES)
    return `binary frame is ${frame.byteLength} bytes, shorter than the ${CHUNK_HEADER_BYTES}-byte chunk header`;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const kind = view.getUint8(0);
  if (kind !== CHUNK_FRAME_KIND) return `unknown binary frame kind 0x${kind.toString(16).padStart(2, '0')}`;
  const uploadId = view.getUint32(1);
  if (uploadId < 1) return 'uploadId 0 is not valid';
  const offset = view.getBigUint64(5);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return 'offset is beyond the largest safe integer';
  return { uploadId, offset: Number(offset), payload: frame.subarray(CHUNK_HEADER_BYTES) };
}
