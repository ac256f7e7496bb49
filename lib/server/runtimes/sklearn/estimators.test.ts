// SPDX-License-Identifier: Apache-2.0
// Rebuilding estimators from pickled state: class paths across scikit-learn versions, the rules
// that depend on attributes (one-vs-rest or multinomial, pipeline methods), and state that a
// tampered file could use against the server (tree cycles, self-containing pipelines).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { Dtype, NdArray, PyObject, loadPickle, tuple, type PickleStream } from '../../pickle/index.js';
import { InputError, toMatrix } from './estimator.js';
import { LogisticRegression } from './logistic-regression.js';
import { Pipeline } from './pipeline.js';
import { estimatorFrom, sklearnClasses } from './registry.js';
import { UnsupportedModelError } from './state.js';

/** The object a fixture file holds (freshly unpickled, so tests may change it). */
const load = (name: string, file = 'model.joblib') =>
  loadPickle(readFileSync(fromRoot('cluster', 'models', 'fixtures', `sklearn-${name}`, file)), { classes: sklearnClasses }) as PyObject;

/** A copy of `obj` under another class path, with the same state. */
function renamed(obj: PyObject, qualifiedName: string): PyObject {
  const copy = new PyObject(qualifiedName, obj.args);
  copy.state = new Map(obj.state as Map<unknown, unknown>);
  return copy;
}

describe('class paths across scikit-learn versions', () => {
  it('reads estimators saved under the old public module paths (< 0.22) and the private ones', () => {
    const [[, lr]] = load('iris').get('steps') as [string, PyObject][];
    for (const path of ['sklearn.linear_model._logistic.LogisticRegression', 'sklearn.linear_model.logistic.LogisticRegression']) {
      expect(sklearnClasses.some((g) => `${g.module}.${g.name}` === path)).toBe(true);
      expect(estimatorFrom(renamed(lr, path))).toBeInstanceOf(LogisticRegression);
    }
  });

  it('names a class it cannot serve', () => {
    expect(() => estimatorFrom(new PyObject('sklearn.svm._classes.SVC'))).toThrow(/holds a sklearn\.svm\._classes\.SVC, which this server cannot run \(supported: Pipeline/);
    expect(() => estimatorFrom([1, 2])).toThrow(/plain data, not a scikit-learn estimator/);
  });
});

describe('LogisticRegression', () => {
  const lrOf = () => (load('iris').get('steps') as [string, PyObject][])[0][1];

  it('uses one-vs-rest for liblinear and "ovr", softmax for "multinomial"', () => {
    const lr = lrOf();
    expect((estimatorFrom(lr) as LogisticRegression).ovr).toBe(true);
    (lr.state as Map<string, unknown>).set('multi_class', 'multinomial');
    expect((estimatorFrom(renamed(lr, lr.qualifiedName)) as LogisticRegression).ovr).toBe(false);
  });

  it('treats "deprecated" (scikit-learn 1.5+) and a missing multi_class as "auto"', () => {
    for (const value of ['deprecated', undefined]) {
      const lr = renamed(lrOf(), 'sklearn.linear_model._logistic.LogisticRegression');
      const state = lr.state as Map<string, unknown>;
      if (value === undefined) state.delete('multi_class');
      else state.set('multi_class', value);
      // 3 classes with liblinear: auto means one-vs-rest
      expect((estimatorFrom(lr) as LogisticRegression).ovr).toBe(true);
      state.set('solver', 'lbfgs');
      expect((estimatorFrom(renamed(lr, lr.qualifiedName)) as LogisticRegression).ovr).toBe(false);
    }
  });

  it('refuses coefficients that do not match the classes', () => {
    const lr = renamed(lrOf(), 'sklearn.linear_model._logistic.LogisticRegression');
    (lr.state as Map<string, unknown>).set('classes_', load('logistic-binary').get('classes_'));
    expect(() => estimatorFrom(lr)).toThrow(/3 coefficient rows for 2 classes/);
    const flat = renamed(lrOf(), 'sklearn.linear_model._logistic.LogisticRegression');
    (flat.state as Map<string, unknown>).set('coef_', (flat.state as Map<string, unknown>).get('intercept_'));
    expect(() => estimatorFrom(flat)).toThrow(new UnsupportedModelError('LogisticRegression.coef_ should be a 2-D numeric array'));
  });
});

describe('Pipeline', () => {
  it('has exactly the methods of its final step', () => {
    const forestInPipeline = new PyObject('sklearn.pipeline.Pipeline');
    forestInPipeline.state = new Map<string, unknown>([['steps', [tuple(['forest', load('forest-classifier')])]]]);
    const pipeline = estimatorFrom(forestInPipeline) as Pipeline;
    expect(pipeline.predictProba).toBeTypeOf('function');
    expect(pipeline.predict).toBeTypeOf('function');
    expect(pipeline.decisionFunction).toBeUndefined();
    expect(pipeline.nFeaturesIn).toBe(4);
  });

  it('skips "passthrough" steps', () => {
    const iris = load('iris');
    const steps = iris.get('steps') as unknown[];
    (iris.state as Map<string, unknown>).set('steps', [tuple(['nothing', 'passthrough']), ...steps]);
    const pipeline = estimatorFrom(iris) as Pipeline;
    expect((pipeline.predictProba!(toMatrix([[1, 2, 3, 4]], 'Pipeline'))[0][2])).toBeCloseTo(0.9956, 4);
  });

  it('refuses a pipeline that contains itself (possible only in a crafted file)', () => {
    const loop = new PyObject('sklearn.pipeline.Pipeline');
    loop.state = new Map<string, unknown>([['steps', [tuple(['me', loop])]]]);
    expect(() => estimatorFrom(loop)).toThrow(/contains itself/);
  });
});

describe('trees', () => {
  it('refuses a tree whose children point back up (a cycle would make predict loop forever)', () => {
    const model = load('tree-classifier');
    const nodes = (model.get('tree_') as PyObject).get('nodes') as NdArray;
    nodes.field('left_child').numbers()[1] = 0; // node 1's left child is now the root
    expect(() => estimatorFrom(model)).toThrow(/Tree node 1 has invalid children/);
  });

  it('refuses a feature index outside the model', () => {
    const model = load('tree-classifier');
    const nodes = (model.get('tree_') as PyObject).get('nodes') as NdArray;
    nodes.field('feature').numbers()[0] = 99;
    expect(() => estimatorFrom(model)).toThrow(/invalid children or feature/);
  });

  it('routes NaN by missing_go_to_left when the tree has it (scikit-learn >= 1.3)', () => {
    // Rebuild the nodes as scikit-learn 1.3 writes them: the same records plus a uint8 field.
    const model = load('tree-classifier');
    const tree = model.get('tree_') as PyObject;
    const old = tree.get('nodes') as NdArray;
    const names = old.dtype.fields!.map((f) => f.name);
    const n = old.shape[0];
    const record = new Dtype('V', 57);
    record.fields = [
      ...old.dtype.fields!.map((f) => ({ name: f.name, dtype: f.dtype, offset: f.offset })),
      { name: 'missing_go_to_left', dtype: new Dtype('u', 1), offset: 56 },
    ];
    const bytes = new Uint8Array(n * 57);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      for (const f of old.dtype.fields!) {
        const v = old.field(f.name).numbers()[i];
        if (f.dtype.kind === 'f') view.setFloat64(i * 57 + f.offset, v, true);
        else view.setBigInt64(i * 57 + f.offset, BigInt(v), true);
      }
    }
    const stream: PickleStream = { read: () => new Uint8Array(0), unpickleNested: () => null, claim: () => {}, offset: 0 };
    const nodes = (goLeft: number) => {
      for (let i = 0; i < n; i++) bytes[i * 57 + 56] = goLeft;
      return NdArray.fromBytes(record, [n], bytes, 'C', stream);
    };
    expect(names).not.toContain('missing_go_to_left');

    const leftOf = (goLeft: number) => {
      const copy = new PyObject(tree.qualifiedName, tree.args);
      copy.state = new Map(tree.state as Map<unknown, unknown>).set('nodes', nodes(goLeft));
      const clf = renamed(model, model.qualifiedName);
      (clf.state as Map<string, unknown>).set('tree_', copy);
      return estimatorFrom(clf).predict!([[NaN, NaN, NaN, NaN]]);
    };
    // All the way left from the root is setosa (petal length small); all the way right is not.
    expect(leftOf(1)).toEqual([0]);
    expect(leftOf(0)).not.toEqual([0]);
  });

  it('casts to float32 before comparing, and rejects values beyond float32', () => {
    const tree = estimatorFrom(load('tree-classifier'));
    expect(() => tree.predict!([[1e39, 1, 1, 1]])).toThrow("Input X contains infinity or a value too large for dtype('float32').");
    expect(() => tree.predict!([[NaN, 1, 1, 1]])).toThrow(/contains NaN/); // scikit-learn 1.2 trees do not route NaN
  });
});

describe('toMatrix', () => {
  it('accepts numbers and booleans', () => {
    expect(toMatrix([[1, true, false, 2.5]] as never, 'X')).toEqual([[1, 1, 0, 2.5]]);
  });

  it('rejects what check_array rejects, with its words', () => {
    expect(() => toMatrix(5 as never, 'X')).toThrow(/got scalar array/);
    expect(() => toMatrix([[1], 2] as never, 'X')).toThrow(InputError);
    expect(() => toMatrix([[{}]] as never, 'X')).toThrow(/not a number/);
  });
});
