// SPDX-License-Identifier: Apache-2.0
// The XGBoost runtime (XGBOOST_SERVER): XGBoost model files served without XGBoost.
//
// `loadXGBoostModel(dir)` is what the server calls. The rest is here for lessons and tests: read
// a model file, predict with it, decode UBJSON.
export { loadXGBoostModel, XGBoostServer, type XGBoostModelSummary } from './server.js';
export {
  findModelFile,
  readModelFile,
  parseModel,
  sniffFormat,
  MODEL_FILE_NAMES,
  type LoadedModelFile,
  type ModelFormat,
} from './model-file.js';
export { predict, type PredictOptions } from './predict.js';
export type { Tree, TreeEnsemble } from './ensemble.js';
export { SUPPORTED_OBJECTIVES, type Objective } from './objective.js';
export { decodeUbjson, UbjsonError, type UbjsonValue } from './ubjson.js';
