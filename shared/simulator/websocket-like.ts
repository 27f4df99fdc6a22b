/**
 * The part of the WebSocket API the client uses. The browser's WebSocket and the `ws` package's WebSocket
 * both fit, so the client takes the constructor by injection and imports neither.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  /** `ws` gives the error's message and the Error itself; the browser gives neither. */
  addEventListener(type: 'error', listener: (event: { message?: string; error?: Error }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const WS_OPEN = 1;
