// SPDX-License-Identifier: Apache-2.0
// `booster.predict(DMatrix(X))` in TypeScript: input rows in, XGBoost's answer out.
//
// The answer has the shape XGBoost's has, because Seldon passes it on unchanged: a flat list (one
// number per row) for multi:softmax, binary:logistic and reg:squarederror, and a list of rows
// (one probability per class) for multi:softprob. Seldon names the columns of a 2-D answer
// t:0, t:1, ... and sends `names: []` for a 1-D one.
import { predictMargins, type TreeEnsemble } from './ensemble.js';
import { toFeatureMatrix } from './input.js';
import { transform } from './objective.js';

export interface PredictOptions {
  /** Return the raw margins instead (XGBoost's `output_margin=True`): 2-D for multi-class models. */
  outputMargin?: boolean;
}

/** Predicts the rows of `X` (a 2-D list of numbers, null for a missing value). */
export function predict(ensemble: TreeEnsemble, X: unknown, options: PredictOptions = {}): number[] | number[][] {
  const { rows, columns, data } = toFeatureMatrix(X, ensemble.numFeature);
  // One row at a time in a buffer of all the model's features: those the request did not send
  // stay NaN (missing) in every row.
  const row = new Float32Array(ensemble.numFeature).fill(NaN);
  const margins = new Float32Array(ensemble.numGroup);
  const out: Array<number | number[]> = [];
  for (let r = 0; r < rows; r++) {
    row.set(data.subarray(r * columns, (r + 1) * columns));
    predictMargins(ensemble, row, margins);
    if (options.outputMargin) out.push(ensemble.numGroup === 1 ? margins[0] : Array.from(margins));
    else out.push(transform(ensemble.objective, margins));
  }
  return out as number[] | number[][];
}
