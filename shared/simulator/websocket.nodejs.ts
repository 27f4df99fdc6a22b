/** The `ws` package's WebSocket, typed as the constructor the client takes. Node only. */
import { WebSocket } from 'ws';
import type { WebSocketConstructor } from './websocket-like';

export const NodeWebSocket: WebSocketConstructor = WebSocket;
