/**
 * Request fields of "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload) as URLSession
 * sends them, per interop version (shared/protocol/resumable-interop.ts): 3 (iOS 17, Upload-Incomplete),
 * 5 (iOS 18.0), 6 (iOS 18.1+, application/partial-upload), 8 (iOS 26: Upload-Complete: ?1 with
 * Upload-Length). Resumption requests carry these fields only, never the app's headers. Node and browser.
 */
import {
  completeField,
  interopSpec,
  INTEROP_VERSIONS,
  IOS26_INTEROP,
  isInteropVersion,
  PARTIAL_UPLOAD_TYPE,
  statesComplete,
  UPLOAD_HEADER,
  type InteropVersion,
} from '../../protocol/resumable-interop';

export { INTEROP_VERSIONS, isInteropVersion, type InteropVersion };
export const DEFAULT_INTEROP_VERSION: InteropVersion = IOS26_INTEROP;

/** The fields of HEAD and OPTIONS: the interop version alone. */
export function headFields(version: InteropVersion): Record<string, string> {
  return { [UPLOAD_HEADER.version]: String(version) };
}

/** The fields of a creation request (POST/PUT): completeness and, where the version has it, Upload-Length. */
export function creationFields(
  version: InteropVersion,
  body: { complete: boolean; length?: number },
): Record<string, string> {
  return {
    ...headFields(version),
    ...completeField(version, body.complete),
    ...(interopSpec(version).uploadLength && body.length !== undefined
      ? { [UPLOAD_HEADER.length]: String(body.length) }
      : {}),
  };
}

/** The fields of a PATCH appending at `offset`. */
export function appendFields(version: InteropVersion, offset: number, complete: boolean): Record<string, string> {
  return {
    ...headFields(version),
    ...completeField(version, complete),
    [UPLOAD_HEADER.offset]: String(offset),
    ...(interopSpec(version).partialUploadType ? { 'content-type': PARTIAL_UPLOAD_TYPE } : {}),
  };
}

/** Whether an answer says the upload is complete, in the version's spelling; undefined when it does not say. */
export function answeredComplete(
  version: InteropVersion,
  headers: Readonly<Record<string, string>>,
): boolean | undefined {
  return statesComplete(version, headers);
}

/** Upload-Offset as a number; undefined when absent or malformed. */
export function uploadOffset(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers[UPLOAD_HEADER.offset]?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
