/**
 * The replies about one upload id on one connection: ready, committed and error arrive in order through
 * next(); acks go straight to a callback. The signal aborts when the receiver ends the upload (committed
 * or error) or the connection is lost, so a sender blocked on the window or the socket wakes up.
 */
import type { Ack, Committed, ErrorMessage, Ready } from '../protocol/ws-messages';
import { UploadFailure, type FailureReason } from './client-errors';

export type UploadReply = Ready | Committed | ErrorMessage;

/** Abort reason used when the receiver has ended the upload: read the reply with next(). */
export class ReceiverEnded extends Error {
  constructor() {
    super('the receiver ended this upload');
    this.name = 'ReceiverEnded';
  }
}

export class UploadChannel {
  readonly uploadId: number;
  readonly #controller = new AbortController();
  readonly #onAck: (offset: number) => void;
  readonly #onClose: () => void;
  readonly #queue: UploadReply[] = [];
  #waiter: { resolve: (reply: UploadReply) => void; reject: (error: unknown) => void } | undefined;
  #lost: FailureReason | undefined;

  constructor(uploadId: number, onAck: (offset: number) => void, onClose: () => void) {
    this.uploadId = uploadId;
    this.#onAck = onAck;
    this.#onClose = onClose;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True while someone waits in next(). */
  get awaitingReply(): boolean {
    return this.#waiter !== undefined;
  }

  deliver(message: UploadReply | Ack): void {
    if (message.type === 'ack') return this.#onAck(message.offset);
    if (message.type !== 'ready' && !this.signal.aborted) this.#controller.abort(new ReceiverEnded());
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter.resolve(message);
    else this.#queue.push(message);
  }

  lose(reason: FailureReason): void {
    if (this.#lost) return;
    this.#lost = reason;
    const error = new UploadFailure(reason);
    if (!this.signal.aborted) this.#controller.abort(error);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** The next ready/committed/error; replies that already arrived come first, then a loss rejects. */
  next(): Promise<UploadReply> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#lost) return Promise.reject(new UploadFailure(this.#lost));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** A reply that ended the upload (committed or error), if one is waiting. */
  get hasEndingReply(): boolean {
    return this.#queue.some((reply) => reply.type !== 'ready');
  }

  close(): void {
    this.#onClose();
  }
}
