/**
 * The reference extension on PHBackgroundResourceUploadJobExtension, the protocol iOS 27 adds beside
 * the old one (developer.apple.com: `func processJobs() async -> PHBackgroundResourceUploadProcessingResult`,
 * `func willTerminate() async`, iOS 27.0+). Same logic as on the old protocol (backup-extension.ts);
 * willTerminate() stops it at its next step, and returns once the container holds what it wrote.
 * Node and browser.
 */
import type { BackgroundUploadJobExtension, ProcessingResult } from './extension-types';

/** The backup logic both protocols share (ShoeboxBackup in backup-extension.ts). */
export interface BackupRun {
  run(): Promise<ProcessingResult>;
  /** Stop at the next step. */
  stop(): void;
}

export class ShoeboxBackupJobExtension implements BackgroundUploadJobExtension {
  readonly protocol = 'PHBackgroundResourceUploadJobExtension' as const;
  readonly #backup: BackupRun;

  constructor(backup: BackupRun) {
    this.#backup = backup;
  }

  processJobs(): Promise<ProcessingResult> {
    return this.#backup.run();
  }

  async willTerminate(): Promise<void> {
    this.#backup.stop();
  }
}
