/**
 * A small in-memory receiver for the simulator's tests: just enough of protocol v1 (hello, announce,
 * chunks, ack, finish, cancel, POST /v1/pair), plus knobs to drop connections, delay acks, answer errors
 * and send invalid messages. Listens on 127.0.0.1 only.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeChunkFrame } from '../../../shared/protocol/chunk-frame';
import { PATHS } from '../../../shared/protocol/constants';
import { ERROR_CODES, type ErrorCode } from '../../../shared/protocol/errors';
import { clientMessageSchema, type Announce, type Limits } from '../../../shared/protocol/ws-messages';

export const FAKE_TOKEN = 'T'.repeat(43);
export const FAKE_PAIRING_CODE = '123456';

interface Held {
  chunks: Buffer[];
  length: number;
}

interface OpenUpload {
  announce: Announce;
  key: string;
}

export interface FakeError {
  code: ErrorCode;
  message?: string;
}

export interface FakeReceiverOptions {
  limits?: Partial<Limits>;
  /** Delay before each ack, in ms; 'never' sends no acks. Default 0 (ack each chunk at once). */
  ackDelayMs?: number | 'never';
  /** Terminate the connection after this many chunks received on it ... */
  dropAfterChunks?: number;
  /** ... at most this many times in all (default unlimited). */
  maxDrops?: number;
  /**
   * Answer an announce with an error, or with an invalid message
   * ('garbage'). `count` is 1 for the first announce of that content.
   */
  onAnnounce?: (announce: Announce, count: number) => FakeError | 'garbage' | undefined;
  /** Commit on finish, then terminate the connection before answering, this many times. */
  dropAfterCommit?: number;
  /** Stop reading the first connection's socket after this many chunks (a link that died silently). */
  stallAfterChunks?: number;
  /** Answer a finish with an error instead of checking and committing. */
  onFinish?: (announce: Announce, count: number) => FakeError | undefined;
}

export class FakeReceiver {
  readonly options: FakeReceiverOptions;
  readonly limits: Limits;
  readonly stored = new Map<string, { path: string; bytes: Buffer }>();
  readonly held = new Map<string, Held>();
  readonly announces: Announce[] = [];
  readonly chunkOffsets: Array<{ uploadId: number; offset: number; length: number }> = [];
  readonly errorsSent: ErrorCode[] = [];
  connections = 0;
  drops = 0;
  /** Largest (bytes received - bytes acked) seen on one connection. */
  maxInFlight = 0;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #announceCounts = new Map<string, number>();
  readonly #finishCounts = new Map<string, number>();
  readonly #busy = new Set<string>();

  private constructor(options: FakeReceiverOptions) {
    this.options = options;
    this.limits = { maxChunkBytes: 1024 * 1024, maxUploadBytes: 1e9, maxConcurrentUploads: 8, ...options.limits };
    this.#server = createServer((req, res) => this.#http(req, res));
    this.#wss = new WebSocketServer({ server: this.#server, path: PATHS.stream });
    this.#wss.on('connection', (ws) => this.#connection(ws));
  }

  static async start(options: FakeReceiverOptions = {}): Promise<FakeReceiver> {
    const receiver = new FakeReceiver(options);
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}${PATHS.stream}`;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #http(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === PATHS.pair) {
        const request = JSON.parse(body) as { code: string; deviceId: string };
        if (request.code !== FAKE_PAIRING_CODE) {
          res.statusCode = 403;
          return res.end(
            JSON.stringify({ error: { code: 'PAIRING_CODE_INVALID', message: 'wrong code', retryable: false } }),
          );
        }
        return res.end(
          JSON.stringify({
            deviceId: request.deviceId,
            token: FAKE_TOKEN,
            receiverId: 'fake-receiver',
            receiverName: 'Fake',
          }),
        );
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'UNKNOWN_MESSAGE', message: 'not found', retryable: false } }));
    });
  }

  #connection(ws: WebSocket): void {
    this.connections += 1;
    const uploads = new Map<number, OpenUpload>();
    let authed = false;
    let chunksHere = 0;
    let inFlight = 0;
    /** Received but not yet acked bytes per open upload id (committed or failed uploads leave it). */
    const unacked = new Map<number, number>();
    const settle = (uploadId: number) => {
      inFlight -= unacked.get(uploadId) ?? 0;
      unacked.delete(uploadId);
    };
    const send = (message: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
    const fail = (uploadId: number | undefined, code: ErrorCode, message: string, extra: object = {}) => {
      this.errorsSent.push(code);
      send({
        type: 'error',
        ...(uploadId === undefined ? {} : { uploadId }),
        code,
        message,
        retryable: ERROR_CODES[code].retryable,
        ...extra,
      });
    };
    const close = (uploadId: number) => {
      const upload = uploads.get(uploadId);
      if (upload) this.#busy.delete(upload.key);
      uploads.delete(uploadId);
      settle(uploadId);
    };
    ws.on('close', () => {
      for (const id of [...uploads.keys()]) close(id);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (!authed) return ws.close(4001);
        const frame = decodeChunkFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (typeof frame === 'string') return fail(undefined, 'BAD_MESSAGE', frame);
        const upload = uploads.get(frame.uploadId);
        if (!upload) return fail(frame.uploadId, 'UNKNOWN_UPLOAD', 'no such upload');
        const held = this.held.get(upload.key)!;
        if (frame.payload.byteLength > this.limits.maxChunkBytes)
          return fail(frame.uploadId, 'FRAME_TOO_LARGE', 'chunk too big');
        if (frame.offset !== held.length) {
          close(frame.uploadId);
          return fail(frame.uploadId, 'BAD_OFFSET', `expected ${held.length}`, { offset: held.length });
        }
        if (held.length + frame.payload.byteLength > upload.announce.size) {
          close(frame.uploadId);
          return fail(frame.uploadId, 'OUT_OF_RANGE', 'past the size');
        }
        held.chunks.push(Buffer.from(frame.payload));
        held.length += frame.payload.byteLength;
        this.chunkOffsets.push({ uploadId: frame.uploadId, offset: frame.offset, length: frame.payload.byteLength });
        inFlight += frame.payload.byteLength;
        unacked.set(frame.uploadId, (unacked.get(frame.uploadId) ?? 0) + frame.payload.byteLength);
        this.maxInFlight = Math.max(this.maxInFlight, inFlight);
        const ack = () => {
          const pending = unacked.get(frame.uploadId);
          if (pending === undefined) return; // committed or failed meanwhile: nothing left to ack
          unacked.set(frame.uploadId, pending - frame.payload.byteLength);
          inFlight -= frame.payload.byteLength;
          send({ type: 'ack', uploadId: frame.uploadId, offset: frame.offset + frame.payload.byteLength });
        };
        const delay = this.options.ackDelayMs ?? 0;
        if (delay === 0) ack();
        else if (delay !== 'never') setTimeout(ack, delay);
        chunksHere += 1;
        if (
          this.options.stallAfterChunks !== undefined &&
          this.connections === 1 &&
          chunksHere === this.options.stallAfterChunks
        ) {
          // Nothing more is read or answered here: the client's send buffer fills up and stays full.
          (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
          ws.removeAllListeners('message');
          // a newer connection may take the uploads over, as on the real receiver
          for (const id of [...uploads.keys()]) close(id);
          return;
        }
        const { dropAfterChunks, maxDrops = Infinity } = this.options;
        if (dropAfterChunks && chunksHere >= dropAfterChunks && this.drops < maxDrops) {
          this.drops += 1;
          ws.terminate();
        }
        return;
      }
      const parsed = clientMessageSchema.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) return fail(undefined, 'BAD_MESSAGE', parsed.error.message);
      const message = parsed.data;
      if (!authed) {
        if (message.type !== 'hello' || message.token !== FAKE_TOKEN) {
          fail(undefined, 'AUTH_FAILED', 'unknown token');
          return ws.close(4001, 'auth failed');
        }
        authed = true;
        return send({
          type: 'welcome',
          protocol: 1,
          receiverId: 'fake-receiver',
          receiverName: 'Fake',
          deviceId: 'dev',
          limits: this.limits,
        });
      }
      if (message.type === 'announce') return this.#announce(message, uploads, send, fail);
      if (message.type === 'cancel') return close(message.uploadId);
      if (message.type === 'finish') {
        const upload = uploads.get(message.uploadId);
        if (!upload) return fail(message.uploadId, 'UNKNOWN_UPLOAD', 'no such upload');
        close(message.uploadId);
        const count = (this.#finishCounts.get(upload.key) ?? 0) + 1;
        this.#finishCounts.set(upload.key, count);
        const planned = this.options.onFinish?.(upload.announce, count);
        if (planned) return fail(message.uploadId, planned.code, planned.message ?? planned.code);
        const held = this.held.get(upload.key)!;
        if (held.length < upload.announce.size)
          return fail(message.uploadId, 'INCOMPLETE', `holding ${held.length}`, { offset: held.length });
        const bytes = Buffer.concat(held.chunks);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        this.held.delete(upload.key);
        if (sha256 !== upload.announce.sha256) return fail(message.uploadId, 'CHECKSUM_MISMATCH', 'digest differs');
        const path = `${upload.announce.captureDate?.slice(0, 10) ?? 'undated'}/${upload.announce.filename}`;
        this.stored.set(sha256, { path, bytes });
        const { size } = upload.announce;
        if ((this.options.dropAfterCommit ?? 0) > this.drops) {
          this.drops += 1;
          return ws.terminate();
        }
        return send({
          type: 'committed',
          uploadId: message.uploadId,
          path,
          sha256,
          size,
          duplicate: false,
          captureDate: upload.announce.captureDate?.slice(0, 19) ?? '',
        });
      }
    });
  }

  #announce(
    announce: Announce,
    uploads: Map<number, OpenUpload>,
    send: (message: object) => unknown,
    fail: (uploadId: number | undefined, code: ErrorCode, message: string) => void,
  ): void {
    this.announces.push(announce);
    const key = `${announce.sha256}:${announce.size}`;
    const count = (this.#announceCounts.get(key) ?? 0) + 1;
    this.#announceCounts.set(key, count);
    const planned = this.options.onAnnounce?.(announce, count);
    if (planned === 'garbage') return void send({ type: 'ready', uploadId: announce.uploadId, offset: -5 });
    if (planned) return fail(announce.uploadId, planned.code, planned.message ?? planned.code);
    if (uploads.has(announce.uploadId)) return fail(announce.uploadId, 'UPLOAD_ID_IN_USE', 'id in use');
    if (announce.filename.includes('/') || announce.filename.startsWith('.'))
      return fail(announce.uploadId, 'BAD_FILENAME', 'unsafe filename');
    if (announce.size > this.limits.maxUploadBytes) return fail(announce.uploadId, 'TOO_LARGE', 'too large');
    const stored = this.stored.get(announce.sha256);
    if (stored) {
      const { path, bytes } = stored;
      return void send({
        type: 'committed',
        uploadId: announce.uploadId,
        path,
        sha256: announce.sha256,
        size: bytes.length,
        duplicate: true,
        captureDate: '',
      });
    }
    if (this.#busy.has(key)) return fail(announce.uploadId, 'UPLOAD_BUSY', 'busy elsewhere');
    if (uploads.size >= this.limits.maxConcurrentUploads)
      return fail(announce.uploadId, 'TOO_MANY_UPLOADS', 'too many');
    this.#busy.add(key);
    uploads.set(announce.uploadId, { announce, key });
    let held = this.held.get(key);
    if (!held) this.held.set(key, (held = { chunks: [], length: 0 }));
    send({ type: 'ready', uploadId: announce.uploadId, offset: held.length });
  }
}
