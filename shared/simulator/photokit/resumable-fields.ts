/**
 * Request fields of "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload) in the interop
 * versions URLSession speaks: 3 (iOS 17, Upload-Incomplete), 5 (iOS 18.0) and 6 (iOS 18.1+,
 * Upload-Complete, PATCH bodies typed application/partial-upload). Node and browser.
 */

export const INTEROP_VERSIONS = [3, 5, 6] as const;
export type InteropVersion = (typeof INTEROP_VERSIONS)[number];
export const DEFAULT_INTEROP_VERSION: InteropVersion = 6;

export function isInteropVersion(value: number): value is InteropVersion {
  return (INTEROP_VERSIONS as readonly number[]).includes(value);
}

/** The fields of a creation request (POST/PUT) carrying `complete` or only a first part. */
export function creationFields(version: InteropVersion, complete: boolean): Record<string, string> {
  const fields: Record<string, string> = { 'upload-draft-interop-version': String(version) };
  if (version === 3) fields['upload-incomplete'] = complete ? '?0' : '?1';
  else fields['upload-complete'] = complete ? '?1' : '?0';
  return fields;
}

/** The fields of a PATCH appending at `offset`. */
export function appendFields(version: InteropVersion, offset: number, complete: boolean): Record<string, string> {
  return {
    ...creationFields(version, complete),
    'upload-offset': String(offset),
    ...(version === 6 ? { 'content-type': 'application/partial-upload' } : {}),
  };
}

/** Whether an answer says the upload is complete, in the version's spelling; undefined when it does not say. */
export function answeredComplete(version: InteropVersion, headers: Readonly<Record<string, string>>): boolean | undefined {
  const value = version === 3 ? headers['upload-incomplete'] : headers['upload-complete'];
  if (value === undefined) return undefined;
  return version === 3 ? value.trim() === '?0' : value.trim() === '?1';
}

/** Upload-Offset as a number; undefined when absent or malformed. */
export function uploadOffset(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['upload-offset']?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
