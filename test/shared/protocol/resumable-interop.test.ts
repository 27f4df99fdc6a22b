/**
 * The interop table pinned against the draft's change log, literally (the conformance suite derives its
 * expectations from the table, so the table itself is checked here against what each revision says).
 */
import { describe, expect, it } from 'vitest';
import {
  completeField,
  interopSpec,
  INTEROP_VERSIONS,
  IOS26_INTEROP,
  isInteropVersion,
  limitValue,
  statesComplete,
} from '../../../shared/protocol';

// version: [complete field, Upload-Length, Upload-Limit age key, partial-upload type, problem types, incomplete append,
// append to complete, GET]
const DRAFT = {
  3: ['upload-incomplete', false, null, false, '', 201, 'refuse', false], // -01
  // -02: Upload-Complete replaces Upload-Incomplete
  4: ['upload-complete', false, null, false, '', 201, 'refuse', false],
  5: ['upload-complete', false, null, false, '', 201, 'refuse', false], // -03: HEAD may answer 200
  6: ['upload-complete', true, 'expires', true, 'mismatchingOffset completedUpload', 201, 'refuse', false], // -04/-05
  7: [
    'upload-complete',
    true,
    'max-age',
    true,
    'mismatchingOffset completedUpload inconsistentLength',
    204,
    'refuse',
    false,
  ], // -06: expires -> max-age
  8: [
    'upload-complete',
    true,
    'max-age',
    true,
    'mismatchingOffset completedUpload inconsistentLength',
    204,
    'gone',
    false,
  ], // -09..-11: 410 on empty append
  // -12: completed-upload removed, GET
  9: ['upload-complete', true, 'max-age', true, 'mismatchingOffset inconsistentLength', 204, 'replay', true],
} as const;

describe('the interop table', () => {
  it('covers 3 to 9, and iOS 26 speaks 8', () => {
    expect([...INTEROP_VERSIONS]).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(IOS26_INTEROP).toBe(8);
    expect(isInteropVersion(10)).toBe(false);
    expect(isInteropVersion(2)).toBe(false);
  });

  it.each(INTEROP_VERSIONS)('version %i matches its draft revision', (version) => {
    const [field, length, ageKey, partial, problems, appendStatus, toComplete, byGet] = DRAFT[version];
    const spec = interopSpec(version);
    expect(spec.completeField).toBe(field);
    expect(spec.uploadLength).toBe(length);
    expect(spec.limit?.ageKey ?? null).toBe(ageKey);
    expect(spec.partialUploadType).toBe(partial);
    expect(spec.problems.join(' ')).toBe(problems);
    expect(spec.incompleteAppendStatus).toBe(appendStatus);
    expect(spec.appendToComplete).toBe(toComplete);
    expect(spec.offsetByGet).toBe(byGet);
  });

  it('spells completeness per version, both ways', () => {
    expect(completeField(3, true)).toEqual({ 'upload-incomplete': '?0' });
    expect(completeField(8, true)).toEqual({ 'upload-complete': '?1' });
    expect(statesComplete(3, { 'upload-incomplete': '?1' })).toBe(false);
    expect(statesComplete(8, { 'upload-complete': '?1' })).toBe(true);
    expect(statesComplete(8, { 'upload-incomplete': '?0' })).toBeUndefined();
  });

  it("writes Upload-Limit with the version's age key", () => {
    expect(limitValue(5, 100, 60)).toBeNull();
    expect(limitValue(6, 100, 60.9)).toBe('max-size=100, expires=60');
    expect(limitValue(8, 100, 60)).toBe('max-size=100, max-age=60');
    expect(limitValue(9, 100)).toBe('max-size=100');
  });
});
