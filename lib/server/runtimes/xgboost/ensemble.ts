// SPDX-License-Identifier: Apache-2.0
// The tree ensemble every XGBoost file format loads into, and how a row walks it.
//
// An XGBoost model of the `gbtree` kind is a list of regression trees. Each tree belongs to one
// output group (`tree_info`: the class, for multi-class models; group 0 otherwise). To predict, a
// row starts every group at the base margin, walks each tree from its root to a leaf and adds the
// leaf's value to its group; the objective then turns the margins into the answer (objective.ts).
//
// At each inner node the row's value of feature `feature[node]`, in float32, is compared with the
// node's threshold: `x < threshold` goes left, anything else right, and a missing value (NaN)
// goes the way the node learned in training (`defaultLeft`). Sums are float32, tree by tree, in
// file order, exactly like XGBoost's CPU predictor, so results agree to the last bit.
import { f32 } from './float32.js';
import type { Objective } from './objective.js';

/** One tree, in XGBoost's array layout: node 0 is the root, `left[node] === -1` marks a leaf. */
export interface Tree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** The feature an inner node splits on. */
  readonly feature: Int32Array;
  /** An inner node's threshold, or a leaf's value (XGBoost keeps both in one field). */
  readonly value: Float32Array;
  /** 1 where a missing value goes left. */
  readonly defaultLeft: Uint8Array;
}

export interface TreeEnsemble {
  readonly objective: Objective;
  /** Features the model was trained on; a request may send fewer (the rest count as missing). */
  readonly numFeature: number;
  /** Outputs per row: the number of classes for multi-class objectives, else 1. */
  readonly numGroup: number;
  /** `base_score` as stored: a float32 in the objective's output space (a probability for binary:logistic). */
  readonly baseScore: number;
  /** The margin every row's sum starts from: base_score through the objective's ProbToMargin. */
  readonly baseMargin: number;
  readonly trees: readonly Tree[];
  /** The output group of each tree (`tree_info`). */
  readonly treeGroup: Int32Array;
  /** dart only: each tree's weight (`weight_drop`), applied to its leaves. */
  readonly treeWeight?: Float32Array;
  /** The XGBoost version that wrote the file, when the file says. */
  readonly version?: readonly number[];
}

/**
 * The most features a model may declare. Real models have far fewer; the cap keeps a corrupt
 * or hostile file from making every prediction allocate gigabytes.
 */
export const MAX_FEATURES = 1 << 24;

/** The most output groups (classes) a model may declare, for the same reason. */
export const MAX_GROUPS = 1 << 16;

/** Fails unless the feature and group counts are within the caps above. */
export function checkSizes(numFeature: number, numGroup: number): void {
  if (numFeature > MAX_FEATURES) throw new Error(`the model declares ${numFeature} features, more than the ${MAX_FEATURES} this runtime accepts`);
  if (numGroup > MAX_GROUPS) throw new Error(`the model declares ${numGroup} classes, more than the ${MAX_GROUPS} this runtime accepts`);
}

/** What a file format hands over for one tree, before it is checked. */
export interface TreeArrays {
  left: ArrayLike<number>;
  right: ArrayLike<number>;
  feature: ArrayLike<number>;
  value: ArrayLike<number>;
  defaultLeft: ArrayLike<number | boolean>;
}

/** The names XGBoost's JSON schema gives these arrays, for error messages. */
const XGBOOST_NAMES: Record<keyof TreeArrays, string> = {
  left: 'left_children',
  right: 'right_children',
  feature: 'split_indices',
  value: 'split_conditions',
  defaultLeft: 'default_left',
};

/**
 * Checks one tree and packs it into typed arrays. A model file is untrusted input: every index is
 * checked here once, so that prediction can follow them without checks and can never loop.
 * `where` names the tree in error messages.
 */
export function makeTree(arrays: TreeArrays, numFeature: number, where: string): Tree {
  const n = arrays.left.length;
  if (n < 1) throw new Error(`${where} has no nodes`);
  for (const [name, a] of Object.entries(arrays) as Array<[keyof TreeArrays, ArrayLike<unknown>]>) {
    if (a.length !== n) throw new Error(`${where}: ${XGBOOST_NAMES[name]} has ${a.length} entries, left_children has ${n}`);
  }
  const tree: Tree = {
    left: Int32Array.from(arrays.left),
    right: Int32Array.from(arrays.right),
    feature: Int32Array.from(arrays.feature),
    value: Float32Array.from(arrays.value),
    defaultLeft: Uint8Array.from(arrays.defaultLeft, (v) => (v ? 1 : 0)),
  };
  // Visit the nodes reachable from the root (deleted nodes of a pruned tree are not); each may be
  // reached once, so the nodes form a tree, not a cycle.
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const l = tree.left[node];
    if (l === -1) continue; // a leaf
    const r = tree.right[node];
    // XGBoost allocates a node's two children side by side, and its predictor relies on it.
    if (!(l > 0 && l < n && r === l + 1 && r < n) || seen[l] || seen[r]) {
      throw new Error(`${where}: node ${node} has children ${l} and ${r}, which do not fit a tree of ${n} nodes`);
    }
    const f = tree.feature[node];
    if (!(f >= 0 && f < numFeature)) {
      throw new Error(`${where}: node ${node} splits on feature ${f}, but the model has ${numFeature} features`);
    }
    seen[l] = seen[r] = 1;
    stack.push(l, r);
  }
  return tree;
}

/** The leaf a row lands in. `row[f]` is feature f as a float32 value, NaN when missing. */
export function leafValue(tree: Tree, row: Float32Array): number {
  const { left, feature, value, defaultLeft } = tree;
  let node = 0;
  while (left[node] !== -1) {
    const x = row[feature[node]];
    if (Number.isNaN(x)) {
      node = defaultLeft[node] ? left[node] : tree.right[node];
    } else {
      node = x < value[node] ? left[node] : tree.right[node];
    }
  }
  return value[node];
}

/**
 * The margins of one row, one per output group: base margin plus, tree by tree, the leaf each
 * tree gives, summed in float32 (storing into a Float32Array rounds every partial sum, as C++ does).
 */
export function predictMargins(ensemble: TreeEnsemble, row: Float32Array, out: Float32Array): void {
  const { trees, treeGroup, treeWeight } = ensemble;
  out.fill(ensemble.baseMargin);
  for (let t = 0; t < trees.length; t++) {
    const leaf = leafValue(trees[t], row);
    // dart scales each tree's contribution by its weight, a float32 product.
    out[treeGroup[t]] += treeWeight ? f32(leaf * treeWeight[t]) : leaf;
  }
}
