// SPDX-License-Identifier: Apache-2.0
// Turns a request's `ndarray` into XGBoost's input: rows of float32 features, NaN where missing.
//
// Seldon's XGBoost server does `xgb.DMatrix(np.array(ndarray))`. We follow what that does:
//   - the array must be 2-D (a list of rows of equal length), else "Please reshape the input data
//     into 2-dimensional matrix", as XGBoost says;
//   - numbers are cast to float32; null becomes NaN (numpy turns None into NaN), and NaN is a
//     missing value that follows each split's default direction; true/false are 1/0;
//   - a value that is infinite as a float32 (Infinity, or 1e39, which overflows float32) is an
//     error, as in XGBoost; strings are errors (numpy makes a text array, which XGBoost refuses);
//   - more columns than the model's features is an error; fewer is allowed, as in XGBoost 1.x,
//     and the missing columns count as missing values.
// Every error is a plain Error: Seldon's server does not catch XGBoost's, so the protocol layer
// answers 500 MICROSERVICE_INTERNAL_ERROR with the message.

/** A row-major float32 matrix of `rows × columns` values, NaN for missing ones. */
export interface FeatureMatrix {
  readonly rows: number;
  /** At most the model's feature count; features beyond it are missing in every row. */
  readonly columns: number;
  readonly data: Float32Array;
}

const RESHAPE = 'Please reshape the input data into 2-dimensional matrix';

/** Checks and converts `X`; `numFeature` is the model's feature count. */
export function toFeatureMatrix(X: unknown, numFeature: number): FeatureMatrix {
  if (!Array.isArray(X)) throw new Error(`${RESHAPE}: expected a list of rows, got ${typeof X}.`);
  if (X.length === 0 || !X.every((row) => Array.isArray(row))) {
    throw new Error(`${RESHAPE}: got a 1-dimensional array. Send rows of features, e.g. [[5.1, 3.5, 1.4, 0.2]].`);
  }
  const rows = X as unknown[][];
  const columns = rows[0].length;
  const ragged = rows.findIndex((row) => row.length !== columns);
  if (ragged >= 0) {
    throw new Error(`All rows must have the same number of features: row 0 has ${columns}, row ${ragged} has ${rows[ragged].length}.`);
  }
  if (columns > numFeature) {
    throw new Error(
      `Number of columns does not match number of features in booster: the model has ${numFeature} features, the request has ${columns}.`,
    );
  }
  const data = new Float32Array(rows.length * columns);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < columns; c++) {
      const value = feature(row[c], r, c);
      const at = r * columns + c;
      data[at] = value; // stored as float32: the cast XGBoost makes
      if (data[at] === Infinity || data[at] === -Infinity) {
        throw new Error(
          `Input data contains \`inf\`: row ${r}, column ${c} is ${value}, which is infinite as a float32. ` +
            'Send null (or NaN) for a missing value.',
        );
      }
    }
  }
  return { rows: rows.length, columns, data };
}

function feature(value: unknown, r: number, c: number): number {
  if (typeof value === 'number') return value;
  if (value === null) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) {
    throw new Error(`${RESHAPE}: row ${r}, column ${c} is itself a list (the input has more than 2 dimensions).`);
  }
  throw new Error(`Feature values must be numbers: row ${r}, column ${c} is ${JSON.stringify(value)}.`);
}
