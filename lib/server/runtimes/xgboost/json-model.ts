// SPDX-License-Identifier: Apache-2.0
// Reads XGBoost's JSON model schema (model.json, and model.ubj once decoded) into a TreeEnsemble.
//
// `booster.save_model('model.json')` writes (XGBoost 1.x and 2.x; fields we ignore left out):
//
//   { "version": [1, 7, 4],
//     "learner": {
//       "learner_model_param": { "base_score": "5E-1", "num_class": "3", "num_feature": "4", "num_target": "1" },
//       "objective": { "name": "multi:softprob", ... },
//       "gradient_booster": { "name": "gbtree",
//         "model": { "gbtree_model_param": { "num_trees": "24", ... },
//                    "tree_info": [0, 1, 2, ...],           // the output group (class) of each tree
//                    "trees": [ { "tree_param": { "num_nodes": "7", "size_leaf_vector": "0" },
//                                 "left_children": [1, 3, 5, -1, ...],   // -1: a leaf
//                                 "right_children": [2, 4, 6, -1, ...],
//                                 "split_indices": [2, 3, ...],          // feature of each split
//                                 "split_conditions": [2.45, ...],       // threshold, or the leaf value
//                                 "default_left": [1, 0, ...],           // where a missing value goes
//                                 "split_type": [0, 0, ...],             // 1 would be categorical
//                                 "base_weights": [...], ... } ] } } } }
//
// A leaf's value is its `split_conditions` entry (XGBoost keeps threshold and leaf value in one
// field); `base_weights` are training statistics, not used to predict.
// What differs in XGBoost 2.x: base_score may be written as a one-element list "[5E-1]";
// `size_leaf_vector` is "1" instead of "0" for ordinary trees; more fields appear
// (`iteration_indptr`, ...). dart wraps the gbtree one level down and adds `weight_drop`:
//   "gradient_booster": { "name": "dart", "gbtree": { "model": {...} }, "weight_drop": [0.55, ...] }
// Parameters are written as strings ("4"); numbers are accepted too.
import { checkSizes, makeTree, type Tree, type TreeEnsemble } from './ensemble.js';
import { f32 } from './float32.js';
import { baseMargin, checkObjective, isMultiClass, type Objective } from './objective.js';

/** Builds the ensemble from a parsed model document (JSON.parse or decodeUbjson output). */
export function ensembleFromJson(doc: unknown): TreeEnsemble {
  const root = new Field(doc, 'the model').object();
  const learner = root.object('learner');
  const params = learner.object('learner_model_param');
  const objective = checkObjective(learner.object('objective').string('name'));

  const numFeature = params.count('num_feature');
  const numClass = params.count('num_class', 0);
  const numTarget = params.count('num_target', 1);
  if (numTarget > 1) {
    throw new Error(`the model predicts ${numTarget} targets at once (multi-target trees); this runtime serves one target`);
  }
  const numGroup = groupsFor(objective, numClass);
  checkSizes(numFeature, numGroup);
  const baseScore = parseBaseScore(params.get('base_score').value);

  const booster = learner.object('gradient_booster');
  const boosterName = booster.string('name');
  let model: Field;
  let treeWeight: Float32Array | undefined;
  if (boosterName === 'gbtree') {
    model = booster.object('model');
  } else if (boosterName === 'dart') {
    model = booster.object('gbtree').object('model');
    treeWeight = Float32Array.from(booster.numbers('weight_drop'));
  } else {
    throw new Error(`booster ${JSON.stringify(boosterName)} is not supported; this runtime serves tree models (gbtree, dart)`);
  }

  const trees = model.get('trees').list();
  const treeGroup = Int32Array.from(model.integers('tree_info'));
  const declared = model.object('gbtree_model_param').count('num_trees');
  if (trees.length !== declared || treeGroup.length !== declared) {
    throw new Error(`${model.path} declares ${declared} trees but has ${trees.length} trees and ${treeGroup.length} tree_info entries`);
  }
  if (treeWeight && treeWeight.length !== declared) {
    throw new Error(`${booster.path}.weight_drop has ${treeWeight.length} weights for ${declared} trees`);
  }
  treeGroup.forEach((g, i) => {
    if (g < 0 || g >= numGroup) throw new Error(`${model.path}.tree_info[${i}] is ${g}, but the model has ${numGroup} output groups`);
  });

  const parsed: Tree[] = trees.map((tree) => treeFromJson(tree.object(), numFeature));
  const version = root.has('version') ? Array.from(root.integers('version')) : undefined;
  return {
    objective,
    numFeature,
    numGroup,
    baseScore,
    baseMargin: baseMargin(objective, baseScore),
    trees: parsed,
    treeGroup,
    treeWeight,
    version,
  };
}

function treeFromJson(tree: Field, numFeature: number): Tree {
  const param = tree.object('tree_param');
  const numNodes = param.count('num_nodes');
  // Vector leaves (one value per target) came with XGBoost 2's multi-target trees; 0 or 1 is a scalar leaf.
  const leafSize = param.count('size_leaf_vector', 0);
  if (leafSize > 1) throw new Error(`${tree.path} has vector leaves (size_leaf_vector ${leafSize}); only scalar leaves are supported`);
  const splitType = tree.has('split_type') ? tree.integers('split_type') : [];
  for (let i = 0; i < splitType.length; i++) {
    if (splitType[i] !== 0) {
      throw new Error(`${tree.path} node ${i} is a categorical split; categorical features are not supported, encode them as numbers`);
    }
  }
  const built = makeTree(
    {
      left: tree.integers('left_children'),
      right: tree.integers('right_children'),
      feature: tree.integers('split_indices'),
      value: tree.numbers('split_conditions'),
      defaultLeft: tree.flags('default_left'),
    },
    numFeature,
    tree.path,
  );
  if (built.left.length !== numNodes) throw new Error(`${tree.path} declares ${numNodes} nodes but has ${built.left.length}`);
  return built;
}

/** How many margins a row gets: one per class for multi-class objectives, one otherwise. */
function groupsFor(objective: Objective, numClass: number): number {
  if (isMultiClass(objective)) {
    if (numClass < 1) throw new Error(`objective ${objective} needs num_class of at least 1, the model says ${numClass}`);
    return numClass;
  }
  if (numClass > 1) throw new Error(`objective ${objective} predicts one value, but the model says num_class ${numClass}`);
  return 1;
}

/** "5E-1" (1.x) or "[5E-1]" (2.x) to a float32. A list of several values (one per target or class) is refused. */
export function parseBaseScore(value: unknown): number {
  const where = 'learner.learner_model_param.base_score';
  const raw = typeof value === 'number' ? String(value) : new Field(value, where).asString();
  const inner = raw.trim().replace(/^\[(.*)\]$/s, '$1');
  const parts = inner.split(',');
  if (parts.length !== 1) {
    throw new Error(`${where} holds ${parts.length} values (${raw.slice(0, 60)}); one base_score per target or class is not supported`);
  }
  const score = Number(parts[0].trim());
  if (parts[0].trim() === '' || !Number.isFinite(score)) throw new Error(`${where} is not a number: ${JSON.stringify(raw.slice(0, 60))}`);
  return f32(score);
}

/**
 * One value of the document and where it is (`learner.gradient_booster.model.trees[3]`), with
 * readers that check its type and say that place when it is wrong.
 */
class Field {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  private fail(expected: string): never {
    throw new Error(`${this.path} should be ${expected}, got ${describe(this.value)}`);
  }

  /** This value, checked to be an object; with a key, that member, checked to be an object. */
  object(key?: string): Field {
    const field = key === undefined ? this : this.get(key);
    const v = field.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) field.fail('an object');
    return field;
  }

  has(key: string): boolean {
    return this.value !== null && typeof this.value === 'object' && Object.prototype.hasOwnProperty.call(this.value, key);
  }

  /** A member, which must be there. */
  get(key: string): Field {
    const path = this.path === 'the model' ? key : `${this.path}.${key}`;
    if (!this.has(key)) throw new Error(`${path} is missing`);
    return new Field((this.value as Record<string, unknown>)[key], path);
  }

  asString(): string {
    return typeof this.value === 'string' ? this.value : this.fail('a string');
  }

  string(key: string): string {
    return this.get(key).asString();
  }

  /** A non-negative integer parameter (XGBoost writes them as strings, "4"); `fallback` if absent. */
  count(key: string, fallback?: number): number {
    if (fallback !== undefined && !this.has(key)) return fallback;
    const field = this.get(key);
    const v = field.value;
    const n = typeof v === 'string' && /^\d{1,15}$/.test(v.trim()) ? Number(v) : v;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : field.fail('a non-negative integer');
  }

  list(): Field[] {
    if (!Array.isArray(this.value)) this.fail('a list');
    return (this.value as unknown[]).map((v, i) => new Field(v, `${this.path}[${i}]`));
  }

  /** A list of numbers: a JSON array, or a typed array decoded from UBJSON. */
  numbers(key: string): ArrayLike<number> {
    const field = this.get(key);
    const v = field.value;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
      return v as unknown as ArrayLike<number>;
    }
    if (!Array.isArray(v)) field.fail('a list');
    const bad = (v as unknown[]).findIndex((x) => typeof x !== 'number');
    if (bad >= 0) new Field((v as unknown[])[bad], `${field.path}[${bad}]`).fail('a number');
    return v as number[];
  }

  integers(key: string): ArrayLike<number> {
    const list = this.numbers(key);
    for (let i = 0; i < list.length; i++) {
      if (!Number.isInteger(list[i]) || Math.abs(list[i]) > 2 ** 31) {
        throw new Error(`${this.path}.${key}[${i}] should be an integer, got ${list[i]}`);
      }
    }
    return list;
  }

  /** default_left: 0/1, or booleans. */
  flags(key: string): ArrayLike<number | boolean> {
    const v = this.get(key).value;
    if (Array.isArray(v) && v.every((x) => typeof x === 'boolean')) return v as boolean[];
    return this.integers(key);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (ArrayBuffer.isView(v)) return 'a typed list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
