// SPDX-License-Identifier: Apache-2.0
// "Your own model": a TypeScript or JavaScript class served by the same server, which is Seldon's
// language-wrapper idea. In Python you write a class with `predict(X, features_names, meta)` and
// Seldon's wrapper turns it into a microservice; here you write
//
//   export class MyModel {
//     constructor(parameters) { ... }          // the graph node's typed parameters
//     async load() { ... }                     // optional: read files before the server is ready
//     predict(X, names, meta) { return ...; }  // nested arrays in, nested arrays (or text, JSON) out
//     classNames() { return ['setosa', ...]; } // optional, as are health(), metadata(),
//   }                                          // sendFeedback(), metrics() and tags()
//
// and start it with `seldon-lab serve --model-module ./my-model.ts [--model-class MyModel]`.
// TypeScript files load through tsx, so there is no build step. The module is code the person
// running the server chose to run, like Seldon's MODEL_NAME; a model *file* (joblib, JSON) is
// never executed, and nothing here runs code that comes from a request.
import { existsSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SeldonModel } from '../model.js';

export interface CustomModelOptions {
  /** Path to the module (.ts, .mts, .js, .mjs), relative to the working directory or absolute. */
  modulePath: string;
  /** The exported class (or object) to serve; see `pickExport` for the default. */
  className?: string;
  /** Passed to the class's constructor (Seldon passes them as keyword arguments). */
  parameters?: Record<string, unknown>;
}

/** A custom model module could not be loaded or does not fit; the message says why and what to do. */
export class CustomModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomModelError';
  }
}

type Constructor = new (parameters: Record<string, unknown>) => unknown;

// Variables, so the notebook kernel's TypeScript (which resolves modules the pre-`exports` way)
// does not look for tsx's types; Node finds the modules either way.
const TSX_ESM_API = 'tsx/esm/api';
const TSX_CJS_API = 'tsx/cjs/api';

/**
 * Imports a .ts or .js module through tsx, which compiles TypeScript on the fly (loaded lazily,
 * so the prepackaged servers never pay for it). In ES modules (the CLI) tsx's `tsImport` does
 * it; in the notebook kernel, where this file runs as CommonJS, tsx's ESM API cannot load, and
 * its `require` compiles the module to CommonJS instead.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    const { tsImport } = (await import(TSX_ESM_API)) as { tsImport: (specifier: string, parentURL: string) => Promise<Record<string, unknown>> };
    return await tsImport(pathToFileURL(file).href, pathToFileURL(`${process.cwd()}/`).href);
  } catch (esmError) {
    let api: { require: (id: string, fromFile: string) => Record<string, unknown> };
    try {
      api = (await import(TSX_CJS_API)) as typeof api;
    } catch {
      throw esmError;
    }
    return api.require(file, join(process.cwd(), 'index.js'));
  }
}

/** Imports the module and returns a model instance (not yet loaded: the server calls `load()`). */
export async function loadCustomModel(options: CustomModelOptions): Promise<SeldonModel> {
  const file = isAbsolute(options.modulePath) ? options.modulePath : resolve(process.cwd(), options.modulePath);
  if (!existsSync(file)) {
    throw new CustomModelError(`Model module ${options.modulePath} not found (looked at ${file}). Pass --model-module with the path of your model's .ts or .js file.`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(file);
  } catch (err) {
    throw new CustomModelError(`Model module ${options.modulePath} failed to load: ${(err as Error).message}`);
  }
  const chosen = pickExport(exports, options.className, file);
  let model: unknown;
  if (typeof chosen.value === 'function') {
    try {
      model = new (chosen.value as Constructor)({ ...options.parameters });
    } catch (err) {
      throw new CustomModelError(`new ${chosen.name}(parameters) failed in ${options.modulePath}: ${(err as Error).message}`);
    }
  } else model = chosen.value;
  if (model === null || typeof model !== 'object' || typeof (model as SeldonModel).predict !== 'function') {
    throw new CustomModelError(`${chosen.name} in ${options.modulePath} has no predict(X, names, meta) method; add one that returns the prediction for the rows of X.`);
  }
  return model as SeldonModel;
}

/**
 * Which export to serve: the one named `className`; else the default export; else the only
 * exported class or model object; else the export named like the file (Seldon's convention:
 * MyModel.py holds class MyModel).
 */
export function pickExport(exports: Record<string, unknown>, className: string | undefined, file: string): { name: string; value: unknown } {
  const named = Object.keys(exports).filter((k) => k !== 'default' && k !== '__esModule');
  if (className) {
    if (exports[className] === undefined) {
      throw new CustomModelError(`${file} exports no ${className}; it exports ${named.join(', ') || 'nothing'}. Check --model-class.`);
    }
    return { name: className, value: exports[className] };
  }
  const def = exports.default as unknown;
  if (def !== undefined && isModelLike(def)) return { name: 'default export', value: def };
  const candidates = named.filter((k) => isModelLike(exports[k]));
  if (candidates.length === 1) return { name: candidates[0], value: exports[candidates[0]] };
  const stem = basename(file, extname(file));
  if (candidates.includes(stem)) return { name: stem, value: exports[stem] };
  throw new CustomModelError(
    candidates.length === 0
      ? `${file} exports no class or object with a predict method; export one, e.g. export class MyModel { predict(X) { ... } }`
      : `${file} exports several models (${candidates.join(', ')}); choose one with --model-class`,
  );
}

function isModelLike(value: unknown): boolean {
  if (typeof value === 'function') return typeof (value as { prototype?: { predict?: unknown } }).prototype?.predict === 'function';
  return value !== null && typeof value === 'object' && typeof (value as { predict?: unknown }).predict === 'function';
}
