// SPDX-License-Identifier: Apache-2.0
// Finding and loading the model file in a model folder: model.joblib, else model.pkl.
//
// Seldon's SKLearnServer loads `<model_uri>/model.joblib` with joblib. We read the same file (and
// a plain pickle named model.pkl, which joblib.load also reads) through the safe unpickler, whose
// allow-list is numpy/joblib data plus the estimator classes of registry.ts, and rebuild the
// estimator from what it returns. Every failure names the file and says what to do.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LIMITS, loadPickle, type UnpickleLimits } from '../../pickle/index.js';
import type { Estimator } from './estimator.js';
import { estimatorFrom, sklearnClasses } from './registry.js';

/** The file names looked for, in order. */
export const MODEL_FILES = ['model.joblib', 'model.pkl'] as const;

/** A model folder or file that cannot be served. `file` is the path it was about. */
export class ModelLoadError extends Error {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelLoadError';
  }
}

/** The model file in `dir`: model.joblib if present, else model.pkl. */
export async function findModelFile(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ModelLoadError(`The model folder ${dir} does not exist (check modelUri and the storage initializer)`, dir);
  }
  for (const name of MODEL_FILES) {
    const path = join(dir, name);
    if ((await stat(path).catch(() => null))?.isFile()) return path;
  }
  throw new ModelLoadError(
    `No model file in ${dir}: SKLEARN_SERVER expects ${MODEL_FILES.join(' or ')} (save it with joblib.dump(model, "model.joblib"))`,
    dir,
  );
}

/** Reads `path` through the safe unpickler and rebuilds the estimator in it. */
export async function loadEstimator(path: string, limits?: Partial<UnpickleLimits>): Promise<Estimator> {
  const maxBytes = limits?.maxInputBytes ?? DEFAULT_LIMITS.maxInputBytes;
  const size = (await stat(path)).size;
  if (size > maxBytes) throw new ModelLoadError(`Cannot load ${path}: it is ${size} bytes, more than the limit of ${maxBytes}`, path);
  const bytes = await readFile(path);
  try {
    return estimatorFrom(loadPickle(bytes, { classes: sklearnClasses, limits }));
  } catch (error) {
    throw new ModelLoadError(`Cannot load ${path}: ${(error as Error).message}`, path, { cause: error });
  }
}
