/**
 * Streams a request body into an upload lease: bytes are gathered into writes of up to `flushBytes`,
 * the request is paused while the disk catches up, and whatever arrived before the body ended (or the
 * connection was cut, or the upload was stopped) is written before the pump settles, so nothing
 * received is lost. The lease fsyncs as it goes and when it is let go.
 */
import type { IncomingMessage } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import type { UploadLease } from '../ingest/upload-lease';

export interface PumpOptions {
  /** Where this body starts in the upload. */
  offset: number;
  /** The upload may not grow past this many bytes; `overLimit` is thrown when the body would. */
  limit: number;
  overLimit: () => ShoeboxError;
  /** The body is given up when no byte arrives for this long. */
  idleMs: number;
  /** Aborting stops reading; the pump rejects with the signal's reason once received bytes are written. */
  signal: AbortSignal;
  flushBytes?: number;
}

/** 'ended': the whole body arrived. 'cut': the connection closed before the end of the body. */
export type PumpResult = { kind: 'ended' | 'cut'; offset: number };

const DEFAULT_FLUSH_BYTES = 256 * 1024;

export function pumpBody(req: IncomingMessage, lease: UploadLease, options: PumpOptions): Promise<PumpResult> {
  const flushBytes = options.flushBytes ?? DEFAULT_FLUSH_BYTES;
  return new Promise<PumpResult>((resolve, reject) => {
    let next = options.offset; // where the next flushed byte goes
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let writing: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;

    const flush = (): Promise<void> => {
      if (pendingBytes > 0) {
        const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
        const at = next;
        next += data.byteLength;
        pending = [];
        pendingBytes = 0;
        writing = writing
          .then(async () => {
            if (writeError) return;
            await lease.write(at, data); // the lease reports the progress
          })
          .catch((error: unknown) => {
            writeError ??= error;
          });
      }
      return writing;
    };

    const cleanup = () => {
      clearTimeout(idleTimer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      options.signal.removeEventListener('abort', onAbort);
    };

    /** Ends the pump: writes what was received (unless `discard`), then settles. */
    const settle = (outcome: { result: PumpResult['kind'] } | { error: unknown }, discard = false) => {
      if (settled) return;
      settled = true;
      cleanup();
      req.pause();
      if (discard) {
        pending = [];
        pendingBytes = 0;
      }
      void flush().then(() => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the write's error, unchanged
        if (writeError) reject(writeError);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the settling reason, unchanged
        else if ('error' in outcome) reject(outcome.error);
        else resolve({ kind: outcome.result, offset: next });
      });
    };

    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        settle({
          error: new ShoeboxError(
            'IDLE_TIMEOUT',
            `No body bytes arrived for ${Math.round(options.idleMs / 1000)} s; ` +
              `the bytes so far are kept: resume the upload.`,
          ),
        });
      }, options.idleMs);
      idleTimer.unref();
    };

    function onData(chunk: Buffer): void {
      if (settled) return;
      if (next + pendingBytes + chunk.byteLength > options.limit) {
        settle({ error: options.overLimit() }, true);
        return;
      }
      armIdle();
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes < flushBytes) return;
      req.pause();
      void flush().then(() => {
        if (writeError) settle({ error: writeError });
        else if (!settled) {
          armIdle();
          req.resume();
        }
      });
    }
    function onEnd(): void {
      settle({ result: 'ended' });
    }
    function onClose(): void {
      settle(req.complete ? { result: 'ended' } : { result: 'cut' });
    }
    function onAbort(): void {
      settle({ error: options.signal.reason });
    }

    if (options.signal.aborted) {
      settled = true;
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, unchanged
      reject(options.signal.reason);
      return;
    }
    req.on('error', () => undefined); // a reset connection surfaces as 'close' without 'end'
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    options.signal.addEventListener('abort', onAbort);
    armIdle();
    req.resume();
  });
}
