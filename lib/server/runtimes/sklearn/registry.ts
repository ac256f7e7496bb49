// SPDX-License-Identifier: Apache-2.0
// The scikit-learn classes this runtime serves, under every module path they were pickled from.
//
// A pickle names a class by the module that defined it, and scikit-learn moved its modules:
// 0.22 made them private (`sklearn.linear_model.logistic` became `sklearn.linear_model._logistic`)
// and 0.24 removed the old paths, so files from before 0.22 name the old ones. Each class below is
// listed under all its paths.
// This list is also the allow-list of classes (`sklearnClasses`): a model file may name these,
// numpy's and joblib's data types, and nothing else.

import { PyObject, extensionClass, pythonClass, type AllowedGlobal } from '../../pickle/index.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js';
import type { Estimator } from './estimator.js';
import { LinearRegression } from './linear-regression.js';
import { LogisticRegression } from './logistic-regression.js';
import { Pipeline } from './pipeline.js';
import { RandomForestClassifier, RandomForestRegressor } from './random-forest.js';
import { StandardScaler } from './standard-scaler.js';
import { State, UnsupportedModelError } from './state.js';

type Builder = (state: State) => Estimator;

const ESTIMATORS: ReadonlyArray<{ modules: readonly string[]; name: string; build: Builder }> = [
  { modules: ['sklearn.pipeline'], name: 'Pipeline', build: (s) => new Pipeline(s, estimatorFrom) },
  { modules: ['sklearn.preprocessing._data', 'sklearn.preprocessing.data'], name: 'StandardScaler', build: (s) => new StandardScaler(s) },
  { modules: ['sklearn.linear_model._logistic', 'sklearn.linear_model.logistic'], name: 'LogisticRegression', build: (s) => new LogisticRegression(s) },
  { modules: ['sklearn.linear_model._base', 'sklearn.linear_model.base'], name: 'LinearRegression', build: (s) => new LinearRegression(s) },
  { modules: ['sklearn.tree._classes', 'sklearn.tree.tree'], name: 'DecisionTreeClassifier', build: (s) => new DecisionTreeClassifier(s) },
  { modules: ['sklearn.tree._classes', 'sklearn.tree.tree'], name: 'DecisionTreeRegressor', build: (s) => new DecisionTreeRegressor(s) },
  { modules: ['sklearn.ensemble._forest', 'sklearn.ensemble.forest'], name: 'RandomForestClassifier', build: (s) => new RandomForestClassifier(s) },
  { modules: ['sklearn.ensemble._forest', 'sklearn.ensemble.forest'], name: 'RandomForestRegressor', build: (s) => new RandomForestRegressor(s) },
];

const BUILDERS = new Map<string, Builder>(
  ESTIMATORS.flatMap(({ modules, name, build }) => modules.map((m): [string, Builder] => [`${m}.${name}`, build])),
);

/**
 * Every class a scikit-learn model file may name. Besides the estimators: the Tree inside tree
 * models (pickled as a call `Tree(n_features, n_classes, n_outputs)`), and numpy's RandomState,
 * which an estimator built with `random_state=np.random.RandomState(0)` carries. All of them
 * become inert PyObjects; the RandomState is never used (prediction needs no randomness).
 */
export const sklearnClasses: readonly AllowedGlobal[] = [
  ...ESTIMATORS.flatMap(({ modules, name }) => modules.map((m) => pythonClass(m, name))),
  extensionClass('sklearn.tree._tree', 'Tree'),
  extensionClass('numpy.random._pickle', '__randomstate_ctor'),
  { module: 'numpy.random._pickle', name: '__bit_generator_ctor' },
  pythonClass('numpy.random.mtrand', 'RandomState'),
];

/** The names of the estimators this runtime serves, e.g. for an error message. */
export const SUPPORTED_ESTIMATORS = ESTIMATORS.map((e) => e.name);

// Objects being built right now: a pipeline that contains itself, or pipelines nested absurdly
// deep (both possible in a crafted pickle), are errors rather than an endless recursion.
const underConstruction = new Set<PyObject>();

/** Rebuilds a supported estimator from what the unpickler returned. */
export function estimatorFrom(value: unknown, where = 'the model file'): Estimator {
  if (!(value instanceof PyObject)) {
    throw new UnsupportedModelError(`${where} holds ${value === null ? 'None' : 'plain data'}, not a scikit-learn estimator`);
  }
  const build = BUILDERS.get(value.qualifiedName);
  if (!build) {
    throw new UnsupportedModelError(
      `${where} holds a ${value.qualifiedName}, which this server cannot run (supported: ${SUPPORTED_ESTIMATORS.join(', ')})`,
    );
  }
  if (underConstruction.has(value)) throw new UnsupportedModelError(`${where} contains itself`);
  if (underConstruction.size >= 64) throw new UnsupportedModelError(`${where}: estimators nested more than 64 deep`);
  underConstruction.add(value);
  try {
    return State.cached(value, () => build(new State(value)));
  } finally {
    underConstruction.delete(value);
  }
}
