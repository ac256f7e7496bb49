// SPDX-License-Identifier: Apache-2.0
// sklearn.linear_model.LinearRegression: predict(X) = X @ coef_.T + intercept_.
//
// One target: coef_ is 1-D and intercept_ a number, and predict answers one value per row.
// Several targets: coef_ is (n_targets, n_features) and predict answers a row of values per row.
// A regressor has neither predict_proba nor decision_function.

import { checkFeatures, checkFinite, type Estimator, type Matrix } from './estimator.js';
import { dot } from './numeric.js';
import { State, UnsupportedModelError } from './state.js';

export class LinearRegression implements Estimator {
  readonly className = 'LinearRegression';
  readonly labelDType = 'float64';
  readonly nFeaturesIn: number;
  private readonly coef: Float64Array[];
  private readonly intercept: Float64Array;
  /** coef_ was 1-D: one target, one value per row. */
  private readonly single: boolean;

  constructor(state: State) {
    const coef = state.array('coef_');
    this.single = coef.shape.length === 1;
    this.coef = this.single ? [state.floats('coef_', 1)] : state.floats('coef_', 2);
    const intercept = state.raw('intercept_');
    // intercept_ is a float (0.0 without fit_intercept, a numpy float64 scalar with it) for one
    // target, an array for several.
    this.intercept = typeof intercept === 'number' ? Float64Array.of(intercept) : state.floats('intercept_', 1);
    if (this.coef.length === 0) throw new UnsupportedModelError('LinearRegression.coef_ is empty');
    this.nFeaturesIn = state.optionalNumber('n_features_in_') ?? this.coef[0].length;
    if (this.coef.some((w) => w.length !== this.nFeaturesIn) || this.intercept.length !== this.coef.length) {
      throw new UnsupportedModelError('LinearRegression.coef_ and intercept_ do not match');
    }
  }

  predict(X: Matrix): number[] | number[][] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    checkFinite(X, 'float64');
    const rows = X.map((x) => this.coef.map((w, k) => dot(x, w) + this.intercept[k]));
    return this.single ? rows.map((r) => r[0]) : rows;
  }
}
