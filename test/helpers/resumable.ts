/**
 * Request fields of the resumable-upload draft per interop version, as URLSession sends them (from the
 * shared table, shared/protocol/resumable-interop.ts). Resumption requests (HEAD, PATCH, DELETE) carry
 * no credentials unless a test passes a token: the upload resource's URL is the capability.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import {
  completeField,
  interopSpec,
  INTEROP_VERSIONS,
  PARTIAL_UPLOAD_TYPE,
  statesComplete,
  type InteropVersion,
} from '../../shared/protocol';
import type { Fixture } from './receiver-fixture';
import { pathOf, send, type Answer } from './photokit-http';

export const VERSIONS = INTEROP_VERSIONS;
export type Version = InteropVersion;

/** Upload-Complete (or, in version 3, Upload-Incomplete), with the interop version. */
export function completeFields(version: Version, complete: boolean): Record<string, string> {
  return { 'upload-draft-interop-version': String(version), ...completeField(version, complete) };
}

export function patchFields(version: Version, offset: number, complete: boolean): Record<string, string> {
  return {
    ...completeFields(version, complete),
    'upload-offset': String(offset),
    ...(interopSpec(version).partialUploadType ? { 'content-type': PARTIAL_UPLOAD_TYPE } : {}),
  };
}

/** The completeness an answer states, in the version's spelling. */
export function answeredComplete(version: Version, answer: Pick<Answer, 'headers'>): boolean | undefined {
  return statesComplete(version, answer.headers);
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function credentials(token: string | null): Record<string, string> {
  return token === null ? {} : auth(token);
}

/** HEAD as iOS sends it (no token); pass a token to send Authorization anyway. */
export async function head(
  fx: Fixture,
  location: string,
  version: Version,
  token: string | null = null,
): Promise<Answer> {
  return send(fx.receiver.url, 'HEAD', pathOf(location), {
    ...credentials(token),
    'upload-draft-interop-version': String(version),
  });
}

/** PATCH as iOS sends it (no token); pass a token to send Authorization anyway. */
export async function patch(
  fx: Fixture,
  location: string,
  version: Version,
  offset: number,
  body: Uint8Array,
  complete = true,
  token: string | null = null,
): Promise<Answer> {
  return send(
    fx.receiver.url,
    'PATCH',
    pathOf(location),
    { ...credentials(token), ...patchFields(version, offset, complete) },
    body,
  );
}

/** Asserts a final upload answer and that the stored file holds exactly `bytes`. */
export function expectStored(fx: Fixture, answer: Answer, bytes: Uint8Array, version: Version): string {
  expect(answer.status, answer.text).toBe(201);
  expect(answeredComplete(version, answer)).toBe(true);
  const stored = decodeURIComponent(String(answer.headers['shoebox-path']));
  expect(readFileSync(path.join(fx.folder, stored)).equals(Buffer.from(bytes))).toBe(true);
  return stored;
}

/** Distinct test content per label (so uploads never dedupe against each other). */
export function content(label: string, size: number): Buffer {
  const seed = Buffer.from(label);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) out[i] = (seed[i % seed.length]! * 31 + i * 131 + (i >> 8)) & 0xff;
  seed.copy(out, 0, 0, Math.min(seed.length, size));
  return out;
}
