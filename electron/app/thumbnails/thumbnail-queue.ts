/**
 * A one-at-a-time job queue with two priorities: thumbnails someone is looking at go first, the ones
 * made after each commit run in the background with a pause between jobs, so ingest never waits.
 */
export type Priority = 'now' | 'background';

interface Job {
  key: string;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
  priority: Priority;
}

export class ThumbnailQueue {
  private readonly waiting: Job[] = [];
  private readonly byKey = new Map<string, Job>();
  private running = false;
  private closed = false;
  private pumping: Promise<void> = Promise.resolve();

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly pauseMs = 25,
  ) {}

  /** Queues `key` once; a repeated request can raise its priority. Resolves when its job is done. */
  enqueue(key: string, priority: Priority = 'background'): Promise<void> {
    const known = this.byKey.get(key);
    if (known) {
      if (priority === 'now' && known.priority === 'background' && this.waiting.includes(known)) {
        known.priority = 'now';
        this.waiting.splice(this.waiting.indexOf(known), 1);
        this.waiting.unshift(known);
      }
      return known.promise;
    }
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // callers that do not wait must not cause unhandled rejections
    const job: Job = { key, promise, resolve, reject, priority };
    this.byKey.set(key, job);
    if (priority === 'now') {
      const firstBackground = this.waiting.findIndex((j) => j.priority === 'background');
      this.waiting.splice(firstBackground === -1 ? this.waiting.length : firstBackground, 0, job);
    } else {
      this.waiting.push(job);
    }
    if (this.closed) reject(new Error('the thumbnail queue is closed'));
    else void this.pump();
    return promise;
  }

  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  private pump(): Promise<void> {
    if (this.running) return this.pumping;
    this.running = true;
    this.pumping = this.drain();
    return this.pumping;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && this.waiting.length > 0) {
        const job = this.waiting.shift()!;
        try {
          await this.work(job.key);
          job.resolve();
        } catch (error) {
          job.reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
          this.byKey.delete(job.key);
        }
        const next = this.waiting[0];
        if (next && next.priority === 'background') await new Promise((r) => setTimeout(r, this.pauseMs));
      }
    } finally {
      this.running = false;
    }
  }

  /** Stops taking jobs; waiting ones are rejected. Resolves once the running job (if any) has ended. */
  close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) {
      job.reject(new Error('the thumbnail queue is closed'));
      this.byKey.delete(job.key);
    }
    return this.pumping;
  }
}
