// SPDX-License-Identifier: Apache-2.0
// Request rows to XGBoost's input: what `xgb.DMatrix(np.array(ndarray))` accepts and refuses.
import { describe, expect, it } from 'vitest';
import { toFeatureMatrix } from './input.js';

const message = (X: unknown, numFeature = 4): string => {
  try {
    toFeatureMatrix(X, numFeature);
  } catch (err) {
    expect((err as Error).constructor).toBe(Error); // Seldon lets XGBoost's errors through: HTTP 500
    return (err as Error).message;
  }
  throw new Error('expected the input to be refused');
};

describe('toFeatureMatrix', () => {
  it('casts numbers to float32, takes null and NaN as missing, and true/false as 1/0', () => {
    const { rows, columns, data } = toFeatureMatrix([[2.45, null, true, false], [NaN, -0, 1e-50, 3e38]], 4);
    expect([rows, columns]).toEqual([2, 4]);
    expect(Array.from(data)).toEqual([Math.fround(2.45), NaN, 1, 0, NaN, -0, 0, Math.fround(3e38)]);
  });

  it('accepts fewer columns than features (XGBoost treats the rest as missing) and even none', () => {
    expect(toFeatureMatrix([[1, 2]], 4)).toMatchObject({ rows: 1, columns: 2 });
    expect(toFeatureMatrix([[]], 4)).toMatchObject({ rows: 1, columns: 0 });
  });

  it('refuses anything but a 2-D list, as XGBoost does', () => {
    expect(message([1, 2, 3, 4])).toBe(
      'Please reshape the input data into 2-dimensional matrix: got a 1-dimensional array. Send rows of features, e.g. [[5.1, 3.5, 1.4, 0.2]].',
    );
    expect(message([])).toMatch(/^Please reshape the input data into 2-dimensional matrix/);
    expect(message('1,2,3,4')).toBe('Please reshape the input data into 2-dimensional matrix: expected a list of rows, got string.');
    expect(message([[[1, 2, 3, 4]]])).toBe(
      'Please reshape the input data into 2-dimensional matrix: row 0, column 0 is itself a list (the input has more than 2 dimensions).',
    );
    expect(message([[1, 2], [3]])).toBe('All rows must have the same number of features: row 0 has 2, row 1 has 1.');
  });

  it('refuses more columns than the model has features, naming both counts', () => {
    expect(message([[1, 2, 3, 4, 5]])).toBe(
      'Number of columns does not match number of features in booster: the model has 4 features, the request has 5.',
    );
  });

  it('refuses text and values that are infinite in float32', () => {
    expect(message([[1, 'a', 3, 4]])).toBe('Feature values must be numbers: row 0, column 1 is "a".');
    expect(message([[1, 2, 3, { x: 1 }]])).toBe('Feature values must be numbers: row 0, column 3 is {"x":1}.');
    expect(message([[1, 2], [Infinity, 0]], 2)).toMatch(/^Input data contains `inf`: row 1, column 0 is Infinity/);
    expect(message([[1e39, 0]], 2)).toMatch(/row 0, column 0 is 1e\+39, which is infinite as a float32/);
    expect(message([[0, -3.5e38]], 2)).toMatch(/column 1 is -3\.5e\+38/);
  });
});
