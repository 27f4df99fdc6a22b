/**
 * One WebSocket connection to a receiver's /v1/stream: hello/welcome, validation of every server message,
 * routing of per-upload replies to channels, the in-flight byte window, and loss detection.
 * Node and browser: the WebSocket constructor is injected.
 */
import { encodeChunkFrame } from '../protocol/chunk-frame';
import { CLOSE_CODES, MAX_TEXT_MESSAGE_BYTES, PROTOCOL_VERSION } from '../protocol/constants';
import { serverMessageSchema, type ClientMessage, type ServerMessage, type Welcome } from '../protocol/ws-messages';
import { clientFailure, UploadFailure, type FailureReason } from './client-errors';
import { UploadChannel } from './upload-channel';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like';

export interface ConnectionOptions {
  url: string;
  token: string;
  WebSocket: WebSocketConstructor;
  clientInfo?: { name: string; version: string };
  /** Most bytes sent but not yet acknowledged on this connection. */
  windowBytes: number;
  /** Give up on the receiver after this long without a message while waiting for one. */
  responseTimeoutMs: number;
  /** Told about each invalid server message (the connection is then dropped). */
  onProtocolError?: (message: string) => void;
}

export class ChunkStreamConnection {
  readonly welcome: Welcome;
  readonly #ws: WebSocketLike;
  readonly #options: ConnectionOptions;
  readonly #channels = new Map<number, UploadChannel>();
  readonly #lostListeners = new Set<(reason: FailureReason) => void>();
  #lostReason: FailureReason | undefined;
  #inFlight = 0;
  #windowWaiters: Array<() => void> = [];
  #quietSince = Date.now();
  #watchdog: ReturnType<typeof setInterval>;
  #socketClosed = false;
  readonly #socketClosedWaiters = new Set<() => void>();

  private constructor(ws: WebSocketLike, welcome: Welcome, options: ConnectionOptions) {
    this.#ws = ws;
    this.welcome = welcome;
    this.#options = options;
    ws.addEventListener('message', (event: { data: unknown }) => this.#onMessage(event.data));
    ws.addEventListener('close', (event: { code: number; reason: string }) => {
      this.#socketClosed = true;
      for (const wake of this.#socketClosedWaiters) wake();
      this.#lose(closeReason(event.code, event.reason));
    });
    // An 'error' event is always followed by 'close', which carries the code: that one decides.
    const period = Math.max(10, Math.min(1000, options.responseTimeoutMs / 4));
    this.#watchdog = setInterval(() => this.#checkQuiet(), period);
  }

  /** Opens the socket, says hello and waits for welcome. Rejects with an UploadFailure. */
  static open(options: ConnectionOptions): Promise<ChunkStreamConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let ws: WebSocketLike;
      const fail = (reason: FailureReason) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          ws?.close(CLOSE_CODES.normal);
        } catch {
          // Best effort: the socket may not exist yet or be closed already.
        }
        reject(new UploadFailure(reason));
      };
      const timer = setTimeout(
        () => fail(clientFailure('RESPONSE_TIMEOUT', 'no welcome from the receiver in time', true)),
        options.responseTimeoutMs,
      );
      try {
        ws = new options.WebSocket(options.url);
        ws.binaryType = 'arraybuffer';
      } catch (error) {
        return fail(clientFailure('CONNECTION_FAILED', error instanceof Error ? error.message : String(error)));
      }
      ws.addEventListener('open', () => {
        const hello: ClientMessage = {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          token: options.token,
          ...(options.clientInfo ? { client: options.clientInfo } : {}),
        };
        ws.send(JSON.stringify(hello));
      });
      let lastError = '';
      ws.addEventListener('error', (event: { message?: string }) => {
        lastError = event?.message
          ? `cannot connect to ${options.url}: ${event.message}`
          : `cannot connect to ${options.url}`;
      });
      ws.addEventListener('close', (event: { code: number; reason: string }) =>
        fail(closeReason(event.code, event.reason || lastError, true)),
      );
      ws.addEventListener('message', (event: { data: unknown }) => {
        if (settled) return;
        const parsed = parseServerMessage(event.data);
        if (typeof parsed === 'string') {
          options.onProtocolError?.(parsed);
          return fail(clientFailure('BAD_SERVER_MESSAGE', parsed, true));
        }
        if (parsed.type === 'error')
          return fail({ code: parsed.code, message: parsed.message, retryable: parsed.retryable, origin: 'receiver' });
        if (parsed.type !== 'welcome') {
          const message = `expected welcome, got ${parsed.type}`;
          options.onProtocolError?.(message);
          return fail(clientFailure('BAD_SERVER_MESSAGE', message, true));
        }
        settled = true;
        clearTimeout(timer);
        resolve(new ChunkStreamConnection(ws, parsed, options));
      });
    });
  }

  get isOpen(): boolean {
    return this.#lostReason === undefined;
  }

  get lostReason(): FailureReason | undefined {
    return this.#lostReason;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** Bytes sent on this connection and not yet acknowledged. */
  get inFlightBytes(): number {
    return this.#inFlight;
  }

  onLost(listener: (reason: FailureReason) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /** Opens a channel for replies about `uploadId`; `onAck` sees every ack offset. */
  openChannel(uploadId: number, onAck: (offset: number) => void): UploadChannel {
    const channel = new UploadChannel(uploadId, onAck, () => this.#channels.delete(uploadId));
    if (this.#lostReason) channel.lose(this.#lostReason);
    else this.#channels.set(uploadId, channel);
    return channel;
  }

  send(message: ClientMessage): void {
    this.#assertOpen();
    this.#quietSince = Date.now();
    this.#ws.send(JSON.stringify(message));
  }

  sendChunk(uploadId: number, offset: number, payload: Uint8Array): void {
    this.#assertOpen();
    this.#quietSince = Date.now();
    this.#ws.send(encodeChunkFrame(uploadId, offset, payload));
  }

  /** Waits until `bytes` more fit in the window (always lets one chunk through when nothing is in flight). */
  async reserve(bytes: number, signal: AbortSignal): Promise<void> {
    while (this.#inFlight > 0 && this.#inFlight + bytes > this.#options.windowBytes) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.#windowWaiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    signal.throwIfAborted();
    this.#inFlight += bytes;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.#inFlight = Math.max(0, this.#inFlight - bytes);
    const waiters = this.#windowWaiters;
    this.#windowWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits while the socket's own send buffer holds more than `limit` bytes. */
  async drainBelow(limit: number, signal: AbortSignal): Promise<void> {
    while (this.#ws.bufferedAmount > limit) {
      signal.throwIfAborted();
      // No activity by itself: a link that died silently with our buffer full must still time out.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    signal.throwIfAborted();
  }

  /**
   * Resolves once the socket has really closed (the close handshake is done, so the receiver has seen
   * the connection end and released its uploads), or after `timeoutMs`.
   */
  whenSocketClosed(timeoutMs: number): Promise<void> {
    if (this.#socketClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#socketClosedWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#socketClosedWaiters.add(done);
    });
  }

  /** Ends the connection; open channels fail with `reason` and resume on the next connection. */
  close(reason: FailureReason = clientFailure('CANCELLED'), code: number = CLOSE_CODES.normal): void {
    this.#lose(reason, code);
  }

  #assertOpen(): void {
    if (this.#lostReason) throw new UploadFailure(this.#lostReason);
    if (this.#ws.readyState !== WS_OPEN) {
      const reason = clientFailure('CONNECTION_LOST', 'the socket is no longer open', true);
      this.#lose(reason);
      throw new UploadFailure(reason);
    }
  }

  #onMessage(data: unknown): void {
    if (this.#lostReason) return;
    this.#quietSince = Date.now();
    const message = parseServerMessage(data);
    if (typeof message === 'string') {
      this.#options.onProtocolError?.(message);
      return this.#lose(clientFailure('BAD_SERVER_MESSAGE', message, true), CLOSE_CODES.badMessage);
    }
    if (message.type === 'welcome') {
      this.#options.onProtocolError?.('welcome sent twice');
      return this.#lose(clientFailure('BAD_SERVER_MESSAGE', 'welcome sent twice', true), CLOSE_CODES.badMessage);
    }
    if (message.type === 'error' && message.uploadId === undefined) {
      // An error about the connection as a whole: retryable ones mean reconnect, others are final.
      return this.#lose({
        code: message.code,
        message: message.message,
        retryable: message.retryable,
        origin: 'receiver',
      });
    }
    // Replies for an upload id no longer open here (late acks of an abandoned attempt) are ignored.
    if (message.uploadId !== undefined) this.#channels.get(message.uploadId)?.deliver(message);
  }

  #checkQuiet(): void {
    const waiting = this.#inFlight > 0 || [...this.#channels.values()].some((channel) => channel.awaitingReply);
    if (!waiting) this.#quietSince = Date.now();
    else if (Date.now() - this.#quietSince > this.#options.responseTimeoutMs) {
      this.#lose(
        clientFailure(
          'RESPONSE_TIMEOUT',
          `no answer from the receiver for ${this.#options.responseTimeoutMs} ms`,
          true,
        ),
      );
    }
  }

  #lose(reason: FailureReason, code: number = CLOSE_CODES.normal): void {
    if (this.#lostReason) return;
    this.#lostReason = reason;
    clearInterval(this.#watchdog);
    try {
      this.#ws.close(code, reason.code.slice(0, 100));
    } catch {
      // Best effort: the socket may be closed already.
    }
    for (const channel of [...this.#channels.values()]) channel.lose(reason);
    this.#channels.clear();
    this.release(this.#inFlight);
    for (const listener of [...this.#lostListeners]) listener(reason);
  }
}

/** Parses and validates one server message; returns a reason string when it is not valid protocol v1. */
export function parseServerMessage(data: unknown): ServerMessage | string {
  if (typeof data !== 'string') return 'the receiver sent a binary frame; it only sends JSON text messages';
  if (data.length > MAX_TEXT_MESSAGE_BYTES)
    return `text message of ${data.length} characters is over the ${MAX_TEXT_MESSAGE_BYTES} limit`;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return `not JSON: ${data.slice(0, 80)}`;
  }
  const result = serverMessageSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const type = typeof json === 'object' && json !== null && 'type' in json ? String(json.type) : '?';
  const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch';
  return `invalid ${type} message: ${detail}`;
}

/** What a close from the receiver means for the uploads. */
function closeReason(code: number, reason: string, beforeWelcome = false): FailureReason {
  const detail = reason ? `: ${reason}` : '';
  switch (code) {
    case CLOSE_CODES.authFailed:
      return {
        code: 'AUTH_FAILED',
        message: `the receiver refused the token${detail}`,
        retryable: false,
        origin: 'receiver',
      };
    case CLOSE_CODES.deviceRevoked:
      return {
        code: 'DEVICE_REVOKED',
        message: `this device was revoked${detail}`,
        retryable: false,
        origin: 'receiver',
      };
    case CLOSE_CODES.badMessage:
    case CLOSE_CODES.protocolError:
    case CLOSE_CODES.messageTooBig:
      return {
        code: 'BAD_MESSAGE',
        message: `the receiver closed the connection (${code})${detail}`,
        retryable: false,
        origin: 'receiver',
      };
    case CLOSE_CODES.idleTimeout:
      return {
        code: 'IDLE_TIMEOUT',
        message: `the receiver closed an idle connection${detail}`,
        retryable: true,
        origin: 'receiver',
      };
    case CLOSE_CODES.goingAway:
      return {
        code: 'SHUTTING_DOWN',
        message: `the receiver is going away${detail}`,
        retryable: true,
        origin: 'receiver',
      };
    default:
      return clientFailure(
        beforeWelcome ? 'CONNECTION_FAILED' : 'CONNECTION_LOST',
        `connection closed (${code})${detail}`,
        true,
      );
  }
}
