// SPDX-License-Identifier: Apache-2.0
// sklearn.tree.DecisionTreeClassifier and DecisionTreeRegressor.
//
// Both find each row's leaf (tree.ts) and read its values:
//   classifier: predict_proba = the leaf's class counts divided by their (pairwise) sum;
//               predict       = classes_[argmax of the counts]
//   regressor:  predict       = the leaf's value
// Neither has decision_function, and the regressor has no predict_proba: the classes omit them.

import { checkFeatures, type Estimator, type Label, type LabelDType, type Matrix } from './estimator.js';
import { argmax, numpySum } from './numeric.js';
import { State, UnsupportedModelError } from './state.js';
import { Tree } from './tree.js';

function loadTree(state: State): { tree: Tree; nFeaturesIn: number } {
  if (state.optionalNumber('n_outputs_') !== undefined && state.number('n_outputs_') !== 1) {
    throw new UnsupportedModelError(`${state.className} with several outputs is not supported`);
  }
  const tree = new Tree(state.object('tree_'));
  const nFeaturesIn = state.optionalNumber('n_features_in_') ?? tree.nFeatures;
  if (nFeaturesIn !== tree.nFeatures) throw new UnsupportedModelError(`${state.className}.n_features_in_ does not match its tree`);
  return { tree, nFeaturesIn };
}

export class DecisionTreeClassifier implements Estimator {
  readonly className = 'DecisionTreeClassifier';
  readonly nFeaturesIn: number;
  readonly labelDType: LabelDType;
  readonly tree: Tree;
  readonly classes: Label[];

  constructor(state: State) {
    ({ tree: this.tree, nFeaturesIn: this.nFeaturesIn } = loadTree(state));
    const { labels, dtype } = state.classes();
    this.classes = labels;
    this.labelDType = dtype;
    if (this.tree.width !== labels.length) {
      throw new UnsupportedModelError(`DecisionTreeClassifier has ${labels.length} classes but its tree holds ${this.tree.width} values per node`);
    }
  }

  private leaves(X: Matrix): number[] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    this.tree.checkInput(X);
    return X.map((row) => this.tree.apply(row));
  }

  predictProba(X: Matrix): number[][] {
    return this.leaves(X).map((leaf) => {
      const counts = this.tree.leafValues(leaf);
      const sum = numpySum(counts);
      const normalizer = sum === 0 ? 1 : sum;
      return Array.from(counts, (c) => c / normalizer);
    });
  }

  predict(X: Matrix): Label[] {
    return this.leaves(X).map((leaf) => this.classes[argmax(this.tree.leafValues(leaf))]);
  }
}

export class DecisionTreeRegressor implements Estimator {
  readonly className = 'DecisionTreeRegressor';
  readonly labelDType = 'float64';
  readonly nFeaturesIn: number;
  readonly tree: Tree;

  constructor(state: State) {
    ({ tree: this.tree, nFeaturesIn: this.nFeaturesIn } = loadTree(state));
    if (this.tree.width !== 1) throw new UnsupportedModelError('DecisionTreeRegressor: its tree should hold one value per node');
  }

  predict(X: Matrix): number[] {
    checkFeatures(X, this.nFeaturesIn, this.className);
    this.tree.checkInput(X);
    return X.map((row) => this.tree.leafValues(this.tree.apply(row))[0]);
  }
}
