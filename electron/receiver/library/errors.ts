/** Errors the library index throws. Each carries a stable `code` for the layers above to map. */
import type { StoredResource } from './types';

/** The index was closed: nothing can be read or written through this instance any more. */
export class LibraryClosedError extends Error {
  readonly code = 'LIBRARY_CLOSED';
  constructor(operation: string) {
    super(`The library index is closed; ${operation} was refused. Open it again to continue.`);
    this.name = 'LibraryClosedError';
  }
}

/**
 * A change could not be made durable (journal append or fsync failed). The instance refuses every
 * later change: what is on disk after a failed fsync is unknown, so it must be reopened (which replays
 * or rebuilds from the folder).
 */
export class LibraryDurabilityError extends Error {
  readonly code = 'LIBRARY_NOT_DURABLE';
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'LibraryDurabilityError';
  }
}

/** The record given to addResource is malformed (bad hash, unsafe path, wrong date format, ...). */
export class LibraryValidationError extends Error {
  readonly code = 'LIBRARY_BAD_RECORD';
  constructor(message: string) {
    super(message);
    this.name = 'LibraryValidationError';
  }
}

/** The same bytes are already recorded at another path: the library stores each content once. */
export class LibraryConflictError extends Error {
  readonly code = 'LIBRARY_DUPLICATE_CONTENT';
  constructor(
    message: string,
    /** The record that holds these bytes (durable by the time this error is thrown). */
    readonly existing: StoredResource,
  ) {
    super(message);
    this.name = 'LibraryConflictError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error)
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `code` is as thrown; String() it
    return `${error.message}${'code' in error && error.code ? ` (${String(error.code)})` : ''}`;
  return String(error);
}
