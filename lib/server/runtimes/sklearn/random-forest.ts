// SPDX-License-Identifier: Apache-2.0
// sklearn.ensemble.RandomForestClassifier and RandomForestRegressor: averages of their trees.
//
//   classifier: predict_proba = (sum over trees of each tree's predict_proba) / n_trees
//               predict       = classes_[argmax of predict_proba]
//   regressor:  predict       = (sum over trees of each tree's prediction) / n_trees
// The sums run tree by tree, in the order of estimators_, as scikit-learn adds them (with the
// default n_jobs; with several threads the order, and so the last bit, can vary in Python too).
// The trees inside a forest are ordinary DecisionTree* estimators, loaded by decision-tree.ts.

import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js';
import { checkFeatures, type Estimator, type Label, type LabelDType, type Matrix } from './estimator.js';
import { argmax } from './numeric.js';
import { State, UnsupportedModelError } from './state.js';

const MAX_TREES = 100_000;

function trees<T>(state: State, treeClass: string, make: (tree: State) => T): T[] {
  if (state.optionalNumber('n_outputs_') !== undefined && state.number('n_outputs_') !== 1) {
    throw new UnsupportedModelError(`${state.className} with several outputs is not supported`);
  }
  const estimators = state.list('estimators_');
  if (estimators.length === 0 || estimators.length > MAX_TREES) {
    throw new UnsupportedModelError(`${state.className} has ${estimators.length} trees (supported: 1 to ${MAX_TREES})`);
  }
  return estimators.map((e) => {
    const tree = State.of(e, `${state.className}.estimators_`, treeClass);
    return State.cached(tree.obj, () => make(tree));
  });
}

export class RandomForestClassifier implements Estimator {
  readonly className = 'RandomForestClassifier';
  readonly nFeaturesIn: number;
  readonly labelDType: LabelDType;
  private readonly trees: DecisionTreeClassifier[];
  private readonly classes: Label[];

  constructor(state: State) {
    this.trees = trees(state, 'DecisionTreeClassifier', (t) => new DecisionTreeClassifier(t));
    const { labels, dtype } = state.classes();
    this.classes = labels;
    this.labelDType = dtype;
    this.nFeaturesIn = state.optionalNumber('n_features_in_') ?? this.trees[0].nFeaturesIn;
    if (this.trees.some((t) => t.nFeaturesIn !== this.nFeaturesIn || t.classes.length !== labels.length)) {
      throw new UnsupportedModelError('RandomForestClassifier: its trees do not match the forest');
    }
  }

  predictProba(X: Matrix): number[][] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    const sums = X.map(() => new Array<number>(this.classes.length).fill(0));
    for (const tree of this.trees) {
      tree.predictProba(X).forEach((p, i) => {
        for (let c = 0; c < p.length; c++) sums[i][c] += p[c];
      });
    }
    return sums.map((row) => row.map((v) => v / this.trees.length));
  }

  predict(X: Matrix): Label[] {
    return this.predictProba(X).map((p) => this.classes[argmax(p)]);
  }
}

export class RandomForestRegressor implements Estimator {
  readonly className = 'RandomForestRegressor';
  readonly labelDType = 'float64';
  readonly nFeaturesIn: number;
  private readonly trees: DecisionTreeRegressor[];

  constructor(state: State) {
    this.trees = trees(state, 'DecisionTreeRegressor', (t) => new DecisionTreeRegressor(t));
    this.nFeaturesIn = state.optionalNumber('n_features_in_') ?? this.trees[0].nFeaturesIn;
    if (this.trees.some((t) => t.nFeaturesIn !== this.nFeaturesIn)) {
      throw new UnsupportedModelError('RandomForestRegressor: its trees do not match the forest');
    }
  }

  predict(X: Matrix): number[] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    const sums = new Array<number>(X.length).fill(0);
    for (const tree of this.trees) tree.predict(X).forEach((v, i) => (sums[i] += v));
    return sums.map((v) => v / this.trees.length);
  }
}
