// SPDX-License-Identifier: Apache-2.0
// Reads XGBoost's legacy binary model format: what `save_model('model.bst')` writes in XGBoost
// before 2.1 (any file name not ending in .json or .ubj), and the file Seldon's XGBoost server loads.
//
// The format is C++ structs written with their in-memory layout, little-endian, one after another.
// Strings and lists are written as a uint64 length followed by their bytes or items. The layout,
// as XGBoost 1.x writes it (sizes in bytes):
//
//   "binf"                                    4   optional marker (written since 1.0)
//   LearnerModelParam                       136   float32 base_score (a margin before 1.0), uint32 num_feature,
//                                                  int32 num_class, int32 contain_extra_attrs,
//                                                  int32 contain_eval_metrics, uint32 major, minor,
//                                                  uint32 num_target, int32 boost_from_average,
//                                                  25 reserved int32
//   string objective, string booster             e.g. "multi:softmax", "gbtree"
//   GBTreeModelParam                        160   int32 num_trees, int32 num_parallel_tree,
//                                                  int32 num_feature, int32 pad, int64 num_pbuffer,
//                                                  int32 num_output_group, int32 size_leaf_vector,
//                                                  32 reserved int32
//   num_trees × tree:
//     TreeParam                             148   int32 num_roots, num_nodes, num_deleted,
//                                                  max_depth, num_feature, size_leaf_vector,
//                                                  31 reserved int32
//     num_nodes × Node                       20   int32 parent (top bit: is a left child),
//                                                  int32 left, int32 right (-1: leaf),
//                                                  uint32 split index (top bit: default left),
//                                                  float32 threshold, or the leaf value
//     num_nodes × RTreeNodeStat              16   float32 loss_chg, sum_hess, base_weight, int32 leaf count
//   num_trees × int32 tree_info                   the output group (class) of each tree
//   dart only: list<float32> weight_drop
//   if contain_extra_attrs: list<(string, string)> attributes (best_iteration, ...)
//
// Every length is checked against the bytes left before anything is read or allocated.
import { checkSizes, makeTree, type Tree, type TreeEnsemble } from './ensemble.js';
import { baseMargin, checkObjective, isMultiClass, transform } from './objective.js';

const LEARNER_PARAM_BYTES = 136;
const GBTREE_PARAM_BYTES = 160;
const TREE_PARAM_BYTES = 148;
const NODE_BYTES = 20;
const NODE_STAT_BYTES = 16;
/** Objective and booster names are short; a "length" beyond this is a corrupt or foreign file. */
const MAX_NAME_BYTES = 256;

/** What the legacy binary format adds beyond the ensemble: the attributes XGBoost saved. */
export interface LegacyBinaryModel extends TreeEnsemble {
  readonly attributes: Record<string, string>;
}

/** Parses a legacy binary model. Throws an Error that says what is wrong and at which byte. */
export function ensembleFromLegacyBinary(bytes: Uint8Array): LegacyBinaryModel {
  const r = new Cursor(bytes);
  if (r.peekAscii(4) === 'bs64') throw new Error('this is a base64 model, which XGBoost itself no longer reads');
  if (r.peekAscii(4) === 'binf') r.skip(4);

  r.need(LEARNER_PARAM_BYTES, 'the learner parameters');
  const storedScore = r.float32();
  const numFeature = r.uint32();
  const numClass = r.int32();
  const hasAttributes = r.int32() !== 0;
  r.int32(); // contain_eval_metrics: metric names after the attributes, not needed to predict
  const version = [r.uint32(), r.uint32()];
  r.skip(LEARNER_PARAM_BYTES - 28); // num_target, boost_from_average, reserved
  if (numClass < 0) throw new Error(`the file declares ${numClass} classes`);

  const objective = checkObjective(r.string('the objective name'));
  const booster = r.string('the booster name');
  if (booster !== 'gbtree' && booster !== 'dart') {
    throw new Error(`booster ${JSON.stringify(booster)} is not supported; this runtime serves tree models (gbtree, dart)`);
  }
  const numGroup = isMultiClass(objective) ? numClass : 1;
  if (numGroup < 1) throw new Error(`objective ${objective} needs num_class of at least 1, the file says ${numClass}`);
  if (!isMultiClass(objective) && numClass > 1) {
    throw new Error(`objective ${objective} predicts one value, but the file says num_class ${numClass}`);
  }
  checkSizes(numFeature, numGroup);
  // Before XGBoost 1.0 the file kept base_score as a margin (and wrote version 0). XGBoost 1.x
  // turns it back into output space (a sigmoid, for binary:logistic) and takes the margin again
  // later, except for multi-class objectives; so do we.
  const baseScore =
    version[0] < 1 && !isMultiClass(objective) ? (transform(objective, Float32Array.of(storedScore)) as number) : storedScore;

  r.need(GBTREE_PARAM_BYTES, 'the gbtree parameters');
  const numTrees = r.view.getInt32(r.offset, true);
  const leafVector = r.view.getInt32(r.offset + 28, true);
  r.skip(GBTREE_PARAM_BYTES);
  const smallestTree = TREE_PARAM_BYTES + NODE_BYTES + NODE_STAT_BYTES + 4;
  if (numTrees < 0 || numTrees * smallestTree > r.remaining) {
    throw new Error(`the file is truncated or corrupt: it declares ${numTrees} trees but has only ${r.remaining} bytes left for them`);
  }
  if (leafVector !== 0) throw new Error(`the model has vector leaves (size_leaf_vector ${leafVector}); only scalar leaves are supported`);

  const trees: Tree[] = [];
  for (let t = 0; t < numTrees; t++) trees.push(readTree(r, numFeature, `tree ${t}`));
  r.need(4 * numTrees, 'tree_info');
  const treeGroup = Int32Array.from({ length: numTrees }, () => r.int32());
  treeGroup.forEach((g, i) => {
    if (g < 0 || g >= numGroup) throw new Error(`tree_info[${i}] is ${g}, but the model has ${numGroup} output groups`);
  });

  let treeWeight: Float32Array | undefined;
  if (booster === 'dart') {
    const n = r.length('weight_drop', 4);
    if (n !== numTrees) throw new Error(`weight_drop has ${n} weights for ${numTrees} trees`);
    treeWeight = Float32Array.from({ length: n }, () => r.float32());
  }

  const attributes: Record<string, string> = {};
  if (hasAttributes) {
    const n = r.length('the attribute list', 16);
    for (let i = 0; i < n; i++) {
      const key = r.string('an attribute name', 1 << 16);
      Object.defineProperty(attributes, key, { value: r.string(`attribute ${key}`, 1 << 20), enumerable: true });
    }
  }
  // What may follow (eval metric names) does not change predictions.
  return {
    objective,
    numFeature,
    numGroup,
    baseScore,
    baseMargin: baseMargin(objective, baseScore),
    trees,
    treeGroup,
    treeWeight,
    version,
    attributes,
  };
}

function readTree(r: Cursor, numFeature: number, where: string): Tree {
  r.need(TREE_PARAM_BYTES, `${where}'s parameters`);
  const numNodes = r.view.getInt32(r.offset + 4, true);
  const leafVector = r.view.getInt32(r.offset + 20, true);
  r.skip(TREE_PARAM_BYTES);
  if (leafVector !== 0) throw new Error(`${where} has vector leaves (size_leaf_vector ${leafVector})`);
  const bytes = numNodes * (NODE_BYTES + NODE_STAT_BYTES);
  if (numNodes < 1 || bytes > r.remaining) {
    throw new Error(`the file is truncated or corrupt: ${where} declares ${numNodes} nodes but only ${r.remaining} bytes are left`);
  }
  const left = new Int32Array(numNodes);
  const right = new Int32Array(numNodes);
  const feature = new Int32Array(numNodes);
  const value = new Float32Array(numNodes);
  const defaultLeft = new Uint8Array(numNodes);
  for (let i = 0; i < numNodes; i++) {
    r.int32(); // parent: not needed to walk down the tree
    left[i] = r.int32();
    right[i] = r.int32();
    const splitIndex = r.uint32();
    feature[i] = splitIndex & 0x7fffffff;
    defaultLeft[i] = splitIndex >>> 31;
    value[i] = r.float32();
  }
  r.skip(numNodes * NODE_STAT_BYTES); // training statistics
  return makeTree({ left, right, feature, value, defaultLeft }, numFeature, where);
}

/** Reads little-endian values, checking each length against what is left. */
class Cursor {
  readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new Error(`the file is truncated: ${what} needs ${n} bytes at byte ${this.offset}, ${this.remaining} are left`);
    }
  }

  skip(n: number): void {
    this.need(n, 'the next field');
    this.offset += n;
  }

  peekAscii(n: number): string {
    return String.fromCharCode(...this.bytes.subarray(this.offset, this.offset + n));
  }

  int32(): number {
    this.need(4, 'an int32');
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'a uint32');
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  float32(): number {
    this.need(4, 'a float32');
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** A uint64 item count, checked against the bytes left (`itemBytes`: the least an item takes). */
  length(what: string, itemBytes: number): number {
    this.need(8, `the length of ${what}`);
    const n = this.view.getBigUint64(this.offset, true);
    if (n * BigInt(itemBytes) > BigInt(this.remaining - 8)) {
      throw new Error(`${what} declares ${n} items at byte ${this.offset}, more than the ${this.remaining - 8} bytes left`);
    }
    this.offset += 8;
    return Number(n);
  }

  string(what: string, max = MAX_NAME_BYTES): string {
    const at = this.offset;
    const n = this.length(what, 1);
    if (n > max) throw new Error(`${what} at byte ${at} is ${n} bytes long, more than the ${max} allowed`);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
    return s;
  }
}
