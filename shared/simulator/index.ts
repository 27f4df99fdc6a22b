/** The simulated extension client (Node and browser). Node-only helpers live in ./node, the CLI in ./cli. */
export * from './upload-source';
export * from './memory-source';
export * from './client-errors';
export * from './client-types';
export * from './chunk-stream-client';
export * from './upload-all';
export * from './pair';
export * from './throttle';
export * from './backoff';
export * from './exif-date';
export * from './media-types';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like';
