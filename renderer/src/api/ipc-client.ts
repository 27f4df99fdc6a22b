/**
 * The app API over Electron IPC, through the preload's `window.shoebox` bridge (contextBridge). The
 * main side answers { ok, value | error } (electron/main/ipc-adapter.ts); events are checked here too.
 */
import {
  COMMANDS,
  EVENTS,
  THUMBNAIL_PROTOCOL,
  type AppClient,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type ConnectionState,
  type EventName,
  type EventPayload,
  type ShoeboxBridge,
} from '$shared/app-api';
import { ApiCallError } from './errors';

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

export class IpcAppClient implements AppClient {
  readonly systemDialogs = true;

  constructor(private readonly bridge: ShoeboxBridge) {}

  async call<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>> {
    const answer = (await this.bridge.invoke(command, request)) as Answer;
    if (!answer || typeof answer !== 'object')
      throw new ApiCallError('BAD_RESPONSE', 'No answer from Shoebox.', command);
    if (!answer.ok) throw new ApiCallError(answer.error.code, answer.error.message, command);
    const value = COMMANDS[command].response.safeParse(answer.value);
    if (!value.success)
      throw new ApiCallError('BAD_RESPONSE', `Shoebox answered ${command} with something unexpected.`, command);
    return value.data as CommandResponse<C>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.bridge.on(event, (payload) => {
      const parsed = EVENTS[event].safeParse(payload);
      if (parsed.success) listener(parsed.data as EventPayload<E>);
    });
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    listener('connected');
    return () => undefined;
  }

  thumbnailUrl(sha256: string): string {
    return `${THUMBNAIL_PROTOCOL}://${sha256}`;
  }
}
