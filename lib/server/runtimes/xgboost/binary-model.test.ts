// SPDX-License-Identifier: Apache-2.0
// The legacy binary format (model.bst): a file written here from the documented layout, XGBoost's
// own files, and damaged files.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { ensembleFromLegacyBinary } from './binary-model.js';
import { ensembleFromJson } from './json-model.js';
import { predict } from './predict.js';

interface NodeSpec {
  left: number;
  right: number;
  feature: number;
  defaultLeft: boolean;
  value: number;
}
interface ModelSpec {
  objective: string;
  booster?: string;
  baseScore: number;
  numFeature: number;
  numClass: number;
  trees: NodeSpec[][];
  treeInfo: number[];
  weightDrop?: number[];
  attributes?: Record<string, string>;
  header?: boolean;
  /** The XGBoost major version written in the file (1 unless said). */
  major?: number;
}

/** Writes a model in the layout binary-model.ts documents, independently of the reader. */
function writeLegacyBinary(spec: ModelSpec): Uint8Array {
  const parts: number[] = [];
  const put = (size: number, write: (d: DataView) => void) => {
    const d = new DataView(new ArrayBuffer(size));
    write(d);
    parts.push(...new Uint8Array(d.buffer));
  };
  const i32 = (v: number) => put(4, (d) => d.setInt32(0, v, true));
  const u32 = (v: number) => put(4, (d) => d.setUint32(0, v, true));
  const f32 = (v: number) => put(4, (d) => d.setFloat32(0, v, true));
  const u64 = (v: number) => put(8, (d) => d.setBigUint64(0, BigInt(v), true));
  const zeros = (n: number) => parts.push(...new Array<number>(n).fill(0));
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    parts.push(...b);
  };

  if (spec.header !== false) parts.push(...new TextEncoder().encode('binf'));
  // LearnerModelParam, 136 bytes
  f32(spec.baseScore);
  u32(spec.numFeature);
  i32(spec.numClass);
  i32(spec.attributes ? 1 : 0);
  i32(0); // contain_eval_metrics
  u32(spec.major ?? 1); // major version
  u32(spec.major === 0 ? 0 : 7); // minor version
  u32(1); // num_target
  i32(1); // boost_from_average
  zeros(25 * 4);
  str(spec.objective);
  str(spec.booster ?? 'gbtree');
  // GBTreeModelParam, 160 bytes
  i32(spec.trees.length);
  i32(1); // num_parallel_tree
  zeros(160 - 8);
  for (const nodes of spec.trees) {
    // TreeParam, 148 bytes
    i32(1); // num_roots
    i32(nodes.length);
    i32(0); // num_deleted
    zeros(148 - 12);
    for (const n of nodes) {
      i32(-1); // parent (unused to predict)
      i32(n.left);
      i32(n.right);
      u32((n.feature | (n.defaultLeft ? 0x80000000 : 0)) >>> 0);
      f32(n.value);
    }
    zeros(16 * nodes.length); // RTreeNodeStat
  }
  for (const g of spec.treeInfo) i32(g);
  if (spec.weightDrop) {
    u64(spec.weightDrop.length);
    for (const w of spec.weightDrop) f32(w);
  }
  if (spec.attributes) {
    const entries = Object.entries(spec.attributes);
    u64(entries.length);
    for (const [k, v] of entries) {
      str(k);
      str(v);
    }
  }
  return Uint8Array.from(parts);
}

const leaf = (value: number): NodeSpec => ({ left: -1, right: -1, feature: 0, defaultLeft: false, value });
const split = (feature: number, threshold: number, left: number, defaultLeft: boolean): NodeSpec => ({
  left,
  right: left + 1,
  feature,
  defaultLeft,
  value: threshold,
});

/** Two regression trees: x0 < 1 ? 0.5 : -0.25, and x1 < 2 ? 0.125 : 1 (missing: right, then left). */
const spec: ModelSpec = {
  objective: 'reg:squarederror',
  baseScore: 0.5,
  numFeature: 2,
  numClass: 0,
  trees: [
    [split(0, 1, 1, false), leaf(0.5), leaf(-0.25)],
    [split(1, 2, 1, true), leaf(0.125), leaf(1)],
  ],
  treeInfo: [0, 0],
  attributes: { best_iteration: '1' },
};

function refusal(bytes: Uint8Array): string {
  try {
    ensembleFromLegacyBinary(bytes);
  } catch (err) {
    expect((err as Error).constructor).toBe(Error);
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('ensembleFromLegacyBinary', () => {
  it('reads a file written from the documented layout, and predicts it as worked out by hand', () => {
    const model = ensembleFromLegacyBinary(writeLegacyBinary(spec));
    expect(model.objective).toBe('reg:squarederror');
    expect(model.version).toEqual([1, 7]);
    expect(model.attributes).toEqual({ best_iteration: '1' });
    // 0.5 + 0.5 + 0.125 = 1.125; 0.5 - 0.25 + 1 = 1.25; missing x0 goes right (-0.25), missing x1 left (0.125).
    expect(predict(model, [[0, 0], [1, 2], [null, null]])).toEqual([1.125, 1.25, 0.375]);
  });

  it('reads files without the "binf" marker (written before XGBoost 1.0)', () => {
    const model = ensembleFromLegacyBinary(writeLegacyBinary({ ...spec, header: false }));
    expect(predict(model, [[0, 0]])).toEqual([1.125]);
  });

  it('reads base_score of a file from before XGBoost 1.0 as a margin, as XGBoost 1.x does', () => {
    const logistic = { ...spec, objective: 'binary:logistic' };
    // 1.x writes the probability; 0.x wrote its margin. sigmoid(-0.5) = 0.37754068…
    const modern = ensembleFromLegacyBinary(writeLegacyBinary({ ...logistic, baseScore: 0.3775406687981454 }));
    const old = ensembleFromLegacyBinary(writeLegacyBinary({ ...logistic, baseScore: -0.5, major: 0 }));
    expect(old.version).toEqual([0, 0]);
    expect(old.baseScore).toBe(modern.baseScore);
    expect(old.baseMargin).toBeCloseTo(-0.5, 6);
    expect(predict(old, [[0, 0], [1, 2]])).toEqual(predict(modern, [[0, 0], [1, 2]]));
    // Multi-class objectives kept base_score as it was given, then as now.
    const multi = { ...spec, objective: 'multi:softprob', numClass: 2, treeInfo: [0, 1], baseScore: 0.5 };
    expect(ensembleFromLegacyBinary(writeLegacyBinary({ ...multi, major: 0 })).baseMargin).toBe(0.5);
  });

  it('applies dart weights as float32 products', () => {
    const model = ensembleFromLegacyBinary(writeLegacyBinary({ ...spec, booster: 'dart', weightDrop: [0.5, 2] }));
    // 0.5 + 0.5·0.5 + 0.125·2 = 1
    expect(predict(model, [[0, 0]])).toEqual([1]);
  });

  it("reads XGBoost's own model.bst files to the same model as their model.json", () => {
    for (const name of ['xgboost-iris', 'xgboost-missing', 'xgboost-dart']) {
      const dir = fromRoot('cluster/models/fixtures', name);
      const bst = ensembleFromLegacyBinary(new Uint8Array(readFileSync(`${dir}/model.bst`)));
      const json = ensembleFromJson(JSON.parse(readFileSync(`${dir}/model.json`, 'utf8')));
      expect(bst.version).toEqual([1, 7]);
      expect(bst.attributes.best_iteration).toBeDefined();
      const { trees: bstTrees, version: _v1, attributes: _a, ...bstRest } = bst;
      const { trees: jsonTrees, version: _v2, ...jsonRest } = json;
      expect(bstRest).toEqual(jsonRest);
      expect(bstTrees.length).toBe(jsonTrees.length);
      bstTrees.forEach((tree, t) => {
        // Compare the nodes reachable from the root (deleted nodes may carry other bits).
        const stack = [0];
        while (stack.length) {
          const n = stack.pop() as number;
          const pick = (x: typeof tree) => [x.left[n], x.right[n], x.value[n], x.left[n] === -1 ? 0 : x.feature[n], x.left[n] === -1 ? 0 : x.defaultLeft[n]];
          expect(pick(tree), `tree ${t} node ${n}`).toEqual(pick(jsonTrees[t]));
          if (tree.left[n] !== -1) stack.push(tree.left[n], tree.right[n]);
        }
      });
    }
  });

  it('refuses every truncation of a real model.bst with a clear Error', () => {
    const model = new Uint8Array(readFileSync(fromRoot('cluster/models/fixtures/xgboost-binary/model.bst')));
    for (let n = 0; n < model.length; n += 3) {
      expect(refusal(model.subarray(0, n))).toMatch(/truncated|declares/);
    }
  });

  it('refuses sizes larger than the file before allocating anything', () => {
    const bytes = writeLegacyBinary(spec);
    const view = new DataView(bytes.buffer);
    const treesAt = 4 + 136 + 8 + 'reg:squarederror'.length + 8 + 'gbtree'.length;
    const withInt = (at: number, v: number) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setInt32(at, v, true);
      return copy;
    };
    expect(refusal(withInt(treesAt, 2_000_000_000))).toMatch(/truncated or corrupt: it declares 2000000000 trees but has only \d+ bytes left/);
    expect(refusal(withInt(treesAt + 160 + 4, 1 << 30))).toMatch(/tree 0 declares 1073741824 nodes/);
    expect(refusal(withInt(4 + 4, 1 << 30))).toMatch(/declares 1073741824 features, more than/);
    const longName = bytes.slice();
    new DataView(longName.buffer).setBigUint64(4 + 136, 2n ** 60n, true);
    expect(refusal(longName)).toMatch(/the objective name declares 1152921504606846976 items/);
    expect(view.getUint32(0, true)).toBe(0x666e6962); // "binf"
  });

  it('refuses what it does not serve, by name', () => {
    expect(refusal(writeLegacyBinary({ ...spec, objective: 'rank:pairwise' }))).toMatch(/objective "rank:pairwise" is not supported/);
    expect(refusal(writeLegacyBinary({ ...spec, booster: 'gblinear' }))).toMatch(/booster "gblinear" is not supported/);
    expect(refusal(new TextEncoder().encode('bs64AAAA'))).toMatch(/base64 model/);
    expect(refusal(writeLegacyBinary({ ...spec, treeInfo: [0, 3] }))).toMatch(/tree_info\[1\] is 3, but the model has 1 output groups/);
    const badChild = { ...spec, trees: [[split(0, 1, 5, false), leaf(1), leaf(2)], spec.trees[1]] };
    expect(refusal(writeLegacyBinary(badChild))).toMatch(/tree 0: node 0 has children 5 and 6/);
    expect(refusal(writeLegacyBinary({ ...spec, booster: 'dart', weightDrop: [1] }))).toMatch(/weight_drop has 1 weights for 2 trees/);
  });

  it('survives random damage to a real file: a clear Error, or a model that predicts (fuzz)', () => {
    const model = new Uint8Array(readFileSync(fromRoot('cluster/models/fixtures/xgboost-binary/model.bst')));
    const damage = fc.array(fc.tuple(fc.nat(model.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(damage, (changes) => {
        const copy = model.slice();
        for (const [at, byte] of changes) copy[at] = byte;
        let ensemble;
        try {
          ensemble = ensembleFromLegacyBinary(copy);
        } catch (err) {
          expect((err as Error).constructor).toBe(Error);
          return;
        }
        expect(predict(ensemble, [[1, 2, 3, 4].slice(0, ensemble.numFeature)])).toHaveLength(1);
      }),
      { numRuns: 2000 },
    );
  });
});
