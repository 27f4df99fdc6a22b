/**
 * The app API over one local WebSocket (headless mode): calls in, answers and events out, every frame
 * validated (shared/app-api/wire.ts). The socket is authenticated before it gets here.
 */
import type { WebSocket } from 'ws';
import { EVENTS, clientMessageSchema, type EventName, type ServerMessage } from '../../shared/app-api';
import type { AppService } from './app-service';
import { dispatch } from './api-dispatch';

/** Event frames are dropped for a client this far behind (it gets a fresh snapshot when it catches up). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export function serveApiSocket(
  ws: WebSocket,
  service: AppService,
  log: (message: string) => void = () => undefined,
): void {
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe: Array<() => void> = [];
  for (const event of Object.keys(EVENTS) as EventName[]) {
    const listener = (payload: unknown) => {
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
      send({ t: 'event', event, payload });
    };
    service.events.on(event, listener);
    unsubscribe.push(() => service.events.off(event, listener));
  }
  ws.on('message', (data, isBinary) => {
    let raw: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      raw = JSON.parse((data as Buffer).toString()); // binaryType is ws's default, 'nodebuffer': one Buffer
    } catch {
      ws.close(1003, 'expected JSON text frames');
      return;
    }
    const message = clientMessageSchema.safeParse(raw);
    if (!message.success) {
      ws.close(1008, 'not an app API call');
      return;
    }
    const { id, command, request } = message.data;
    void dispatch(service.handlers, command, request, log).then((result) => send({ t: 'result', id, ...result }));
  });
  ws.on('close', () => unsubscribe.forEach((off) => off()));
  ws.on('error', () => undefined);
}
