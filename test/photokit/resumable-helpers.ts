/** Request fields of the resumable-upload draft per interop version, as URLSession sends them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Fixture } from '../helpers/receiver-fixture';
import { pathOf, send, type Answer } from './http-client';

export const VERSIONS = [3, 5, 6] as const;
export type Version = (typeof VERSIONS)[number];

/** Upload-Complete (5, 6) or Upload-Incomplete (3), with the interop version. */
export function completeFields(version: Version, complete: boolean): Record<string, string> {
  const field: Record<string, string> = version === 3 ? { 'upload-incomplete': complete ? '?0' : '?1' } : { 'upload-complete': complete ? '?1' : '?0' };
  return { 'upload-draft-interop-version': String(version), ...field };
}

export function patchFields(version: Version, offset: number, complete: boolean): Record<string, string> {
  return { ...completeFields(version, complete), 'upload-offset': String(offset), ...(version === 6 ? { 'content-type': 'application/partial-upload' } : {}) };
}

/** The completeness an answer states, in the version's spelling. */
export function answeredComplete(version: Version, answer: Pick<Answer, 'headers'>): boolean | undefined {
  const value = version === 3 ? answer.headers['upload-incomplete'] : answer.headers['upload-complete'];
  if (value === undefined) return undefined;
  return version === 3 ? value === '?0' : value === '?1';
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export async function head(fx: Fixture, location: string, token: string, version: Version): Promise<Answer> {
  return send(fx.receiver.url, 'HEAD', pathOf(location), { ...auth(token), 'upload-draft-interop-version': String(version) });
}

export async function patch(fx: Fixture, location: string, token: string, version: Version, offset: number, body: Uint8Array, complete = true): Promise<Answer> {
  return send(fx.receiver.url, 'PATCH', pathOf(location), { ...auth(token), ...patchFields(version, offset, complete) }, body);
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
