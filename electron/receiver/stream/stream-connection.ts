/**
 * One WebSocket connection speaking chunk-stream protocol v1: hello, then any number of uploads
 * multiplexed by uploadId. Every text message is validated against the shared zod schemas; binary
 * frames are chunk frames. Messages are handled in arrival order; disk writes are queued per upload
 * and the socket is paused while too many received bytes wait for the disk. The ingest core owns each
 * upload's state (and publishes it to queue views); this connection only translates the wire to it.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CLIENT_MESSAGE_TYPES,
  CLOSE_CODES,
  MAX_TEXT_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  ShoeboxError,
  clientMessageSchema,
  decodeChunkFrame,
  isShoeboxError,
  type Announce,
  type ErrorCode,
  type Hello,
  type Limits,
  type ServerMessage,
} from '../../../shared/protocol';
import type { IngestService } from '../ingest/ingest-service';
import type { UploadLease } from '../ingest/upload-lease';
import type { DeviceRegistry, DeviceSummary } from '../pairing/device-registry';
import { committedMessage, errorReply, specOfAnnounce, toBuffer } from './wire-translation';

export interface StreamContext {
  devices: DeviceRegistry;
  ingest: IngestService;
  limits: Limits;
  receiverId: string;
  receiverName: () => string;
  idleTimeoutMs: number;
  helloTimeoutMs: number;
  /** Received bytes waiting for the disk before the socket is paused, and resumed below half of it. */
  maxPendingBytes: number;
  log: (message: string) => void;
}

const MAX_REMEMBERED_FAILURES = 4096;
/** Replies waiting in the socket's send buffer before a client that does not read is cut off. */
const MAX_SEND_BUFFER_BYTES = 4 * 1024 * 1024;

export class StreamConnection {
  device: DeviceSummary | null = null;
  private readonly uploads = new Map<number, UploadLease>();
  /** Upload ids that failed on this connection: their in-flight chunks are dropped quietly. */
  private readonly failed = new Set<number>();
  /** Set when the device was revoked: its open uploads end as failed, not as resumable. */
  private revokedBy: ShoeboxError | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private releasing: Promise<void> | null = null;
  /** Commits in progress (finish received): closing waits for them. */
  private readonly commits = new Set<Promise<unknown>>();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: StreamContext,
    readonly remote: string,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('close', () => void this.release());
    ws.on('error', (error) => ctx.log(`stream ${remote}: ${error.message}`));
    this.armIdle(ctx.helloTimeoutMs);
  }

  private send(message: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_SEND_BUFFER_BYTES) {
      // A client that sends but never reads would make us buffer replies without end.
      this.ctx.log(`stream ${this.remote}: the client does not read its replies; closing the connection.`);
      this.ws.terminate();
      void this.release();
      return;
    }
    this.ws.send(JSON.stringify(message));
  }

  private sendError(error: unknown, uploadId?: number): void {
    const { reply, internal } = errorReply(error, uploadId);
    if (internal) this.ctx.log(`stream ${this.remote}: ${(error as Error)?.stack ?? String(error)}`);
    this.send(reply);
  }

  /** Sends an error and closes the connection; open uploads stay resumable. */
  fail(code: ErrorCode, message: string, closeCode: number): void {
    this.sendError(new ShoeboxError(code, message));
    this.ws.close(closeCode, message.slice(0, 120));
    void this.release();
  }

  private armIdle(ms: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.device)
        this.fail(
          'AUTH_REQUIRED',
          `No hello within ${Math.round(ms / 1000)} s: send hello with the device token first.`,
          CLOSE_CODES.authFailed,
        );
      else if (this.uploads.size > 0)
        this.fail(
          'IDLE_TIMEOUT',
          `Nothing arrived for ${Math.round(ms / 1000)} s in the middle of an upload; ` +
            `it stays resumable: reconnect and announce it again.`,
          CLOSE_CODES.idleTimeout,
        );
      else this.armIdle(this.ctx.idleTimeoutMs);
    }, ms);
    this.idleTimer.unref();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (this.device) this.armIdle(this.ctx.idleTimeoutMs); // before hello the deadline stays fixed
    const bytes = toBuffer(data);
    if (isBinary) this.track(bytes.byteLength);
    this.chain = this.chain
      .then(() => {
        // Once closed, only chunks already received are still written (a drop loses only what never
        // came); queued announcements and finishes are dropped, and nothing at all of a revoked device.
        if (this.revokedBy || (this.closed && !isBinary)) return;
        return isBinary ? this.onChunk(bytes) : this.onText(bytes);
      })
      .catch((error: unknown) => {
        if (this.device) return this.sendError(error);
        // Before hello, anything wrong ends the connection.
        const e = isShoeboxError(error)
          ? error
          : new ShoeboxError('BAD_MESSAGE', 'The first message must be hello with the device token.');
        this.fail(e.code, e.message, CLOSE_CODES.authFailed);
      });
  }

  /** Counts received bytes until the disk has them; pauses reading while too many wait. */
  private track(bytes: number): void {
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.ctx.maxPendingBytes && !this.ws.isPaused) this.ws.pause();
  }

  private untrack(bytes: number): void {
    this.pendingBytes -= bytes;
    if (this.pendingBytes <= this.ctx.maxPendingBytes / 2 && this.ws.isPaused) this.ws.resume();
  }

  private async onText(bytes: Buffer): Promise<void> {
    if (bytes.byteLength > MAX_TEXT_MESSAGE_BYTES)
      throw new ShoeboxError('FRAME_TOO_LARGE', `Text messages are limited to ${MAX_TEXT_MESSAGE_BYTES} bytes.`);
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ShoeboxError('BAD_MESSAGE', 'A text message is not valid JSON.');
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
      throw new ShoeboxError(
        'UNKNOWN_MESSAGE',
        `Unknown message type ${JSON.stringify(type ?? null).slice(0, 60)}; ` +
          `expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}.`,
      );
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const uploadId = (raw as { uploadId?: unknown }).uploadId;
      const where = issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid';
      const error = new ShoeboxError('BAD_MESSAGE', `Invalid ${type} message (${where}).`);
      if (typeof uploadId === 'number' && Number.isInteger(uploadId) && uploadId > 0)
        return this.sendError(error, uploadId);
      throw error;
    }
    const message = parsed.data;
    if (message.type === 'hello') return this.onHello(message);
    if (!this.device) {
      this.fail('AUTH_REQUIRED', 'The first message must be hello with the device token.', CLOSE_CODES.authFailed);
      return;
    }
    if (message.type === 'announce') return this.onAnnounce(message);
    const lease = this.uploads.get(message.uploadId);
    if (!lease) {
      // Per upload, not the connection: a cancel may cross a committed answer, a finish an upload's error.
      return this.sendError(
        new ShoeboxError(
          'UNKNOWN_UPLOAD',
          `No upload ${message.uploadId} is open on this connection: announce it first.`,
        ),
        message.uploadId,
      );
    }
    this.uploads.delete(message.uploadId);
    if (message.type === 'cancel') {
      this.markFailed(message.uploadId);
      await lease.cancel();
      return;
    }
    const commit = lease
      .finish()
      .then(
        (result) => this.send(committedMessage(message.uploadId, result)),
        (error: unknown) => this.uploadFailed(message.uploadId, error),
      )
      .catch((error: unknown) =>
        this.ctx.log(`stream ${this.remote}: after a commit: ${(error as Error)?.stack ?? String(error)}`),
      );
    this.commits.add(commit);
    void commit.finally(() => this.commits.delete(commit));
  }

  private onHello(hello: Hello): void {
    if (this.device) throw new ShoeboxError('BAD_MESSAGE', 'hello was already received on this connection.');
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.fail(
        'UNSUPPORTED_PROTOCOL',
        `This receiver speaks protocol ${PROTOCOL_VERSION}, not ${hello.protocol}.`,
        CLOSE_CODES.badMessage,
      );
      return;
    }
    try {
      this.device = this.ctx.devices.authenticate(hello.token);
    } catch (error) {
      const e = error as ShoeboxError;
      this.fail(e.code, e.message, e.code === 'DEVICE_REVOKED' ? CLOSE_CODES.deviceRevoked : CLOSE_CODES.authFailed);
      return;
    }
    this.ctx.devices.touch(this.device.id);
    this.armIdle(this.ctx.idleTimeoutMs); // the hello deadline is met: from now on, the idle rules
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      receiverId: this.ctx.receiverId,
      receiverName: this.ctx.receiverName(),
      deviceId: this.device.id,
      limits: this.ctx.limits,
    });
  }

  private async onAnnounce(announce: Announce): Promise<void> {
    const { uploadId } = announce;
    const device = this.device as DeviceSummary;
    try {
      if (this.uploads.has(uploadId))
        throw new ShoeboxError('UPLOAD_ID_IN_USE', `Upload id ${uploadId} is already open on this connection.`);
      if (this.uploads.size >= this.ctx.limits.maxConcurrentUploads) {
        throw new ShoeboxError(
          'TOO_MANY_UPLOADS',
          `At most ${this.ctx.limits.maxConcurrentUploads} uploads may be open on one connection.`,
        );
      }
      const spec = specOfAnnounce(announce, device.id);
      this.failed.delete(uploadId);
      // A refusal (a full disk, say) is shown by the core; malformed announcements never get that far.
      const begun = await this.ctx.ingest.begin(spec, {
        origin: { transport: 'ws', device },
        onDurable: (offset) => {
          if (this.uploads.get(uploadId) === lease) this.send({ type: 'ack', uploadId, offset });
        },
      });
      if (begun.kind === 'stored') {
        this.send(committedMessage(uploadId, begun.result));
        return;
      }
      const lease = begun.lease;
      if (this.closed) {
        await lease.interrupt();
        return;
      }
      this.uploads.set(uploadId, lease);
      this.send({ type: 'ready', uploadId, offset: lease.startOffset });
      lease.markReady();
    } catch (error) {
      this.markFailed(uploadId);
      this.sendError(error, uploadId);
    }
  }

  private onChunk(frame: Buffer): void {
    const size = frame.byteLength;
    if (!this.device) {
      this.untrack(size);
      this.fail('AUTH_REQUIRED', 'The first message must be hello with the device token.', CLOSE_CODES.authFailed);
      return;
    }
    const chunk = decodeChunkFrame(frame);
    if (typeof chunk === 'string') {
      this.untrack(size);
      throw new ShoeboxError('BAD_MESSAGE', `Bad chunk frame: ${chunk}.`);
    }
    const lease = this.uploads.get(chunk.uploadId);
    if (!lease) {
      this.untrack(size);
      if (this.failed.has(chunk.uploadId)) return;
      this.markFailed(chunk.uploadId);
      this.sendError(
        new ShoeboxError(
          'UNKNOWN_UPLOAD',
          `Chunk for upload ${chunk.uploadId}, which is not open on this connection: announce it first.`,
        ),
        chunk.uploadId,
      );
      return;
    }
    if (chunk.payload.byteLength > this.ctx.limits.maxChunkBytes) {
      this.untrack(size);
      const error = new ShoeboxError(
        'FRAME_TOO_LARGE',
        `Chunks are limited to ${this.ctx.limits.maxChunkBytes} bytes; this one has ${chunk.payload.byteLength}.`,
      );
      this.uploadFailed(chunk.uploadId, error);
      void lease.fail(error); // the bytes so far stay: announcing it again resumes
      return;
    }
    lease.write(chunk.offset, chunk.payload).then(
      () => this.untrack(size),
      (error: unknown) => {
        this.untrack(size);
        this.uploadFailed(chunk.uploadId, error);
      },
    );
  }

  private uploadFailed(uploadId: number, error: unknown): void {
    if (this.failed.has(uploadId) && !this.uploads.has(uploadId)) return;
    this.uploads.delete(uploadId);
    this.markFailed(uploadId);
    this.sendError(error, uploadId);
  }

  /** Remembers a failed id (its in-flight chunks are dropped quietly), keeping only the most recent ones. */
  private markFailed(uploadId: number): void {
    this.failed.add(uploadId);
    if (this.failed.size > MAX_REMEMBERED_FAILURES) this.failed.delete(this.failed.values().next().value as number);
  }

  /** Called when the device is revoked: refuse at once, mid-upload too. */
  revoke(): void {
    this.revokedBy = new ShoeboxError(
      'DEVICE_REVOKED',
      "This device was removed from the computer's paired devices: pair it again to back up here.",
    );
    this.fail(this.revokedBy.code, this.revokedBy.message, CLOSE_CODES.deviceRevoked);
  }

  /** Receiver shutdown: tell the client to come back later. */
  shutdown(): void {
    this.fail(
      'SHUTTING_DOWN',
      'The receiver is shutting down; uploads resume where they stopped when it is back.',
      CLOSE_CODES.goingAway,
    );
  }

  /** Lets go of every open upload of this connection (bytes fsynced, resumable); the same promise every time. */
  release(): Promise<void> {
    this.releasing ??= (async () => {
      this.closed = true;
      clearTimeout(this.idleTimer);
      // Chunks that arrived before the close are still written: a drop loses only what never came.
      await this.chain;
      const leases = [...this.uploads.values()];
      this.uploads.clear();
      // A revoked device's uploads end as failed; otherwise the connection went away: interrupted.
      const revokedBy = this.revokedBy;
      await Promise.all(leases.map((lease) => (revokedBy ? lease.fail(revokedBy) : lease.interrupt())));
      await Promise.allSettled([...this.commits]);
    })();
    return this.releasing;
  }
}
