/**
 * The contract between the simulated system and an upload extension, after Apple's
 * PHBackgroundResourceUploadExtension (iOS 26.1) / PHBackgroundResourceUploadJobExtension (iOS 27).
 * Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import type { ResourceDescription } from './destination';
import type { JobChangeRequest } from './job-store';
import type { JobAction, UploadJob } from './job-types';
import type { KeyValueStorage } from './key-value-storage';

/** PHBackgroundResourceUploadProcessingResult */
export type ProcessingResult = 'completed' | 'processing' | 'failure';

/** What the app's extension implements. */
export interface BackgroundUploadExtension {
  /** process() / processJobs(): create, acknowledge, retry, cancel jobs; called again while work remains. */
  process(): Promise<ProcessingResult>;
  /** notifyTermination() / willTerminate(): stop now; a new instance is started later. */
  notifyTermination(): void;
}

/**
 * The photo library as one extension process sees it. After termination every call fails with
 * PhotosError operationInterrupted: the process is gone.
 */
export interface ExtensionPhotoLibrary {
  /** PHAssetResourceUploadJob.jobLimit */
  readonly jobLimit: number;
  /** PHAssetResourceUploadJob.fetchJobs(action:options:) */
  fetchJobs(action: JobAction): UploadJob[];
  /** PHPhotoLibrary.performChanges with PHAssetResourceUploadJobChangeRequest calls; atomic. */
  performChanges(block: (request: JobChangeRequest) => void): Promise<void>;
  /** The asset resources in the library (PHAsset + PHAssetResource.assetResources(for:)). */
  resources(): SourceInfo[];
  /** Reads a resource's digest, type and date (PHAssetResourceManager). */
  describe(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>): Promise<ResourceDescription>;
}

export interface ExtensionEnvironment {
  library: ExtensionPhotoLibrary;
  /** The extension's container (app group): survives termination and relaunch. */
  container: KeyValueStorage<unknown>;
  /** 1 for the first process started in this run, 2 after the first relaunch, ... */
  launch: number;
  /** A line for the timeline (os_log). */
  log(message: string): void;
}

export type ExtensionFactory = (environment: ExtensionEnvironment) => BackgroundUploadExtension;
