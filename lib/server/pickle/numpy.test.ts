// SPDX-License-Identifier: Apache-2.0
// numpy arrays of every supported dtype and memory order, as numpy, pickle (protocols 0-5) and
// joblib wrote them: cluster/models/fixtures/sklearn-numpy-dtypes, values checked against what
// numpy's own tolist() gave (expected.json).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { loadPickle } from './load.js';
import { NdArray } from './numpy/ndarray.js';
import { isTuple } from './python.js';

const folder = fromRoot('cluster', 'models', 'fixtures', 'sklearn-numpy-dtypes');
const expected = JSON.parse(readFileSync(`${folder}/expected.json`, 'utf8')) as {
  files: string[];
  arrays: Record<string, { dtype?: string; shape?: number[]; values?: unknown; scalar?: unknown }>;
};

/** numpy's nested tolist() flattened to C order, the order NdArray.values() uses. */
function flat(values: unknown): unknown[] {
  return Array.isArray(values) ? values.flatMap(flat) : [values];
}

describe.each(expected.files)('%s', (file) => {
  const arrays = loadPickle(readFileSync(`${folder}/${file}`)) as Map<string, unknown>;

  it('is a dict of every array', () => {
    expect(arrays).toBeInstanceOf(Map);
    expect([...arrays.keys()].sort()).toEqual(Object.keys(expected.arrays).sort());
  });

  const plainArrays = Object.entries(expected.arrays).filter(([, e]) => e.dtype && !e.dtype.startsWith('|V'));
  it.each(plainArrays)('%s has numpy\'s dtype, shape and values', (name, want) => {
    const array = arrays.get(name) as NdArray;
    expect(array).toBeInstanceOf(NdArray);
    expect(array.dtype.str).toBe(want.dtype);
    expect(array.shape).toEqual(want.shape);
    expect(array.values()).toEqual(flat(want.values));
  });

  it('reads a structured (record) array one field at a time', () => {
    const records = arrays.get('records') as NdArray;
    const want = expected.arrays.records.values as Record<string, number[]>;
    expect(records.dtype.str).toBe('|V17');
    expect(records.dtype.fields?.map((f) => [f.name, f.dtype.str, f.offset])).toEqual([
      ['a', '<i8', 0],
      ['b', '<f8', 8],
      ['c', '|u1', 16],
    ]);
    for (const [field, values] of Object.entries(want)) expect(records.field(field).values()).toEqual(values);
  });

  it('turns numpy scalars into plain values', () => {
    expect(arrays.get('scalar_f8')).toBe(2.5);
    expect(arrays.get('scalar_i8')).toBe(-3);
    expect(arrays.get('scalar_bool')).toBe(true);
  });

  it('reads plain Python data: lists, tuples, bytes, big ints, sets', () => {
    const plain = arrays.get('plain') as Map<string, unknown>;
    const want = expected.arrays.plain as Record<string, unknown>;
    expect(plain.get('list')).toEqual(want.list);
    expect(isTuple(plain.get('tuple'))).toBe(true);
    expect(plain.get('tuple')).toEqual(want.tuple);
    expect(plain.get('bytes')).toEqual(Uint8Array.from(want.bytes as number[]));
    expect(plain.get('big')).toBe(BigInt(want.big as string));
    expect(plain.get('negative_big')).toBe(BigInt(want.negative_big as string));
    expect(plain.get('set')).toEqual(new Set(want.set as number[]));
  });
});
