/**
 * `ws`: the system moves a job's bytes over Shoebox's WebSocket chunk-stream protocol instead of a raw
 * HTTP body (ChunkStreamClient: resume after drops, retries). The job still ends like an HTTP upload:
 * succeeded with the same response headers the PhotoKit endpoint sends (201 new, 200 already stored).
 * Configure bandwidth and drops on the client (bytesPerSecond, dropEvery). Node and browser.
 */
import type { ChunkStreamClient } from '../chunk-stream-client';
import type { UploadProgress, UploadResult } from '../client-types';
import type { UploadSource } from '../upload-source';
import { storedUploadHeaders } from '../../protocol/photokit-wire';
import type { TransferContext, TransferJob, TransferOutcome, UploadTransport } from './transport-types';

/** The headers POST /v1/photokit answers with, for a committed chunk-stream upload. */
export function answerHeaders(result: Extract<UploadResult, { status: 'committed' }>): Record<string, string> {
  const { assetId, resourceType } = result.source;
  return storedUploadHeaders({ ...result, assetId, resourceType });
}

export class ChunkStreamTransport implements UploadTransport {
  readonly name = 'ws';
  readonly client: ChunkStreamClient;

  constructor(client: ChunkStreamClient) {
    this.client = client;
  }

  async transfer(job: TransferJob, source: UploadSource, ctx: TransferContext): Promise<TransferOutcome> {
    let waiting = false;
    const stopWatching = this.client.on('progress', (progress: UploadProgress) => {
      if (
        progress.source.assetId !== job.resource.assetId ||
        progress.source.resourceType !== job.resource.resourceType
      )
        return;
      if (progress.state === 'waiting' && !waiting) ctx.event('cut', { offset: progress.acked });
      else if (progress.state === 'announcing' && waiting)
        ctx.event('offset', { offset: progress.acked, message: 'announce again, ready' });
      waiting = progress.state === 'waiting';
    });
    try {
      ctx.event('request', { method: 'WS', offset: 0 });
      // No signal passed to upload(): with one, a commit that arrives as the signal's channel ends is
      // reported as CONNECTION_LOST (upload-task.ts #nextReply). A cancelled job's upload runs on
      // unobserved until it ends or the client closes.
      const aborted = new Promise<never>((_, reject) => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, passed on as is
        const onAbort = () => reject(ctx.signal.reason);
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      const result = await Promise.race([this.client.upload(source), aborted]);
      if (result.status === 'committed')
        return { ok: true, status: result.duplicate ? 200 : 201, headers: answerHeaders(result) };
      return {
        ok: false,
        error: { code: result.reason.code, message: result.reason.message, retryable: result.reason.retryable },
      };
    } finally {
      stopWatching();
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
