// SPDX-License-Identifier: Apache-2.0
// Every fixture model, in every file format, predicts exactly what XGBoost 1.7.4 predicted for it.
//
// The fixtures and their expected.json come from cluster/models/make_xgboost_models.py, which asks
// XGBoost itself. "Exactly" means bit for bit: XGBoost's float32 answers, widened to float64, must
// equal ours (Object.is, so even -0 and 0 would differ).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { f32 } from './float32.js';
import { readModelFile } from './model-file.js';
import { predict } from './predict.js';

interface Case {
  name: string;
  input: Array<Array<number | null>>;
  margin: Array<number | number[]>;
  output: Array<number | number[]>;
}
interface Expected {
  objective: string;
  booster: string;
  num_feature: number;
  files: string[];
  cases: Case[];
}

const root = fromRoot('cluster/models/fixtures');
const fixtures = readdirSync(root).filter((name) => name.startsWith('xgboost-') && name !== 'xgboost-libm');
const expectedOf = (name: string): Expected => JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as Expected;

/** Values that differ bit for bit, as [case, row, expected, got], so a failure shows where. */
function mismatches(name: string, want: Array<number | number[]>, got: Array<number | number[]>): unknown[] {
  const out: unknown[] = [];
  if (want.length !== got.length) return [[name, 'length', want.length, got.length]];
  want.forEach((w, row) => {
    const g = got[row];
    const same = Array.isArray(w)
      ? Array.isArray(g) && w.length === g.length && w.every((v, i) => Object.is(v, g[i]))
      : Object.is(w, g);
    if (!same) out.push([name, row, w, g]);
  });
  return out;
}

const nullsAsNaN = (rows: Array<Array<number | null>>): number[][] => rows.map((row) => row.map((v) => v ?? NaN));

describe('XGBoost fixtures', () => {
  it('are all there: the six trained models of the script and three hand-made ones', () => {
    expect(fixtures.sort()).toEqual([
      'xgboost-binary',
      'xgboost-dart',
      'xgboost-expf-sigmoid',
      'xgboost-expf-softmax',
      'xgboost-iris',
      'xgboost-iris-softprob',
      'xgboost-logf-base-score',
      'xgboost-missing',
      'xgboost-regression',
    ]);
  });

  for (const name of fixtures) {
    const expected = expectedOf(name);
    for (const file of expected.files) {
      it(`${name}/${file} predicts what XGBoost predicted, bit for bit`, async () => {
        const { ensemble } = await readModelFile(join(root, name, file));
        expect(ensemble.objective).toBe(expected.objective);
        expect(ensemble.numFeature).toBe(expected.num_feature);
        expect(ensemble.treeWeight !== undefined).toBe(expected.booster === 'dart');
        const wrong: unknown[] = [];
        for (const c of expected.cases) {
          // null is how JSON spells NaN; both must count as missing.
          wrong.push(...mismatches(c.name, c.output, predict(ensemble, c.input)));
          wrong.push(...mismatches(c.name, c.output, predict(ensemble, nullsAsNaN(c.input))));
          wrong.push(...mismatches(`${c.name} (margin)`, c.margin, predict(ensemble, c.input, { outputMargin: true })));
        }
        expect(wrong).toEqual([]);
      });
    }
  }

  it('gives 2.0 for the seed request [[1,2,3,4]] on the iris (multi:softmax) model', async () => {
    for (const file of ['model.bst', 'model.json', 'model.ubj']) {
      const { ensemble } = await readModelFile(join(root, 'xgboost-iris', file));
      expect(predict(ensemble, [[1, 2, 3, 4]])).toEqual([2]);
    }
  });

  it('shapes answers as booster.predict does: 2-D for softprob, 1-D otherwise', async () => {
    const shapes: Record<string, unknown> = {};
    for (const name of ['xgboost-iris', 'xgboost-iris-softprob', 'xgboost-binary', 'xgboost-regression']) {
      const { ensemble } = await readModelFile(join(root, name, 'model.json'));
      const rows = Array.from({ length: 2 }, () => Array<number>(ensemble.numFeature).fill(1));
      const out = predict(ensemble, rows);
      shapes[name] = [out.length, Array.isArray(out[0]) ? (out[0] as number[]).length : 'scalar'];
    }
    expect(shapes).toEqual({
      'xgboost-iris': [2, 'scalar'],
      'xgboost-iris-softprob': [2, 3],
      'xgboost-binary': [2, 'scalar'],
      'xgboost-regression': [2, 'scalar'],
    });
  });

  it('has fixtures that a float32(exp(x)) sigmoid or softmax would get wrong (so they do test expf)', () => {
    const naiveExp = (x: number) => f32(Math.exp(x));
    const sigmoid = expectedOf('xgboost-expf-sigmoid').cases[0];
    const naiveSigmoid = (sigmoid.margin as number[]).map((m) => f32(1 / f32(f32(naiveExp(Math.min(-m, f32(88.7))) + 1) + f32(1e-16))));
    expect(naiveSigmoid.filter((v, i) => !Object.is(v, sigmoid.output[i])).length).toBeGreaterThan(0);

    const softmax = expectedOf('xgboost-expf-softmax').cases[0];
    const naiveSoftmax = (softmax.margin as number[][]).map((m) => {
      const e = m.map((v) => naiveExp(f32(v - Math.max(...m))));
      const sum = f32(e.reduce((a, b) => a + b, 0));
      return e.map((v) => f32(v / sum));
    });
    expect(mismatches('naive softmax', softmax.output, naiveSoftmax).length).toBeGreaterThan(0);
  });

  it('has a logistic base_score that a float32(log(x)) base margin would get wrong (so it tests logf)', async () => {
    const { ensemble } = await readModelFile(join(root, 'xgboost-logf-base-score', 'model.json'));
    const naiveMargin = -f32(Math.log(f32(f32(1 / ensemble.baseScore) - 1)));
    const xgboostMargin = expectedOf('xgboost-logf-base-score').cases[0].margin[0]; // the row in the 0 leaf
    expect(ensemble.baseMargin).toBe(xgboostMargin);
    expect(naiveMargin).not.toBe(xgboostMargin);
  });

  it('has a model trained with missing values whose trees send them both ways', async () => {
    const { ensemble } = await readModelFile(join(root, 'xgboost-missing', 'model.json'));
    const directions = new Set<number>();
    for (const tree of ensemble.trees) tree.left.forEach((l, i) => l !== -1 && directions.add(tree.defaultLeft[i]));
    expect([...directions].sort()).toEqual([0, 1]);
  });
});
