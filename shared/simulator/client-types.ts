/** Options, events and results of the chunk-stream client. Node and browser. */
import type { Welcome } from '../protocol/ws-messages';
import type { BackoffOptions } from './backoff';
import type { FailureReason } from './client-errors';
import type { SourceInfo } from './upload-source';
import type { WebSocketConstructor } from './websocket-like';

export interface ChunkStreamClientOptions {
  /** The receiver's stream endpoint, e.g. ws://127.0.0.1:8765/v1/stream (see streamUrl()). */
  url: string;
  /** The device token from pairing. */
  token: string;
  /** The browser's WebSocket, or `ws`'s WebSocket in Node. */
  WebSocket: WebSocketConstructor;
  /** Payload bytes per chunk frame; default DEFAULT_CHUNK_BYTES, capped by the receiver's maxChunkBytes. */
  chunkBytes?: number;
  /** Most bytes sent but not yet acked on the connection; default 8 MiB. */
  windowBytes?: number;
  /** Stop sending while the socket's bufferedAmount is above this; default 2 MiB. */
  maxBufferedBytes?: number;
  /** Bandwidth limit in bytes per second over all uploads (token bucket); default none. */
  bytesPerSecond?: number;
  /** Close the socket after every N chunks sent, to show resume; default never. */
  dropEvery?: number;
  /** Retries of one upload after retryable receiver errors; default 5. */
  maxRetries?: number;
  /** Consecutive connection failures (or resumes without progress) before giving up; default 8. */
  maxReconnects?: number;
  backoff?: BackoffOptions;
  /** Drop the connection after this long without a message while waiting for one; default 60 s. */
  responseTimeoutMs?: number;
  /** Most uploads announced at once; default the receiver's maxConcurrentUploads. */
  maxActiveUploads?: number;
  clientInfo?: { name: string; version: string };
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

export type UploadState =
  | 'queued'
  | 'announcing'
  | 'sending'
  | 'finishing'
  /** Waiting for a new connection (after a drop) or for a retry's backoff. */
  | 'waiting'
  | 'committed'
  | 'duplicate'
  | 'failed';

export interface UploadProgress {
  /** Stable per upload() call, unlike uploadId which changes on every attempt. */
  key: number;
  source: SourceInfo;
  /** The uint32 id of the current attempt on the current connection, once announced. */
  uploadId: number | undefined;
  state: UploadState;
  /** Offset of the next byte to send. */
  sent: number;
  /** Bytes the receiver has acked as durable (or reported in ready). */
  acked: number;
  size: number;
}

interface ResultBase {
  key: number;
  source: SourceInfo;
  /** Retries after retryable receiver errors. */
  retries: number;
  /** Re-announces after a lost connection. */
  resumes: number;
}

export type UploadResult =
  | (ResultBase & {
      status: 'committed';
      path: string;
      sha256: string;
      size: number;
      captureDate: string;
      duplicate: boolean;
    })
  | (ResultBase & { status: 'failed'; reason: FailureReason });

export type ConnectionState = 'connecting' | 'connected' | 'lost' | 'waiting' | 'failed' | 'closed';

export interface ConnectionEvent {
  state: ConnectionState;
  /** Connections opened so far (connecting/connected), or consecutive failures (lost/waiting). */
  attempt: number;
  reason?: FailureReason;
  welcome?: Welcome;
  /** For 'waiting': how long until the next attempt. */
  delayMs?: number;
}

export interface RetryEvent {
  key: number;
  source: SourceInfo;
  reason: FailureReason;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
}

export interface ChunkStreamClientEvents {
  connection: ConnectionEvent;
  progress: UploadProgress;
  retry: RetryEvent;
  result: UploadResult;
  /** The receiver sent something that is not valid protocol v1 (the connection is then dropped). */
  protocolError: { message: string };
}

export interface ClientStats {
  /** Payload bytes sent, resends included. */
  bytesSent: number;
  chunksSent: number;
  /** Connections opened successfully. */
  connections: number;
}
