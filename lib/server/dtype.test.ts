// SPDX-License-Identifier: Apache-2.0
// numpy dtypes on JavaScript arrays: marks survive, stay invisible to JSON, and inference reads
// a list the way np.array reads a Python list.
import { describe, expect, it } from 'vitest';
import { asFloats, inferDType, isNumericDType, markedDType, withDType } from './dtype.js';

describe('dtype marks', () => {
  it('are invisible to JSON, keys and equality, and readable by the server', () => {
    const out = asFloats([[1, 0]]);
    expect(JSON.stringify(out)).toBe('[[1,0]]');
    expect(Object.keys(out)).toEqual(['0']);
    expect(out).toEqual([[1, 0]]);
    expect(markedDType(out)).toBe('float64');
    expect(markedDType(withDType(out, 'int64'))).toBe('int64');
    expect(markedDType([1])).toBeUndefined();
  });
});

describe('inferDType', () => {
  it('reads a list like np.array does', () => {
    expect(inferDType([[1, 2], [3, 4]])).toBe('int64');
    expect(inferDType([[1, 2.5]])).toBe('float64');
    expect(inferDType([NaN])).toBe('float64');
    expect(inferDType([true, false])).toBe('bool');
    expect(inferDType(['a', 'b'])).toBe('str');
    expect(inferDType([1, 'a'])).toBe('object');
    expect(inferDType([1, null])).toBe('object');
    expect(inferDType([])).toBe('float64');
    expect(inferDType([asFloats([1]), [2]])).toBe('float64');
  });

  it('says which dtypes are numbers (np.issubdtype(dtype, np.number))', () => {
    expect(['float32', 'int8', 'uint64'].every((d) => isNumericDType(d as never))).toBe(true);
    expect(['bool', 'str', 'object'].some((d) => isNumericDType(d as never))).toBe(false);
  });
});
