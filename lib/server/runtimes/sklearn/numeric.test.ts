// SPDX-License-Identifier: Apache-2.0
// The summation orders of numeric.ts. Values are chosen so that a different order gives a
// different double, so these tests fail if the order changes.

import { describe, expect, it } from 'vitest';
import { argmax, dot, expit, numpySum, softmax } from './numeric.js';

describe('numpySum (numpy pairwise summation)', () => {
  it('adds fewer than 8 values left to right', () => {
    // (1e16 + 1) + 1 loses both ones; 1e16 + (1 + 1) would keep them.
    expect(numpySum([1e16, 1, 1])).toBe(1e16);
    expect(numpySum([1, 1, 1e16])).toBe(1e16 + 2);
  });

  it('uses 8 interleaved partial sums from 8 to 128 values', () => {
    // Left to right, each 1 after 1e16 is lost. Pairwise, the eight 1s in the partial sums r1..r7
    // and r0 meet first: r0 = 1e16 + 1 (lost), r1..r7 = 1 + 1 = 2 each, sum 14 survives.
    const values = [1e16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    let leftToRight = 0;
    for (const v of values) leftToRight += v;
    expect(leftToRight).toBe(1e16);
    expect(numpySum(values)).toBe(1e16 + 14);
  });

  it('keeps the sum of -0.0 values negative, like numpy', () => {
    expect(Object.is(numpySum([-0, -0]), -0)).toBe(true);
  });

  it('splits longer rows recursively and still adds every value', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    expect(numpySum(values)).toBe(499500);
  });
});

describe('dot', () => {
  it("adds 4 products as ((p0 + p1) + (p2 + p3)), the seed's formula", () => {
    const x = [1e16, 1, 1, 1];
    const w = [1, 1, 1, 1];
    expect(dot(x, w)).toBe((1e16 + 1) + (1 + 1));
    expect(dot(x, w)).not.toBe(((1e16 + 1) + 1) + 1);
  });

  it('handles 0, 1 and odd lengths', () => {
    expect(dot([], [])).toBe(0);
    expect(dot([3], [4])).toBe(12);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
  });
});

describe('expit, softmax, argmax', () => {
  it('expit is 1 / (1 + exp(-x))', () => {
    expect(expit(0)).toBe(0.5);
    expect(expit(-800)).toBe(0);
    expect(expit(800)).toBe(1);
  });

  it('softmax subtracts the maximum first, so large scores do not overflow', () => {
    const p = softmax([1000, 1000]);
    expect(p).toEqual([0.5, 0.5]);
  });

  it('argmax takes the first of equal maxima, and a NaN, as numpy does', () => {
    expect(argmax([1, 3, 3])).toBe(1);
    expect(argmax([1, NaN, 3])).toBe(1);
  });
});
