/**
 * What a failed job's `error` looks like to the extension (iOS 26.4+). Apple's page for
 * PHAssetResourceUploadJob.error: "The error provided is sanitized and may not be the actual error
 * returned from URLResponse." So the extension sees an NSError-like value, a URLError for anything on
 * the network, never the HTTP status nor the receiver's Shoebox-Error code; those stay in the
 * system's own JobRecord (timeline and summary). Apple does not document the exact mapping; this one
 * follows URLSession's own codes:
 * - a final non-2xx answer (the transport sets `status`): badServerResponse (-1011), a 401
 *   userAuthenticationRequired (-1013), the two cases Apple's own sample code checks for;
 * - `timedOut`: timedOut (-1001); `cannotConnect`: cannotConnectToHost (-1004);
 * - `networkError` (connection lost, URLSession gave up) and any other code without a status:
 *   networkConnectionLost (-1005);
 * - the resource could not be read (`invalidResource` / `missingResource`, the system's own failure):
 *   PHPhotosError invalidResource (3302) / missingResource (3303), the codes PhotosTypes.h gives them.
 * Node and browser.
 */

/** Why a job failed, as the system records it (the extension sees only sanitizeJobError's result). */
export interface JobError {
  /** The receiver's Shoebox-Error code, or networkError, invalidResource, ... */
  code: string;
  message: string;
  /** HTTP status of the final answer, when there was one. */
  status?: number;
  /** Worth one retry(destination:): a network failure, or an answer that carried Retry-After. */
  retryable: boolean;
}

export type URLErrorName =
  'badServerResponse' | 'userAuthenticationRequired' | 'timedOut' | 'cannotConnectToHost' | 'networkConnectionLost';
export type PhotosErrorDomainName = 'invalidResource' | 'missingResource';

/** An NSError as the extension sees it: domain, numeric code and the Swift case name. */
export type SanitizedError =
  | { domain: 'NSURLErrorDomain'; code: number; name: URLErrorName }
  | { domain: 'PHPhotosErrorDomain'; code: number; name: PhotosErrorDomainName };

export const URL_ERROR_CODES: Record<URLErrorName, number> = {
  badServerResponse: -1011,
  userAuthenticationRequired: -1013,
  timedOut: -1001,
  cannotConnectToHost: -1004,
  networkConnectionLost: -1005,
};

const PHOTOS_ERROR_CODES: Record<PhotosErrorDomainName, number> = { invalidResource: 3302, missingResource: 3303 };

/** The JobError codes a transport reports without a final answer, and the URLError each becomes. */
const NETWORK_CODES: Readonly<Record<string, URLErrorName>> = {
  networkError: 'networkConnectionLost',
  timedOut: 'timedOut',
  cannotConnect: 'cannotConnectToHost',
};

function urlError(name: URLErrorName): SanitizedError {
  return { domain: 'NSURLErrorDomain', code: URL_ERROR_CODES[name], name };
}

/** The error the extension sees for a job that failed with `error` (the system's full record). */
export function sanitizeJobError(error: JobError): SanitizedError {
  if (error.status !== undefined)
    return urlError(error.status === 401 ? 'userAuthenticationRequired' : 'badServerResponse');
  if (error.code === 'invalidResource' || error.code === 'missingResource') {
    return { domain: 'PHPhotosErrorDomain', code: PHOTOS_ERROR_CODES[error.code], name: error.code };
  }
  return urlError(NETWORK_CODES[error.code] ?? 'networkConnectionLost');
}

/** Connection-level trouble (worth trying again later), as opposed to an answer or an unreadable resource. */
export function isNetworkFailure(error: SanitizedError): boolean {
  return (
    error.domain === 'NSURLErrorDomain' &&
    error.name !== 'badServerResponse' &&
    error.name !== 'userAuthenticationRequired'
  );
}
