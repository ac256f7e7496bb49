// SPDX-License-Identifier: Apache-2.0
// sklearn.linear_model.LogisticRegression: binary, one-vs-rest and multinomial.
//
// The fitted model is a weight matrix `coef_` (one row per class, or a single row for two
// classes) and `intercept_`. Its methods, as scikit-learn 0.24-1.x computes them:
//   decision_function(X) = X @ coef_.T + intercept_      (1-D when there is a single row)
//   predict_proba(X):
//     one-vs-rest: expit of each score; with two classes [1-p, p], else each row divided by its sum
//     multinomial: softmax of the scores (with two classes, softmax of [-score, score])
//   predict(X) = classes_[score > 0] for two classes, else classes_[argmax(scores)]
// Which of the two probability rules applies is scikit-learn's rule: one-vs-rest when
// multi_class is "ovr", or "auto" with two classes or the liblinear solver.

import { checkFeatures, checkFinite, type Estimator, type Label, type LabelDType, type Matrix } from './estimator.js';
import { argmax, dot, expit, numpySum, softmax } from './numeric.js';
import { State, UnsupportedModelError } from './state.js';

export class LogisticRegression implements Estimator {
  readonly className = 'LogisticRegression';
  readonly nFeaturesIn: number;
  readonly labelDType: LabelDType;
  private readonly coef: Float64Array[];
  private readonly intercept: Float64Array;
  private readonly classes: Label[];
  /** One-vs-rest probabilities (true) or multinomial softmax (false). */
  readonly ovr: boolean;

  constructor(state: State) {
    this.coef = state.floats('coef_', 2);
    this.intercept = state.floats('intercept_', 1);
    const { labels, dtype } = state.classes();
    this.classes = labels;
    this.labelDType = dtype;
    this.nFeaturesIn = state.optionalNumber('n_features_in_') ?? this.coef[0]?.length ?? 0;

    const rows = this.coef.length;
    if (this.classes.length < 2) throw new UnsupportedModelError('LogisticRegression needs at least 2 classes');
    if (rows === 0 || this.coef.some((row) => row.length !== this.nFeaturesIn)) {
      throw new UnsupportedModelError('LogisticRegression.coef_ does not match n_features_in_');
    }
    if (this.intercept.length !== rows || rows !== (this.classes.length === 2 ? 1 : this.classes.length)) {
      throw new UnsupportedModelError(`LogisticRegression has ${rows} coefficient rows for ${this.classes.length} classes`);
    }
    // multi_class: "auto" since 0.22; "deprecated" (= auto) from 1.5; gone in later versions.
    const multiClass = state.string('multi_class', 'auto');
    const solver = state.string('solver', 'lbfgs');
    const auto = multiClass === 'auto' || multiClass === 'deprecated';
    this.ovr = multiClass === 'ovr' || multiClass === 'warn' || (auto && (this.classes.length <= 2 || solver === 'liblinear'));
    if (!this.ovr && !auto && multiClass !== 'multinomial') {
      throw new UnsupportedModelError(`LogisticRegression.multi_class ${JSON.stringify(multiClass)} is not supported`);
    }
  }

  /** Scores per row: one per class, or a single score (as a 1-element row) for two classes. */
  private scores(X: Matrix): number[][] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    checkFinite(X, 'float64');
    return X.map((x) => this.coef.map((w, k) => dot(x, w) + this.intercept[k]));
  }

  decisionFunction(X: Matrix): number[] | number[][] {
    const scores = this.scores(X);
    return this.coef.length === 1 ? scores.map((s) => s[0]) : scores;
  }

  predictProba(X: Matrix): number[][] {
    const scores = this.scores(X);
    if (this.coef.length === 1) {
      if (this.ovr) {
        return scores.map(([s]) => {
          const p = expit(s);
          return [1 - p, p];
        });
      }
      return scores.map(([s]) => softmax([-s, s]));
    }
    if (!this.ovr) return scores.map(softmax);
    return scores.map((row) => {
      const p = row.map(expit);
      const sum = numpySum(p);
      return p.map((v) => v / sum);
    });
  }

  predict(X: Matrix): Label[] {
    const scores = this.scores(X);
    if (this.coef.length === 1) return scores.map(([s]) => this.classes[s > 0 ? 1 : 0]);
    return scores.map((row) => this.classes[argmax(row)]);
  }
}
