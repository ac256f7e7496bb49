// SPDX-License-Identifier: Apache-2.0
// XGBOOST_SERVER: Seldon's prepackaged XGBoost server, as a SeldonModel.
//
// Seldon's Python version (servers/xgboostserver/XGBoostServer.py) is small, and so is this:
//   load()     reads the model file of the model folder (see model-file.ts for which one);
//   predict()  returns booster.predict(DMatrix(X)); it takes no `method` parameter, and it lets
//              errors through (a wrong feature count becomes HTTP 500 MICROSERVICE_INTERNAL_ERROR,
//              unlike the scikit-learn server, which swallows them);
//   metadata() returns the folder's metadata.yaml, or {} when there is none.
// Like Seldon's, predict() loads the model first if nobody called load().
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { withDType } from '../../dtype.js';
import type { ModelMetadata, ModelOutput, NDArray, SeldonMeta, SeldonModel } from '../../model.js';
import { findModelFile, readModelFile, type LoadedModelFile, type ModelFormat } from './model-file.js';
import { predict } from './predict.js';

/** What was loaded, for logs and lessons. */
export interface XGBoostModelSummary {
  file: string;
  format: ModelFormat;
  objective: string;
  booster: 'gbtree' | 'dart';
  features: number;
  outputGroups: number;
  trees: number;
  /** The XGBoost version that wrote the file, e.g. "1.7.4" (the binary format keeps major.minor only). */
  writtenBy?: string;
}

export class XGBoostServer implements SeldonModel {
  private loading?: Promise<LoadedModelFile>;
  private model?: LoadedModelFile;

  /** `modelDir`: the local folder the storage initializer filled (Seldon's /mnt/models). */
  constructor(readonly modelDir: string) {}

  /** Reads and checks the model file. Safe to call more than once; a failure can be retried. */
  async load(): Promise<void> {
    this.loading ??= findModelFile(this.modelDir).then(readModelFile);
    try {
      this.model = await this.loading;
    } catch (err) {
      this.loading = undefined;
      throw err;
    }
  }

  /** Column names and meta are accepted and ignored, as in Seldon's XGBoost server. */
  predict(X: NDArray, _names?: string[], _meta?: SeldonMeta): ModelOutput | Promise<ModelOutput> {
    // Answer synchronously once loaded: no promise per request on the hot path.
    if (this.model) return this.answer(this.model, X);
    return this.load().then(() => this.answer(this.model as LoadedModelFile, X));
  }

  /** XGBoost answers a float32 numpy array, so Seldon writes 2.0, never 2: the dtype mark says so. */
  private answer(model: LoadedModelFile, X: NDArray): ModelOutput {
    return withDType(predict(model.ensemble, X), 'float32');
  }

  /** The folder's metadata.yaml, as Seldon's server reads it; {} when absent or not valid YAML. */
  async metadata(): Promise<Partial<ModelMetadata>> {
    const file = join(this.modelDir, 'metadata.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return {};
    }
    try {
      const doc: unknown = parseYaml(text);
      return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Partial<ModelMetadata>) : {};
    } catch (err) {
      console.error(`metadata file ${file} present but does not contain valid yaml: ${(err as Error).message}`);
      return {};
    }
  }

  /** What is loaded, or undefined before load(). */
  summary(): XGBoostModelSummary | undefined {
    if (!this.model) return undefined;
    const { path, format, ensemble } = this.model;
    return {
      file: path,
      format,
      objective: ensemble.objective,
      booster: ensemble.treeWeight ? 'dart' : 'gbtree',
      features: ensemble.numFeature,
      outputGroups: ensemble.numGroup,
      trees: ensemble.trees.length,
      writtenBy: ensemble.version?.join('.'),
    };
  }
}

/**
 * Creates the XGBOOST_SERVER model for a local model folder and loads it, so that a missing or
 * broken model file fails here, with a message naming the file.
 */
export async function loadXGBoostModel(dir: string): Promise<XGBoostServer> {
  const server = new XGBoostServer(dir);
  await server.load();
  return server;
}
