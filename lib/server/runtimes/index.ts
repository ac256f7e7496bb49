// SPDX-License-Identifier: Apache-2.0
// The runtime registry: which code serves a model, chosen by the graph node's `implementation`,
// as Seldon's operator picks a prepackaged server image:
//
//   SKLEARN_SERVER   scikit-learn model.joblib / model.pkl   (parameter `method`: predict_proba,
//                                                              predict or decision_function)
//   XGBOOST_SERVER   XGBoost model.json / model.ubj / model.bst
//   (a module)       your own TypeScript or JavaScript class (see custom.ts)
//
// Each runtime is loaded only when asked for, so serving one kind never loads the others.
import type { ModelOutput, PredictMethod, SeldonModel } from '../model.js';
import { MicroserviceError } from '../model.js';
import { markedDType, withDType, type DType } from '../dtype.js';
import { loadCustomModel } from './custom.js';
import { isPromise } from '../context.js';

export { loadCustomModel, pickExport, CustomModelError, type CustomModelOptions } from './custom.js';
export { parseSeldonParameters, convertParameter, type SeldonParameter, type ParameterType, type ParameterValue } from './parameters.js';

/** The prepackaged implementations this kit serves. */
export const IMPLEMENTATIONS = ['SKLEARN_SERVER', 'XGBOOST_SERVER'] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

export interface CreateModelOptions {
  /** SKLEARN_SERVER or XGBOOST_SERVER; leave unset when `modelModule` names your own model. */
  implementation?: string;
  /** The local folder holding the model files (the storage initializer's /mnt/models). */
  modelDir?: string;
  /** The node's typed parameters (`method` for SKLEARN_SERVER; anything for your own model). */
  parameters?: Record<string, unknown>;
  /** Your own model's module, and the exported class to serve. */
  modelModule?: string;
  modelClass?: string;
}

const METHODS: PredictMethod[] = ['predict_proba', 'predict', 'decision_function'];

function configError(message: string): MicroserviceError {
  return new MicroserviceError(message, 500, 'MICROSERVICE_BAD_PARAMETER');
}

/** Creates the model for `options`. The server calls its `load()` before it reports ready. */
export async function createModel(options: CreateModelOptions): Promise<SeldonModel> {
  const parameters = { ...options.parameters };
  if (options.modelModule) {
    return loadCustomModel({ modulePath: options.modelModule, className: options.modelClass, parameters: { ...parameters, model_uri: options.modelDir ?? parameters.model_uri } });
  }
  const implementation = options.implementation;
  if (!implementation) {
    throw configError(`No model to serve: give --implementation (${IMPLEMENTATIONS.join(' or ')}) with --model-uri, or --model-module for your own model.`);
  }
  if (!(IMPLEMENTATIONS as readonly string[]).includes(implementation)) {
    throw configError(`Unknown implementation ${implementation}; this server runs ${IMPLEMENTATIONS.join(', ')}, or your own model with --model-module.`);
  }
  if (!options.modelDir) throw configError(`${implementation} needs a model folder: give --model-uri (or the model_uri parameter).`);
  if (implementation === 'SKLEARN_SERVER') {
    const method = (parameters.method ?? 'predict_proba') as PredictMethod;
    if (!METHODS.includes(method)) throw configError(`Bad model parameter: method ${String(method)}; use one of ${METHODS.join(', ')}`);
    const { loadSklearnModel } = await import('./sklearn/index.js');
    // It marks its own answers: float64 probabilities, labels in the classes' dtype.
    return loadSklearnModel(options.modelDir, { method });
  }
  const { loadXGBoostModel } = await import('./xgboost/index.js');
  // XGBoost's Booster.predict answers float32 arrays: `2.0`, never `2`.
  return markOutputs(await loadXGBoostModel(options.modelDir), 'float32');
}

/**
 * Marks the arrays `model.predict` returns with `dtype` unless the runtime marked them itself,
 * so a float result whose values happen to be whole (a probability of exactly 1) is still
 * written `1.0`, as numpy writes it.
 */
export function markOutputs(model: SeldonModel, dtype: DType): SeldonModel {
  const predict = model.predict.bind(model);
  const mark = (out: ModelOutput): ModelOutput => {
    if (Array.isArray(out) && !markedDType(out)) withDType(out, dtype);
    return out;
  };
  model.predict = (X, names, meta) => {
    const out = predict(X, names, meta);
    return isPromise(out) ? out.then(mark) : mark(out);
  };
  return model;
}
