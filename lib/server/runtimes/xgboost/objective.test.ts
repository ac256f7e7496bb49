// SPDX-License-Identifier: Apache-2.0
// The objectives' small rules that the fixtures do not pin down on their own.
import { describe, expect, it } from 'vitest';
import { argmax, baseMargin, checkObjective, softmax, transform } from './objective.js';

describe('objectives', () => {
  it('multi:softmax answers the first class among equal largest margins, as XGBoost does', () => {
    expect(argmax(Float32Array.from([0.5, 2, 2, -1]))).toBe(1);
    expect(transform('multi:softmax', Float32Array.from([0, 0, 0]))).toBe(0);
  });

  it('softmax of a row with a NaN margin (a NaN leaf in a broken model) is all NaN, as in C', () => {
    expect(softmax(Float32Array.from([0, NaN, 0])).every(Number.isNaN)).toBe(true);
    expect(softmax(Float32Array.from([0, 0]))).toEqual([0.5, 0.5]);
  });

  it('turns base_score into a margin only for binary:logistic', () => {
    expect(baseMargin('reg:squarederror', 152.5)).toBe(152.5);
    expect(baseMargin('multi:softprob', 0.5)).toBe(0.5); // every class starts at 0.5, not at 0
    expect(baseMargin('binary:logistic', 0.5)).toBe(-0); // -logf(1/0.5 - 1) = -logf(1)
    expect(() => baseMargin('binary:logistic', 0)).toThrow('base_score must be in (0,1) for logistic loss, got: 0');
  });

  it('names the supported objectives when refusing one', () => {
    expect(() => checkObjective('survival:cox')).toThrow(/"survival:cox" is not supported.*multi:softmax, multi:softprob, binary:logistic, reg:squarederror/);
  });
});
