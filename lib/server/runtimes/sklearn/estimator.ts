// SPDX-License-Identifier: Apache-2.0
// What a scikit-learn estimator is to the runtime, and the input checks scikit-learn makes.
//
// Each supported estimator (one file each) is rebuilt from its pickled state into a small
// TypeScript class with the methods its Python class has: `predictProba`, `decisionFunction`,
// `predict`, `transform`. A method the Python class lacks is absent here too, so the runtime can
// answer the way SKLearnServer does when Python raises AttributeError.
//
// Inputs are checked the way scikit-learn's check_array does, with its messages, but without
// ever quoting the data (the messages end up in server logs).

import type { NDArray } from '../../model.js';

/** Rows of features, as float64 values. */
export type Matrix = readonly (readonly number[])[];

/** A class label: numpy ints and floats become numbers, str labels strings, bool labels booleans. */
export type Label = number | string | boolean;

/** The numpy dtype of what `predict` returns, so the server writes `2` for int64 and `2.0` for float64. */
export type LabelDType = 'int64' | 'int32' | 'float64' | 'float32' | 'bool' | 'str' | 'object';

export interface Estimator {
  /** scikit-learn's class name, e.g. `LogisticRegression`. */
  readonly className: string;
  /** How many features it was fitted on (`n_features_in_`), when known. */
  readonly nFeaturesIn: number | undefined;
  /** The dtype of `predict`'s answer. */
  readonly labelDType: LabelDType;
  predict?(X: Matrix): Label[] | number[][];
  predictProba?(X: Matrix): number[][];
  decisionFunction?(X: Matrix): number[] | number[][];
  transform?(X: Matrix): number[][];
}

/** Bad input for a model: scikit-learn would raise ValueError. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The request's `X` as a matrix, or an InputError as check_array would raise it. Booleans count
 * as 1 and 0 (numpy bool arrays are numeric); NaN and infinities pass here and are checked by
 * each estimator, because trees accept NaN when they were trained to.
 */
export function toMatrix(X: NDArray, estimator: string): number[][] {
  if (!Array.isArray(X)) throw new InputError(`Expected 2D array, got scalar array instead. ${RESHAPE}`);
  if (X.length === 0 || !X.every(Array.isArray)) {
    if (X.some(Array.isArray)) throw new InputError(INHOMOGENEOUS);
    throw new InputError(`Expected 2D array, got 1D array instead. ${RESHAPE}`);
  }
  const rows = X as unknown[][];
  const width = rows[0].length;
  const matrix: number[][] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.length !== width) throw new InputError(INHOMOGENEOUS);
    const out = new Array<number>(width);
    for (let j = 0; j < width; j++) {
      const v = row[j];
      if (typeof v === 'number') out[j] = v;
      else if (typeof v === 'boolean') out[j] = v ? 1 : 0;
      else if (Array.isArray(v)) throw new InputError(`Found array with dim 3. ${estimator} expected <= 2.`);
      else if (typeof v === 'string') {
        throw new InputError("dtype='numeric' is not compatible with arrays of bytes/strings. Convert your data to numeric values explicitly instead.");
      } else throw new InputError(`Input contains ${v === null ? 'null (None)' : typeof v} at row ${i}, column ${j}, which is not a number.`);
    }
    matrix[i] = out;
  }
  if (width === 0) {
    throw new InputError(`Found array with 0 feature(s) (shape=(${rows.length}, 0)) while a minimum of 1 is required by ${estimator}.`);
  }
  return matrix;
}

const RESHAPE = 'Reshape your data either using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) if it contains a single sample.';
const INHOMOGENEOUS = 'setting an array element with a sequence. The requested array has an inhomogeneous shape.';

/** scikit-learn's feature-count check (BaseEstimator._check_n_features), with its message. */
export function checkFeatures(X: Matrix, expected: number | undefined, estimator: string): void {
  const got = X[0]?.length ?? 0;
  if (expected !== undefined && got !== expected) {
    throw new InputError(`X has ${got} features, but ${estimator} is expecting ${expected} features as input.`);
  }
}

/** check_array's finiteness check; `allowNaN` for trees that route missing values. */
export function checkFinite(X: Matrix, dtype: 'float64' | 'float32', allowNaN = false): void {
  for (const row of X) {
    for (const v of row) {
      if (Number.isNaN(v)) {
        if (!allowNaN) throw new InputError('Input X contains NaN.');
      } else if (!Number.isFinite(dtype === 'float32' ? Math.fround(v) : v)) {
        throw new InputError(`Input X contains infinity or a value too large for dtype('${dtype}').`);
      }
    }
  }
}
