/**
 * The progress bar on stderr: redrawn in place on a TTY, a plain line every few seconds otherwise.
 * Lines printed through log() go above the bar without garbling it.
 */
import type { ConnectionEvent, UploadProgress } from '../client-types';
import { formatBytes } from '../../format';
import { formatRate } from './format';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressViewOptions {
  totalFiles: number;
  totalBytes: number;
  /** Plain-line period when stderr is not a TTY; default 2000 ms. */
  plainEveryMs?: number;
  now?: () => number;
}

export class ProgressView {
  readonly #err: OutputStream;
  readonly #options: ProgressViewOptions;
  readonly #now: () => number;
  readonly #started: number;
  readonly #uploads = new Map<number, { acked: number; sent: number; size: number; state: UploadProgress['state'] }>();
  #bytesSent = 0;
  #finished = 0;
  #failed = 0;
  #reconnects = 0;
  #connection = 'connecting';
  #drawn = false;
  #lastDraw = 0;

  constructor(stderr: OutputStream, options: ProgressViewOptions) {
    this.#err = stderr;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  get #tty(): boolean {
    return this.#err.isTTY === true;
  }

  onProgress(progress: UploadProgress): void {
    const previous = this.#uploads.get(progress.key);
    if (previous && progress.sent > previous.sent) this.#bytesSent += progress.sent - previous.sent;
    this.#uploads.set(progress.key, {
      acked: progress.acked,
      sent: progress.sent,
      size: progress.size,
      state: progress.state,
    });
    this.#maybeDraw();
  }

  onConnection(event: ConnectionEvent): void {
    if (event.state === 'lost') this.#reconnects += 1;
    this.#connection =
      event.state === 'waiting' ? `reconnecting in ${((event.delayMs ?? 0) / 1000).toFixed(1)} s` : event.state;
    this.#maybeDraw();
  }

  onFinished(failed: boolean): void {
    this.#finished += 1;
    if (failed) this.#failed += 1;
    this.#maybeDraw(true);
  }

  /** Prints a line to `stream`, keeping the bar below it on a TTY. */
  log(stream: OutputStream, line: string): void {
    this.#clear();
    stream.write(`${line}\n`);
    this.#maybeDraw(true);
  }

  /** Removes the bar (TTY) before the summary. */
  stop(): void {
    this.#clear();
  }

  line(): string {
    let done = 0;
    let active = 0;
    for (const upload of this.#uploads.values()) {
      const finished = upload.state === 'committed' || upload.state === 'duplicate';
      done += finished ? upload.size : upload.acked;
      if (upload.state === 'sending' || upload.state === 'announcing' || upload.state === 'finishing') active += 1;
    }
    const { totalBytes, totalFiles } = this.#options;
    const fraction = totalBytes > 0 ? Math.min(1, done / totalBytes) : this.#finished / Math.max(1, totalFiles);
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    const elapsed = this.#now() - this.#started;
    const parts = [
      `${bar} ${(fraction * 100).toFixed(0).padStart(3)}%`,
      `${formatBytes(done)}/${formatBytes(totalBytes)}`,
      formatRate(this.#bytesSent, elapsed),
      `files ${this.#finished}/${totalFiles}`,
      `${active} active`,
    ];
    if (this.#failed) parts.push(`${this.#failed} failed`);
    if (this.#reconnects) parts.push(`${this.#reconnects} reconnects`);
    if (this.#connection !== 'connected') parts.push(this.#connection);
    return parts.join('  ');
  }

  #maybeDraw(force = false): void {
    const now = this.#now();
    const every = this.#tty ? 100 : (this.#options.plainEveryMs ?? 2000);
    if (!force && now - this.#lastDraw < every) return;
    if (!this.#tty && force) return; // plain output: periodic lines only
    this.#lastDraw = now;
    if (this.#tty) {
      const columns = this.#err.columns ?? 120;
      this.#err.write(`\r\x1b[2K${this.line().slice(0, Math.max(20, columns - 1))}`);
      this.#drawn = true;
    } else {
      this.#err.write(`${this.line()}\n`);
    }
  }

  #clear(): void {
    if (this.#tty && this.#drawn) this.#err.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
