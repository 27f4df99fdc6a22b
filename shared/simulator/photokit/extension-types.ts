/**
 * The contract between the simulated system and an upload extension. Two protocols, as on iOS 27:
 * - PHBackgroundResourceUploadExtension (iOS 26.1+, deprecated in 27): process() and notifyTermination();
 * - PHBackgroundResourceUploadJobExtension (iOS 27+, a new protocol beside the old one, not a rename):
 *   `func processJobs() async -> PHBackgroundResourceUploadProcessingResult` and `func willTerminate() async`.
 * An extension says which one it implements (`protocol`); the host refuses the new one before iOS 27.
 * process() is synchronous in Swift; here it returns a promise because the simulated photo library and
 * container are asynchronous. Node and browser.
 */
import type { SourceInfo } from '../upload-source';
import type { ResourceDescription } from './destination';
import type { IosVersion } from './ios-surface';
import type { JobChangeRequest } from './job-store';
import type { JobAction, UploadJob } from './job-types';
import type { KeyValueStorage } from './key-value-storage';

/** PHBackgroundResourceUploadProcessingResult */
export type ProcessingResult = 'completed' | 'processing' | 'failure';

export type ExtensionProtocol = 'PHBackgroundResourceUploadExtension' | 'PHBackgroundResourceUploadJobExtension';

/** PHBackgroundResourceUploadExtension (iOS 26.1+). */
export interface BackgroundUploadExtension {
  readonly protocol: 'PHBackgroundResourceUploadExtension';
  /** process(): create, acknowledge, retry, cancel jobs; called again while work remains. */
  process(): Promise<ProcessingResult>;
  /** notifyTermination(): stop now; a new instance is started later. */
  notifyTermination(): void;
}

/** PHBackgroundResourceUploadJobExtension (iOS 27+). */
export interface BackgroundUploadJobExtension {
  readonly protocol: 'PHBackgroundResourceUploadJobExtension';
  /** processJobs() async */
  processJobs(): Promise<ProcessingResult>;
  /** willTerminate() async: called before the process is suspended or ended; stop in-progress work. */
  willTerminate(): Promise<void>;
}

export type UploadExtension = BackgroundUploadExtension | BackgroundUploadJobExtension;

/**
 * The photo library as one extension process sees it, on the phone's iOS. After termination every call
 * fails with PhotosError operationInterrupted: the process is gone.
 */
export interface ExtensionPhotoLibrary {
  /** PHAssetResourceUploadJob.jobLimit */
  readonly jobLimit: number;
  /**
   * PHAssetResourceUploadJob.fetchJobs(action:options:). `.process` exists from iOS 26.5 (throws
   * ApiUnavailableError before). Every job returned for `.acknowledge` or `.retry` is presented: it must
   * be acknowledged or retried before this process() call returns, or the system backs the extension off.
   */
  fetchJobs(action: JobAction): UploadJob[];
  /**
   * PHPhotoLibrary.performChanges with PHAssetResourceUploadJobChangeRequest calls; atomic. Fails with
   * PhotosError limitExceeded, changeNotSupported, identifierNotFound, missingResource (a job for a
   * resource no longer in the library), or ApiUnavailableError for a call this iOS lacks.
   */
  performChanges(block: (request: JobChangeRequest) => void): Promise<void>;
  /** The asset resources in the library (PHAsset + PHAssetResource.assetResources(for:)). */
  resources(): SourceInfo[];
  /**
   * Reads a resource's digest, type and date (PHAssetResourceManager). An "Optimize iPhone Storage"
   * original is downloaded first, which takes time inside process(); `signal` abandons it.
   */
  describe(resource: Pick<SourceInfo, 'assetId' | 'resourceType'>, signal?: AbortSignal): Promise<ResourceDescription>;
}

export interface ExtensionEnvironment {
  /** The phone's iOS: what an extension checks with `if #available`. */
  ios: IosVersion;
  library: ExtensionPhotoLibrary;
  /** The extension's container (app group): survives termination and relaunch. */
  container: KeyValueStorage<unknown>;
  /** 1 for the first process started in this run, 2 after the first relaunch, ... */
  launch: number;
  /** Wall-clock ms (Date.now() on a real clock): for the extension's own time budget and back-offs. */
  now(): number;
  /** Resolves after `ms` (Task.sleep); rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A line for the timeline (os_log). */
  log(message: string): void;
}

export type ExtensionFactory = (environment: ExtensionEnvironment) => UploadExtension;
