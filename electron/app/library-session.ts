/**
 * The library session: the receiver and the thumbnails of the backup folder in use, and changing that
 * folder (moving the library there, or starting fresh there). One change at a time (`BUSY`); on
 * failure the session goes back to the folder it had, so there is always a receiver to show.
 */
import { AppApiError } from '../../shared/app-api';
import type { ReceiverConfig } from '../receiver/config';
import { startReceiver, type Receiver, type ReceiverOptions } from '../receiver/receiver';
import { InstanceLockedError } from '../receiver/util/instance-lock';
import { checkNewFolder } from './folder-ops';
import { moveLibrary } from './library-move';
import type { SettingsStore } from './settings-store';
import { ThumbnailService, type ThumbnailServiceOptions } from './thumbnails';

export interface LibrarySessionOptions {
  config: ReceiverConfig;
  receiverOptions?: ReceiverOptions;
  thumbnails?: Pick<ThumbnailServiceOptions, 'ffmpeg' | 'size' | 'pauseMs'>;
  settings: SettingsStore;
  log: (message: string) => void;
}

/** What the session tells the service about. */
export interface SessionHooks {
  /** A receiver runs now (at start, after a change, or again on the old folder after a failed one). */
  started(receiver: Receiver, thumbnails: ThumbnailService): void;
  /** The receiver is about to close. */
  stopping(): void;
  /** A change of folder succeeded (called before the session stops being busy). */
  switched(): void;
  /** What the session is busy with changed (null: nothing). */
  busy(message: string | null): void;
}

export class LibrarySession {
  private config: ReceiverConfig;
  private receiverNow!: Receiver;
  private thumbs!: ThumbnailService;
  private switching: Promise<void> | null = null;
  private busyWith: string | null = null;
  private readonly receiverListeners = new Set<(receiver: Receiver) => void>();

  constructor(
    private readonly options: LibrarySessionOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.config = { ...options.config };
  }

  /** Starts on `folder` (default: the configured one). */
  async start(folder = this.config.folder): Promise<void> {
    this.config.folder = folder;
    await this.startOn(this.config);
  }

  get receiver(): Receiver {
    return this.receiverNow;
  }

  get thumbnails(): ThumbnailService {
    return this.thumbs;
  }

  /** The backup folder in use. */
  get folder(): string {
    return this.config.folder;
  }

  get minFreeBytes(): number {
    return this.config.minFreeBytes;
  }

  get isSwitching(): boolean {
    return this.switching !== null;
  }

  /** What a folder change is doing right now, for the status line; null when none runs. */
  get busy(): string | null {
    return this.busyWith;
  }

  /** Calls `listener` with each receiver started from now on (after a folder change); returns an unsubscribe. */
  onReceiverStarted(listener: (receiver: Receiver) => void): () => void {
    this.receiverListeners.add(listener);
    return () => this.receiverListeners.delete(listener);
  }

  /** Resolves when no folder change is in progress. */
  async ready(): Promise<Receiver> {
    while (this.switching) await this.switching;
    return this.receiverNow;
  }

  private async startOn(config: ReceiverConfig): Promise<void> {
    const receiver = await startReceiver(config, this.options.receiverOptions);
    this.receiverNow = receiver;
    for (const listener of this.receiverListeners) listener(receiver);
    this.thumbs = new ThumbnailService({
      folder: config.folder,
      index: receiver.library,
      log: this.options.log,
      ...this.options.thumbnails,
    });
    this.hooks.started(receiver, this.thumbs);
  }

  private async stop(): Promise<void> {
    this.hooks.stopping();
    await this.thumbs.close();
    await this.receiverNow.close();
  }

  /**
   * Moves the library to `wanted` or starts fresh there; throws an AppApiError (and keeps a receiver running) on
   * failure.
   */
  async changeFolder(wanted: string, mode: 'move' | 'fresh'): Promise<void> {
    // Claimed before the first await: a second change (tray and window at once) is refused, not interleaved.
    if (this.switching)
      throw new AppApiError('BUSY', 'Shoebox is already changing its backup folder; try again when that is done.');
    let finish!: () => void;
    this.switching = new Promise<void>((resolve) => (finish = resolve));
    const setBusy = (message: string | null) => {
      this.busyWith = message;
      this.hooks.busy(message);
    };
    const { log, settings } = this.options;
    const from = this.config.folder;
    try {
      const target = await checkNewFolder(from, wanted, mode);
      setBusy(mode === 'move' ? `Moving the library to ${target}…` : `Switching to ${target}…`);
      const port = this.receiverNow.port;
      await this.stop();
      const here = { ...this.config, port };
      const next = { ...here, folder: target };
      if (mode === 'move') {
        let moved;
        let complete = false;
        try {
          moved = await moveLibrary(from, target, {
            onProgress: (message) => setBusy(message),
            // The library is whole at the target: remember it before any original goes.
            onComplete: async () => {
              complete = true;
              this.config = next;
              await settings.update({ folder: target });
            },
          });
        } catch (error) {
          log(`Moving the library failed: ${(error as Error).message}`);
          if (complete) {
            // The copy is whole at the target (and the originals were not touched yet): go on there.
            await this.startOn(next);
            throw new AppApiError(
              'MOVE_FAILED',
              `The library is in ${target} now, but Shoebox could not remember that (${(error as Error).message}); ` +
                `it may start on ${from} next time. Choose ${target} again then.`,
            );
          }
          await this.startOn(here);
          throw new AppApiError(
            'MOVE_FAILED',
            `Could not move the library to ${target}: ${(error as Error).message}. ` +
              `Nothing was lost: the library is still in ${from}. Free space or fix the problem, then try again.`,
          );
        }
        if (moved.leftBehind.length > 0)
          log(
            `The library moved to ${target}; ` +
              `these originals could not be deleted and can go: ${moved.leftBehind.join(', ')}`,
          );
        await this.startOn(next);
      } else {
        try {
          await this.startOn(next);
        } catch (error) {
          // Typically another Shoebox already uses that folder: go back to the one we had.
          log(`Starting on ${target} failed: ${(error as Error).message}`);
          await this.startOn(here);
          const code = error instanceof InstanceLockedError ? 'FOLDER_IN_USE' : 'BAD_FOLDER';
          throw new AppApiError(code, `${(error as Error).message} Shoebox keeps using ${from}.`);
        }
        this.config = next;
        await settings.update({ folder: target });
      }
      this.hooks.switched();
    } finally {
      this.switching = null;
      finish();
      setBusy(null);
    }
  }

  /** Waits for a folder change in progress, then closes the thumbnails and the receiver. */
  async close(): Promise<void> {
    await this.ready();
    await this.stop();
  }
}
