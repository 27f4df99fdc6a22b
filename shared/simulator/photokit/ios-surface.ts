/**
 * Which iOS the simulated phone runs, and what of the PhotoKit background upload API that iOS offers.
 * Availability as developer.apple.com lists it per symbol (see docs/IOS-EXTENSION.md):
 * - 26.1: the extension point, PHBackgroundResourceUploadExtension (process(), notifyTermination()),
 *   PHAssetResourceUploadJob (state, destination, resource, jobLimit, fetchJobs(.acknowledge / .retry)),
 *   the change request's createJob(destination:resource:), acknowledge(), retry(destination:);
 * - 26.4: responseHeaderFields and error on a job (set for failed jobs too), cancel(),
 *   creationRequestForJob(destination:resource:) (which deprecates createJob);
 * - 26.5: fetchJobs(action: .process) (registered and pending jobs);
 * - 27: PHBackgroundResourceUploadJobExtension (processJobs() async, willTerminate() async), a new
 *   protocol beside the old one, which iOS 27 deprecates; job.resource deprecated (Apple's page lists
 *   it as deprecated from 27.2; PHAssetResource.assetResource(forUploadJob:) is the iOS 27 way).
 * Calling an API the phone's iOS lacks throws ApiUnavailableError: in Swift the call would not compile
 * without `if #available`, so an extension that supports older iOS branches on `environment.ios`.
 * Node and browser.
 */

export const IOS_VERSIONS = ['26.1', '26.4', '26.5', '27'] as const;
export type IosVersion = (typeof IOS_VERSIONS)[number];

/** The oldest iOS an extension must support, and the strictest surface: the default. */
export const DEFAULT_IOS: IosVersion = '26.1';

export function isIosVersion(value: unknown): value is IosVersion {
  return typeof value === 'string' && (IOS_VERSIONS as readonly string[]).includes(value);
}

/** `ios` is `minimum` or newer. */
export function iosAtLeast(ios: IosVersion, minimum: IosVersion): boolean {
  return IOS_VERSIONS.indexOf(ios) >= IOS_VERSIONS.indexOf(minimum);
}

/** The APIs whose availability differs between the simulated versions, and the iOS that introduced each. */
export const API_INTRODUCED = {
  'PHAssetResourceUploadJob.responseHeaderFields': '26.4',
  'PHAssetResourceUploadJob.error': '26.4',
  'PHAssetResourceUploadJobChangeRequest.cancel()': '26.4',
  'PHAssetResourceUploadJobChangeRequest.creationRequestForJob(destination:resource:)': '26.4',
  'PHAssetResourceUploadJob.fetchJobs(action: .process)': '26.5',
  PHBackgroundResourceUploadJobExtension: '27',
} as const satisfies Record<string, IosVersion>;

export type VersionedApi = keyof typeof API_INTRODUCED;

/** APIs still callable but deprecated, and the iOS that deprecated them (the timeline notes each use). */
export const API_DEPRECATED = {
  'PHAssetResourceUploadJobChangeRequest.createJob(destination:resource:)': '26.4',
  'PHAssetResourceUploadJob.resource': '27',
  PHBackgroundResourceUploadExtension: '27',
} as const satisfies Record<string, IosVersion>;

export type DeprecatedApi = keyof typeof API_DEPRECATED;

export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError';
  constructor(
    readonly api: VersionedApi,
    readonly ios: IosVersion,
  ) {
    const introduced = API_INTRODUCED[api];
    super(
      `${api} is introduced in iOS ${introduced}; this phone runs iOS ${ios} ` +
        `(guard the call with \`if #available(iOS ${introduced}, *)\`)`,
    );
  }
}

export function isAvailable(ios: IosVersion, api: VersionedApi): boolean {
  return iosAtLeast(ios, API_INTRODUCED[api]);
}

/** Throws ApiUnavailableError unless `ios` has `api`. */
export function requireApi(ios: IosVersion, api: VersionedApi): void {
  if (!isAvailable(ios, api)) throw new ApiUnavailableError(api, ios);
}

export function isDeprecated(ios: IosVersion, api: DeprecatedApi): boolean {
  return iosAtLeast(ios, API_DEPRECATED[api]);
}
