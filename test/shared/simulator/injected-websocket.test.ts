/**
 * The client only needs the WebSocket constructor it is given: here an in-process fake socket (no network)
 * shows that nothing is sent while the socket's bufferedAmount is above maxBufferedBytes.
 */
import { describe, expect, it } from 'vitest';
import { decodeChunkFrame } from '../../../shared/protocol/chunk-frame';
import type { ClientMessage } from '../../../shared/protocol/ws-messages';
import { ChunkStreamClient } from '../../../shared/simulator/chunk-stream-client';
import type { WebSocketLike } from '../../../shared/simulator/websocket-like';
import { source } from '../../helpers/simulator/helpers';

const limits = { maxChunkBytes: 4096, maxUploadBytes: 1e9, maxConcurrentUploads: 4 };

class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  readonly sentWhileBuffered: number[] = [];
  readonly chunks: number[] = [];
  readonly #listeners = new Map<string, Array<(event: object) => void>>();

  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.#fire('open', {});
    }, 1);
  }

  // Each type's listener gets the event #fire passes for that type (the shapes WebSocketLike names).
  addEventListener<E extends object>(type: string, listener: (event: E) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener as (event: object) => void]);
  }

  send(data: string | Uint8Array): void {
    if (typeof data !== 'string') {
      const frame = decodeChunkFrame(data);
      if (typeof frame === 'string') throw new Error(frame);
      this.chunks.push(frame.offset);
      if (this.bufferedAmount > 8192) this.sentWhileBuffered.push(frame.offset);
      this.bufferedAmount += frame.payload.byteLength;
      setTimeout(
        () => this.#reply({ type: 'ack', uploadId: frame.uploadId, offset: frame.offset + frame.payload.byteLength }),
        1,
      );
      return;
    }
    const message = JSON.parse(data) as ClientMessage;
    if (message.type === 'hello')
      this.#reply({ type: 'welcome', protocol: 1, receiverId: 'r', receiverName: 'n', deviceId: 'd', limits });
    if (message.type === 'announce') {
      this.size = message.size;
      this.#reply({ type: 'ready', uploadId: message.uploadId, offset: 0 });
    }
    if (message.type === 'finish')
      this.#reply({
        type: 'committed',
        uploadId: message.uploadId,
        path: 'p',
        sha256: this.sha,
        size: this.size,
        duplicate: false,
        captureDate: '',
      });
  }

  size = 0;
  sha = '';

  close(): void {
    this.readyState = 3;
    setTimeout(() => this.#fire('close', { code: 1000, reason: '' }), 1);
  }

  #reply(message: object): void {
    setTimeout(() => this.#fire('message', { data: JSON.stringify(message) }), 1);
  }

  #fire(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

describe('injected WebSocket', () => {
  it('waits while bufferedAmount is high, and sets binaryType to arraybuffer', async () => {
    const src = await source('a.jpg', 40 * 1024);
    const client = new ChunkStreamClient({
      url: 'ws://fake/v1/stream',
      token: 't'.repeat(43),
      WebSocket: FakeSocket,
      maxBufferedBytes: 8192,
    });
    await client.connect();
    const socket = FakeSocket.last!;
    socket.sha = src.sha256;
    expect(socket.binaryType).toBe('arraybuffer');
    // The "network" drains 4 KiB every 5 ms.
    const drain = setInterval(() => (socket.bufferedAmount = Math.max(0, socket.bufferedAmount - 4096)), 5);
    const result = await client.upload(src);
    clearInterval(drain);
    await client.close();
    expect(result.status).toBe('committed');
    expect(socket.chunks).toHaveLength(10);
    expect(socket.sentWhileBuffered).toEqual([]);
  });
});
