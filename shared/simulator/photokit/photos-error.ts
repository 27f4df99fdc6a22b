/** PHPhotosError, as far as the simulated job store raises it. Node and browser. */

export type PhotosErrorCode =
  /** Creating jobs would pass jobLimit unacknowledged jobs (PHPhotosError.limitExceeded). */
  | 'limitExceeded'
  /** The change does not apply to the job in its state (acknowledging a pending job, a second retry, ...). */
  | 'changeNotSupported'
  /** No job with that local identifier. */
  | 'identifierNotFound'
  /** The extension was terminated: its calls into the photo library fail from then on. */
  | 'operationInterrupted'
  /**
   * A job was created for a resource that is no longer in the library (deleted meanwhile): the whole
   * change block fails (PHPhotosError.missingResource, "a missing asset resource"; Apple does not say
   * which code a job creation raises, this is the closest documented one).
   */
  | 'missingResource'
  /** The resource cannot be read (PHPhotosError.invalidResource, "the asset resource validation failed"). */
  | 'invalidResource';

export class PhotosError extends Error {
  override readonly name = 'PhotosError';
  constructor(
    readonly code: PhotosErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isPhotosError(error: unknown, code?: PhotosErrorCode): error is PhotosError {
  return error instanceof PhotosError && (code === undefined || error.code === code);
}
