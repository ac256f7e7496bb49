// SPDX-License-Identifier: Apache-2.0
// Shapes, reshaping and flattening of nested arrays, as numpy does them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatten, product, reshape, resolveShape, ShapeError, shapeOf } from './ndarray.js';

describe('resolveShape', () => {
  it('accepts a shape that fits, and infers one -1', () => {
    expect(resolveShape([2, 3], 6, 's')).toEqual([2, 3]);
    expect(resolveShape([-1, 4], 8, 's')).toEqual([2, 4]);
    expect(resolveShape([], 1, 's')).toEqual([]);
  });

  it('refuses shapes that do not fit, with the numbers', () => {
    expect(() => resolveShape([2, 2], 3, 's')).toThrow('s [2,2] needs 4 values but 3 were sent');
    expect(() => resolveShape([-1, 3], 4, 's')).toThrow('s [-1,3] cannot hold 4 values');
    expect(() => resolveShape([1.5], 1, 's')).toThrow(ShapeError);
    expect(() => resolveShape('2x2', 4, 's')).toThrow(/must be a list/);
    expect(() => resolveShape(new Array(40).fill(1), 1, 's')).toThrow(/at most 32/);
  });
});

describe('reshape, shapeOf and flatten', () => {
  it('reshape row-major, and undo each other (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (shape) => {
        const values = Array.from({ length: product(shape) }, (_, i) => i);
        const nested = reshape(values, shape);
        expect(shapeOf(nested)).toEqual(shape);
        expect(flatten(nested)).toEqual(values);
      }),
    );
    expect(reshape([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('handles empty dimensions without building huge empty structures', () => {
    expect(reshape([], [3, 0])).toEqual([[], [], []]);
    expect(reshape([], [0, 5])).toEqual([]);
    expect(() => reshape([], [1e9, 0])).toThrow(ShapeError);
  });

  it('sees ragged rows as having no shape, as numpy does', () => {
    expect(shapeOf([[1, 2], [3]])).toBeUndefined();
    expect(shapeOf([[1, 2], 3])).toBeUndefined();
    expect(shapeOf([])).toEqual([0]);
    expect(shapeOf(5)).toEqual([]);
  });
});
