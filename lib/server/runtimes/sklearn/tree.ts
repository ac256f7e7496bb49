// SPDX-License-Identifier: Apache-2.0
// sklearn.tree._tree.Tree: the node arrays of a fitted decision tree, and walking them.
//
// A Tree pickles as `Tree(n_features, n_classes, n_outputs)` plus a state dict whose `nodes` is
// a structured numpy array, one record per node: left_child, right_child, feature, threshold,
// impurity, n_node_samples, weighted_n_node_samples, and since scikit-learn 1.3
// missing_go_to_left. `values` holds, per node, the class counts (or fractions, since 1.4) or
// the regression value. A leaf has left_child == right_child == -1.
//
// Walking it: from node 0, go left when X[feature] <= threshold, else right, until a leaf.
// The comparison is scikit-learn's exactly: X is cast to float32 first (trees are fitted and
// applied on float32 data) and compared with the float64 threshold, so `Math.fround(x)` here.

import { NdArray, PyObject } from '../../pickle/index.js';
import { InputError } from './estimator.js';
import { State, UnsupportedModelError } from './state.js';

const LEAF = -1;

export class Tree {
  readonly nFeatures: number;
  readonly nodeCount: number;
  /** How many values each node holds (max_n_classes; 1 for a regressor). */
  readonly width: number;
  /** Whether the tree says where missing values (NaN) go (scikit-learn >= 1.3). */
  readonly routesMissing: boolean;
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  private readonly feature: Float64Array;
  private readonly threshold: Float64Array;
  private readonly missingGoToLeft: Float64Array | null;
  private readonly values: Float64Array;

  constructor(obj: PyObject) {
    if (obj.qualifiedName !== 'sklearn.tree._tree.Tree') throw new UnsupportedModelError(`expected a Tree, found ${obj.qualifiedName}`);
    const [nFeatures, nClasses, nOutputs] = obj.args;
    if (typeof nFeatures !== 'number' || !(nClasses instanceof NdArray) || typeof nOutputs !== 'number') {
      throw new UnsupportedModelError('Tree(n_features, n_classes, n_outputs) has unexpected arguments');
    }
    if (nOutputs !== 1) throw new UnsupportedModelError(`trees with ${nOutputs} outputs are not supported (only single-output models)`);
    const state = new State(obj);
    const nodes = state.array('nodes');
    this.nFeatures = nFeatures;
    this.nodeCount = state.number('node_count');
    const column = (name: string) => {
      if (!nodes.hasField(name)) throw new UnsupportedModelError(`Tree.nodes has no field ${name}`);
      return nodes.field(name).numbers();
    };
    this.left = column('left_child');
    this.right = column('right_child');
    this.feature = column('feature');
    this.threshold = column('threshold');
    this.missingGoToLeft = nodes.hasField('missing_go_to_left') ? column('missing_go_to_left') : null;
    this.routesMissing = this.missingGoToLeft !== null;

    const values = state.array('values');
    this.values = values.numbers();
    this.width = values.shape[2] ?? 0;
    if (values.shape.length !== 3 || values.shape[0] !== this.nodeCount || values.shape[1] !== 1) {
      throw new UnsupportedModelError('Tree.values does not match node_count');
    }
    this.validate();
  }

  /**
   * scikit-learn numbers a node before its children, so every child id is larger than its
   * parent's. Checking that (and every id and feature index) at load means a tampered file
   * cannot make `apply` loop forever or read outside the arrays.
   */
  private validate(): void {
    const n = this.nodeCount;
    if (this.left.length !== n || n === 0) throw new UnsupportedModelError('Tree.nodes does not match node_count');
    for (let i = 0; i < n; i++) {
      const l = this.left[i];
      const r = this.right[i];
      if (l === LEAF && r === LEAF) continue;
      const f = this.feature[i];
      if (!(l > i && l < n && r > i && r < n) || !(Number.isInteger(f) && f >= 0 && f < this.nFeatures)) {
        throw new UnsupportedModelError(`Tree node ${i} has invalid children or feature`);
      }
    }
  }

  /** The leaf `row` lands in (tree.apply). `row` must have nFeatures values. */
  apply(row: readonly number[]): number {
    let node = 0;
    while (this.left[node] !== LEAF) {
      const x = Math.fround(row[this.feature[node]]);
      const goLeft = Number.isNaN(x) ? this.missingGoToLeft![node] !== 0 : x <= this.threshold[node];
      node = goLeft ? this.left[node] : this.right[node];
    }
    return node;
  }

  /** The values of a node: class counts (or fractions) for a classifier, [value] for a regressor. */
  leafValues(node: number): Float64Array {
    return this.values.subarray(node * this.width, (node + 1) * this.width);
  }

  /** check_array for a tree: float32 casting, NaN only when the tree routes it. */
  checkInput(X: readonly (readonly number[])[]): void {
    for (const row of X) {
      for (const v of row) {
        if (Number.isNaN(v)) {
          if (!this.routesMissing) throw new InputError('Input X contains NaN.');
        } else if (!Number.isFinite(Math.fround(v))) {
          throw new InputError("Input X contains infinity or a value too large for dtype('float32').");
        }
      }
    }
  }
}
