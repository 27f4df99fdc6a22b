/**
 * The app API over the headless server's WebSocket. The session cookie (set when the printed link was
 * opened) authenticates it; calls are answered by id; events are checked against the contract. It
 * reconnects with backoff if the service goes away and comes back.
 */
import {
  API_SOCKET_PATH,
  COMMANDS,
  EVENTS,
  THUMBNAIL_PATH,
  isEventName,
  serverMessageSchema,
  type AppClient,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type ConnectionState,
  type EventName,
  type EventPayload,
} from '$shared/app-api';
import { ApiCallError } from './errors';

interface Pending {
  command: CommandName;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class WsAppClient implements AppClient {
  readonly systemDialogs = false;
  private socket: WebSocket | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private opened: Promise<WebSocket> | undefined;
  private attempt = 0;
  private state: ConnectionState = 'connecting';

  constructor(private readonly origin = window.location.origin) {}

  private url(): string {
    return `${this.origin.replace(/^http/, 'ws')}${API_SOCKET_PATH}`;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  private connect(): Promise<WebSocket> {
    this.opened ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url());
      let open = false;
      ws.addEventListener('open', () => {
        open = true;
        this.attempt = 0;
        this.socket = ws;
        this.setState('connected');
        resolve(ws);
      });
      ws.addEventListener('message', (event) => this.receive(event.data));
      ws.addEventListener('close', () => {
        this.socket = undefined;
        this.opened = undefined;
        for (const call of this.pending.values())
          call.reject(new ApiCallError('DISCONNECTED', 'Lost the connection to Shoebox.', call.command));
        this.pending.clear();
        if (!open) reject(new ApiCallError('DISCONNECTED', 'Cannot reach Shoebox.', 'app.snapshot'));
        this.scheduleReconnect();
      });
    });
    return this.opened;
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    this.setState('reconnecting');
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6));
    setTimeout(() => void this.connect().catch(() => undefined), delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    const message = serverMessageSchema.safeParse(raw);
    if (!message.success) {
      // An answer we cannot read must still end its call, or the caller would wait for ever.
      const id = (raw as { id?: unknown } | null)?.id;
      const call = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (call) {
        this.pending.delete(id as number);
        call.reject(
          new ApiCallError('BAD_RESPONSE', `Shoebox answered ${call.command} with something unexpected.`, call.command),
        );
      }
      return;
    }
    const m = message.data;
    if (m.t === 'event') {
      if (!isEventName(m.event)) return;
      const payload = EVENTS[m.event].safeParse(m.payload);
      if (!payload.success)
        return console.warn(`Shoebox: ignored an invalid ${m.event} event`, payload.error.issues[0]);
      for (const listener of this.listeners.get(m.event) ?? []) listener(payload.data as never);
      return;
    }
    const call = this.pending.get(m.id);
    if (!call) return;
    this.pending.delete(m.id);
    if (!m.ok) return call.reject(new ApiCallError(m.error.code, m.error.message, call.command));
    const value = COMMANDS[call.command].response.safeParse(m.value);
    if (value.success) call.resolve(value.data);
    else
      call.reject(
        new ApiCallError('BAD_RESPONSE', `Shoebox answered ${call.command} with something unexpected.`, call.command),
      );
  }

  async call<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>> {
    const ws = this.socket ?? (await this.connect());
    const id = ++this.nextId;
    return new Promise<CommandResponse<C>>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ t: 'call', id, command, request }));
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return () => set.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    return () => this.connectionListeners.delete(listener);
  }

  thumbnailUrl(sha256: string): string {
    return `${THUMBNAIL_PATH}${sha256}`;
  }
}
