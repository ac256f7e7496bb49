// SPDX-License-Identifier: Apache-2.0
// SKLEARN_SERVER: Seldon's prepackaged scikit-learn server, as a SeldonModel.
//
// It behaves like Seldon's SKLearnServer (servers/sklearnserver/SKLearnServer.py, v1.11):
//  - load(): reads model.joblib (or model.pkl) from the model folder, and metadata.yaml if present;
//  - predict(X): calls predict_proba (the default), decision_function or predict, chosen by the
//    `method` parameter (any other value means predict, as in Python);
//  - when that call fails (5 features for a 4-feature model, strings, a method the estimator
//    lacks), SKLearnServer logs the exception and returns None, which the protocol layer answers
//    with HTTP 400 "Unknown data type returned as payload (must be list or np array):None".
//    We do the same: the reason goes to console.error (shapes only, never the data) and predict
//    returns null.
// The only difference: a file that cannot be served fails load() with the reason, instead of
// a Python traceback.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { asFloats, withDType } from '../../dtype.js';
import { MicroserviceError, type ModelMetadata, type ModelOutput, type NDArray, type PredictMethod, type SeldonModel } from '../../model.js';
import type { UnpickleLimits } from '../../pickle/index.js';
import { toMatrix, type Estimator } from './estimator.js';
import { findModelFile, loadEstimator } from './model-file.js';

export interface SklearnServerOptions {
  /** predict_proba (default), decision_function or predict. */
  method?: PredictMethod;
  /** Limits for the unpickler (file size, memory); the defaults suit models up to hundreds of MB. */
  limits?: Partial<UnpickleLimits>;
  /** Where to log; console by default. */
  log?: Pick<Console, 'error' | 'warn'>;
}

const PYTHON_NAMES = { predict_proba: 'predictProba', decision_function: 'decisionFunction', predict: 'predict' } as const;

export class SklearnServer implements SeldonModel {
  readonly method: PredictMethod;
  private estimator?: Estimator;
  private meta: Partial<ModelMetadata> = {};
  private loading?: Promise<void>;
  private readonly log: Pick<Console, 'error' | 'warn'>;

  constructor(
    /** The folder holding model.joblib (Seldon's `model_uri`, /mnt/models in a pod). */
    readonly modelDir: string,
    private readonly options: SklearnServerOptions = {},
  ) {
    // Like SKLearnServer: predict_proba and decision_function by name, anything else is predict.
    const method = options.method ?? 'predict_proba';
    this.method = method === 'predict_proba' || method === 'decision_function' ? method : 'predict';
    this.log = options.log ?? console;
  }

  /** The estimator, once loaded (e.g. to show in a lesson what the file held). */
  get model(): Estimator | undefined {
    return this.estimator;
  }

  /** Loads the model once; calling it again returns the same promise (a failed load can be retried). */
  load(): Promise<void> {
    this.loading ??= this.loadOnce().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const file = await findModelFile(this.modelDir);
    const estimator = await loadEstimator(file, this.options.limits);
    this.meta = await this.readMetadata();
    if (!estimator[PYTHON_NAMES[this.method]]) {
      this.log.warn(
        `SKLearnServer: ${estimator.className} has no ${this.method}; every prediction will fail with HTTP 400. ` +
          'Set the method parameter to one it has (predict_proba, decision_function or predict).',
      );
    }
    this.estimator = estimator;
  }

  /** SKLearnServer.init_metadata: metadata.yaml if present and valid, else {} (with a log line if invalid). */
  private async readMetadata(): Promise<Partial<ModelMetadata>> {
    const path = join(this.modelDir, 'metadata.yaml');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return {};
    }
    try {
      const doc: unknown = parseYaml(text);
      if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) return doc as Partial<ModelMetadata>;
    } catch {
      // reported below, like Python's yaml.YAMLError
    }
    this.log.error(`metadata file ${path} present but does not contain valid yaml`);
    return {};
  }

  health(): boolean {
    return this.estimator !== undefined;
  }

  metadata(): Partial<ModelMetadata> {
    return this.meta;
  }

  /** SKLearnServer.predict(X, feature_names): the names are not used, as in Python. */
  predict(X: NDArray, _names: string[] = []): ModelOutput {
    const estimator = this.estimator;
    if (!estimator) throw new MicroserviceError('The scikit-learn model is not loaded yet', 500, 'MICROSERVICE_INTERNAL_ERROR');
    try {
      const matrix = toMatrix(X, estimator.className);
      const method = estimator[PYTHON_NAMES[this.method]];
      if (!method) throw new Error(`'${estimator.className}' object has no attribute '${this.method}'`);
      const result = method.call(estimator, matrix);
      // Mark the dtype, so the server writes 0.5 and 1.0 for floats and 2 for int64 labels.
      return this.method === 'predict' ? withDType(result, estimator.labelDType) : asFloats(result);
    } catch (error) {
      this.log.error(`SKLearnServer: ${this.method} failed on input of shape ${shapeOf(X)}: ${(error as Error).message}`);
      return null;
    }
  }
}

/** Loads the scikit-learn model in `dir` and returns it ready to serve (load() already done). */
export async function loadSklearnModel(dir: string, opts: SklearnServerOptions = {}): Promise<SeldonModel> {
  const model = new SklearnServer(dir, opts);
  await model.load();
  return model;
}

/** numpy's shape of a nested list, e.g. "(1, 5)", for logs that must not contain the data. */
function shapeOf(X: unknown): string {
  const dims: number[] = [];
  let level: unknown = X;
  while (Array.isArray(level) && dims.length < 32) {
    dims.push(level.length);
    level = level[0];
  }
  return Array.isArray(X) ? `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})` : 'scalar';
}
