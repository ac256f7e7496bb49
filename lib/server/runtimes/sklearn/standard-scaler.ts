// SPDX-License-Identifier: Apache-2.0
// sklearn.preprocessing.StandardScaler: transform(X) = (X - mean_) / scale_.
//
// Each step is one subtraction or division per value, exactly as numpy does it in place
// (X -= mean_; X /= scale_), so the result matches scikit-learn bit for bit. with_mean=False or
// with_std=False skips that step. Like scikit-learn, it lets NaN through (the next step decides).

import { checkFeatures, checkFinite, type Estimator, type Matrix } from './estimator.js';
import { State, UnsupportedModelError } from './state.js';

export class StandardScaler implements Estimator {
  readonly className = 'StandardScaler';
  readonly labelDType = 'float64';
  readonly nFeaturesIn: number | undefined;
  private readonly mean: Float64Array | null;
  private readonly scale: Float64Array | null;

  constructor(state: State) {
    this.mean = state.bool('with_mean', true) ? state.floats('mean_', 1) : null;
    this.scale = state.bool('with_std', true) ? state.floats('scale_', 1) : null;
    this.nFeaturesIn = state.optionalNumber('n_features_in_') ?? this.mean?.length ?? this.scale?.length;
    for (const a of [this.mean, this.scale]) {
      if (a && a.length !== this.nFeaturesIn) throw new UnsupportedModelError('StandardScaler.mean_/scale_ do not match n_features_in_');
    }
  }

  transform(X: Matrix): number[][] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    checkFinite(X, 'float64', true);
    const { mean, scale } = this;
    return X.map((row) =>
      row.map((v, j) => {
        let out = v;
        if (mean) out -= mean[j];
        if (scale) out /= scale[j];
        return out;
      }),
    );
  }
}
