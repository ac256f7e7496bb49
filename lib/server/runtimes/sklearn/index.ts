// SPDX-License-Identifier: Apache-2.0
// The SKLEARN_SERVER runtime: scikit-learn models from joblib/pickle files, served in TypeScript.
//
//   const model = await loadSklearnModel('/mnt/models');              // predict_proba
//   const model = await loadSklearnModel(dir, { method: 'predict' });
//   model.predict([[1, 2, 3, 4]], [])  // [[0.000698..., 0.003668..., 0.995633...]]

export { SklearnServer, loadSklearnModel, type SklearnServerOptions } from './sklearn-server.js';
export { MODEL_FILES, ModelLoadError, findModelFile, loadEstimator } from './model-file.js';
export { InputError, toMatrix, type Estimator, type Label, type LabelDType, type Matrix } from './estimator.js';
export { SUPPORTED_ESTIMATORS, estimatorFrom, sklearnClasses } from './registry.js';
export { UnsupportedModelError } from './state.js';
export { LogisticRegression } from './logistic-regression.js';
export { LinearRegression } from './linear-regression.js';
export { StandardScaler } from './standard-scaler.js';
export { Pipeline } from './pipeline.js';
export { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js';
export { RandomForestClassifier, RandomForestRegressor } from './random-forest.js';
export { Tree } from './tree.js';
