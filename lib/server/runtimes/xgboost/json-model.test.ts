// SPDX-License-Identifier: Apache-2.0
// The JSON model schema: XGBoost 1.x files, XGBoost 2.x-shaped documents, and documents that are
// wrong in every way we could think of (each refused with a message naming the place).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { ensembleFromJson } from './json-model.js';
import { predict } from './predict.js';
import { decodeUbjson } from './ubjson.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fixture = (name: string) => fromRoot('cluster/models/fixtures', name);
const load17 = (name: string): Doc => JSON.parse(readFileSync(`${fixture(name)}/model.json`, 'utf8')) as Doc;
const expected = (name: string) =>
  JSON.parse(readFileSync(`${fixture(name)}/expected.json`, 'utf8')) as { cases: Array<{ input: unknown; output: unknown }> };

/**
 * Rewrites an XGBoost 1.7 model.json into the shape XGBoost 2.x writes. Debian ships only 1.7,
 * so this is how we test 2.x documents. What 2.x changed in the schema, and what we do here:
 *   - `base_score` became a list (one per target), written "[5E-1]" instead of "5E-1";
 *   - a scalar leaf is `size_leaf_vector` "1" (1.x wrote "0"), a vector leaf > 1 (multi-target);
 *   - `iteration_indptr` (the trees of each boosting round) joined `tree_info`;
 *   - `gbtree_model_param` lost `size_leaf_vector`; `version` says 2.
 * The meaning of base_score did not change: it is in output space, turned into a margin on load.
 * (2.x picks it from the training labels when none is given, so it is seldom 0.5 there.)
 */
function as2x(doc: Doc): Doc {
  const copy = structuredClone(doc);
  const learner = copy.learner;
  copy.version = [2, 1, 3];
  learner.learner_model_param.base_score = `[${learner.learner_model_param.base_score}]`;
  const model = learner.gradient_booster.model;
  delete model.gbtree_model_param.size_leaf_vector;
  const groups = Math.max(1, Number(learner.learner_model_param.num_class));
  model.iteration_indptr = Array.from({ length: model.trees.length / groups + 1 }, (_, i) => i * groups);
  for (const tree of model.trees) tree.tree_param.size_leaf_vector = '1';
  return copy;
}

/** A one-tree regression model, written by hand in the 2.x shape, small enough to predict by hand. */
function tinyModel(): Doc {
  return {
    version: [2, 1, 3],
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: [],
      learner_model_param: { base_score: '[1.5E0]', boost_from_average: '1', num_class: '0', num_feature: '2', num_target: '1' },
      objective: { name: 'reg:squarederror', reg_loss_param: { scale_pos_weight: '1' } },
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: '1' },
          iteration_indptr: [0, 1],
          tree_info: [0],
          trees: [
            {
              id: 0,
              tree_param: { num_deleted: '0', num_feature: '2', num_nodes: '3', size_leaf_vector: '1' },
              // node 0: feature 1 < 0.25 → node 1 (leaf 0.25), else node 2 (leaf -0.5); missing → left
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              parents: [2147483647, 0, 0],
              split_indices: [1, 0, 0],
              split_conditions: [0.25, 0.25, -0.5],
              split_type: [0, 0, 0],
              default_left: [1, 0, 0],
              base_weights: [0, 0.5, -1],
              loss_changes: [1, 0, 0],
              sum_hessian: [2, 1, 1],
              categories: [],
              categories_nodes: [],
              categories_segments: [],
              categories_sizes: [],
            },
          ],
        },
      },
    },
  };
}

function refusal(doc: unknown): string {
  try {
    ensembleFromJson(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error); // not a TypeError from reading something missing
    return (err as Error).message;
  }
  throw new Error('expected the document to be refused');
}

describe('ensembleFromJson', () => {
  it('predicts the hand-written 2.x model as worked out by hand', () => {
    const ensemble = ensembleFromJson(tinyModel());
    expect(ensemble.baseScore).toBe(1.5);
    expect(ensemble.version).toEqual([2, 1, 3]);
    // 1.5 + 0.25 = 1.75 on the left, 1.5 - 0.5 = 1 on the right; all exact in float32.
    expect(predict(ensemble, [[0, 0], [0, 1], [0, 0.25], [0, 0.2499999], [0, null], [9, NaN]])).toEqual([1.75, 1, 1, 1.75, 1.75, 1.75]);
    // Fewer columns than features: the rest are missing, as in XGBoost.
    expect(predict(ensemble, [[7]])).toEqual([1.75]);
  });

  it('reads booleans in default_left too', () => {
    const doc = tinyModel();
    doc.learner.gradient_booster.model.trees[0].default_left = [false, false, false];
    expect(predict(ensembleFromJson(doc), [[0, null]])).toEqual([1]);
  });

  for (const name of ['xgboost-iris', 'xgboost-iris-softprob', 'xgboost-binary', 'xgboost-regression']) {
    it(`reads ${name} rewritten in the 2.x shape to XGBoost's own answers`, () => {
      const ensemble = ensembleFromJson(as2x(load17(name)));
      for (const c of expected(name).cases) expect(predict(ensemble, c.input)).toEqual(c.output);
    });
  }

  it('reads a UBJSON document (typed arrays) rewritten in the 2.x shape to the same answers', () => {
    const doc = decodeUbjson(new Uint8Array(readFileSync(`${fixture('xgboost-binary')}/model.ubj`))) as Doc;
    const ensemble = ensembleFromJson(as2x(doc));
    for (const c of expected('xgboost-binary').cases) expect(predict(ensemble, c.input)).toEqual(c.output);
  });

  it('refuses objectives other than the four it serves, naming them', () => {
    const doc = tinyModel();
    doc.learner.objective.name = 'reg:logistic';
    expect(refusal(doc)).toBe(
      'objective "reg:logistic" is not supported by this XGBoost runtime; it serves multi:softmax, multi:softprob, ' +
        'binary:logistic, reg:squarederror. Retrain with one of them, or serve the model with XGBoost itself.',
    );
  });

  it('refuses what it cannot predict exactly: linear boosters, categorical splits, vector leaves, several targets', () => {
    const cases: Array<[(d: Doc) => void, RegExp]> = [
      [(d) => (d.learner.gradient_booster = { name: 'gblinear', model: {} }), /booster "gblinear" is not supported/],
      [(d) => (d.learner.gradient_booster.model.trees[0].split_type = [1, 0, 0]), /node 0 is a categorical split/],
      [(d) => (d.learner.gradient_booster.model.trees[0].tree_param.size_leaf_vector = '3'), /vector leaves \(size_leaf_vector 3\)/],
      [(d) => (d.learner.learner_model_param.num_target = '2'), /predicts 2 targets at once/],
      [(d) => (d.learner.learner_model_param.base_score = '[1E-1,2E-1]'), /base_score holds 2 values/],
    ];
    for (const [change, message] of cases) {
      const doc = tinyModel();
      change(doc);
      expect(refusal(doc)).toMatch(message);
    }
  });

  it('refuses broken documents with the path of what is wrong', () => {
    const tree = 'learner.gradient_booster.model.trees[0]';
    const cases: Array<[(d: Doc) => void, string | RegExp]> = [
      [(d) => delete d.learner.gradient_booster.model.trees, 'learner.gradient_booster.model.trees is missing'],
      [(d) => (d.learner.gradient_booster.model.trees[0].split_conditions[1] = '0.25'), `${tree}.split_conditions[1] should be a number, got the string "0.25"`],
      [(d) => (d.learner.gradient_booster.model.trees[0].left_children = [5, -1, -1]), `${tree}: node 0 has children 5 and 2, which do not fit a tree of 3 nodes`],
      [(d) => (d.learner.gradient_booster.model.trees[0].right_children = [1, -1, -1]), /node 0 has children 1 and 1/],
      [(d) => (d.learner.gradient_booster.model.trees[0].split_indices = [2, 0, 0]), `${tree}: node 0 splits on feature 2, but the model has 2 features`],
      [(d) => (d.learner.gradient_booster.model.trees[0].default_left = [1, 0]), `${tree}: default_left has 2 entries, left_children has 3`],
      [(d) => (d.learner.gradient_booster.model.trees[0].tree_param.num_nodes = '4'), `${tree} declares 4 nodes but has 3`],
      [(d) => (d.learner.gradient_booster.model.gbtree_model_param.num_trees = '2'), /declares 2 trees but has 1 trees/],
      [(d) => (d.learner.gradient_booster.model.tree_info = [1]), /tree_info\[0\] is 1, but the model has 1 output groups/],
      [(d) => (d.learner.learner_model_param.num_feature = '-1'), /num_feature should be a non-negative integer/],
      [(d) => (d.learner.learner_model_param.num_feature = '999999999999'), 'the model declares 999999999999 features, more than the 16777216 this runtime accepts'],
      [(d) => (d.learner.learner_model_param.base_score = 'half'), /base_score is not a number/],
      [(d) => (d.learner.objective = 'reg:squarederror'), 'learner.objective should be an object, got the string "reg:squarederror"'],
    ];
    for (const [change, message] of cases) {
      const doc = tinyModel();
      change(doc);
      const got = refusal(doc);
      if (typeof message === 'string') expect(got).toBe(message);
      else expect(got).toMatch(message);
    }
    expect(refusal(null)).toBe('the model should be an object, got null');
    expect(refusal([])).toBe('the model should be an object, got a list');
  });

  it('refuses a logistic base_score outside (0, 1) and a multi-class model without classes', () => {
    const doc = tinyModel();
    doc.learner.objective.name = 'binary:logistic';
    doc.learner.learner_model_param.base_score = '1';
    expect(refusal(doc)).toBe('base_score must be in (0,1) for logistic loss, got: 1');
    doc.learner.objective.name = 'multi:softprob';
    expect(refusal(doc)).toBe('objective multi:softprob needs num_class of at least 1, the model says 0');
  });

  it('refuses a cycle between nodes instead of looping forever', () => {
    const doc = tinyModel();
    const t = doc.learner.gradient_booster.model.trees[0];
    Object.assign(t, {
      left_children: [1, 1, -1], right_children: [2, 2, -1], split_indices: [0, 0, 0],
      split_conditions: [1, 1, 1], default_left: [0, 0, 0], split_type: [0, 0, 0],
    });
    expect(refusal(doc)).toMatch(/node 1 has children 1 and 2/);
  });

  it('survives random damage to a document: a clear Error, or a model that predicts (fuzz)', () => {
    // Every place in the tiny model that holds a value, as a path of keys.
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      paths.push(path);
    };
    walk(tinyModel(), []);
    const damage = fc.array(fc.tuple(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(damage, (changes) => {
        let doc: unknown = tinyModel();
        for (const [i, value] of changes) {
          const path = paths[i];
          if (path.length === 0) doc = value;
          else {
            let at = doc as Doc | null;
            for (const k of path.slice(0, -1)) at = at !== null && typeof at === 'object' ? at[k] : null;
            if (at !== null && typeof at === 'object') at[path[path.length - 1]] = value;
          }
        }
        let ensemble;
        try {
          ensemble = ensembleFromJson(doc);
        } catch (err) {
          expect((err as Error).constructor).toBe(Error);
          return;
        }
        const width = Math.min(ensemble.numFeature, 2);
        const out = predict(ensemble, [[0, 0].slice(0, width), [null, null].slice(0, width)]);
        expect(out).toHaveLength(2);
      }),
      { numRuns: 2000 },
    );
  });
});
