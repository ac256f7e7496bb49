// SPDX-License-Identifier: Apache-2.0
// Finds the model file in a model folder, recognises its format and loads it.
//
// Seldon's XGBoost server loads `<folder>/model.bst` and nothing else. We look for, in order:
//   1. model.bst  — Seldon's name. XGBoost 1.x writes its legacy binary format under this name;
//                   XGBoost 2.1 and later write UBJSON under any name but .json, so for this
//                   file we read the content to tell which it is (legacy binary, UBJSON or JSON);
//   2. model.json — XGBoost's JSON format (`booster.save_model('model.json')`);
//   3. model.ubj  — XGBoost's Universal Binary JSON format (`save_model('model.ubj')`).
// The first that exists is used. Any failure names the file and says what to do.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensembleFromLegacyBinary } from './binary-model.js';
import type { TreeEnsemble } from './ensemble.js';
import { ensembleFromJson } from './json-model.js';
import { decodeUbjson } from './ubjson.js';

/** The file names looked for, in order. */
export const MODEL_FILE_NAMES = ['model.bst', 'model.json', 'model.ubj'] as const;

export type ModelFormat = 'json' | 'ubjson' | 'legacy-binary';

/** Model files larger than this are refused before being read (they would not be a small tree model). */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export interface LoadedModelFile {
  readonly path: string;
  readonly format: ModelFormat;
  readonly ensemble: TreeEnsemble;
}

/** The model file of a folder: the first of MODEL_FILE_NAMES that exists. */
export async function findModelFile(dir: string): Promise<string> {
  for (const name of MODEL_FILE_NAMES) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) return path;
  }
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new Error(`XGBoost model folder ${dir} does not exist or is not a folder.`);
  throw new Error(
    `No XGBoost model in ${dir}: expected ${MODEL_FILE_NAMES.join(', ')} (looked for in that order). ` +
      "Save one with booster.save_model('model.json').",
  );
}

/** Reads and parses one model file; errors name the file. */
export async function readModelFile(path: string): Promise<LoadedModelFile> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read the XGBoost model ${path}: ${err.code ?? err.message}.`);
  });
  if (info.size > MAX_MODEL_BYTES) {
    throw new Error(`The XGBoost model ${path} is ${info.size} bytes, more than the ${MAX_MODEL_BYTES} this runtime loads.`);
  }
  const bytes = new Uint8Array(await readFile(path));
  if (bytes.length === 0) throw new Error(`The XGBoost model ${path} is empty: it was not saved or not copied completely.`);
  // As XGBoost does: .json and .ubj by their names; anything else (model.bst) by its content.
  const format = path.endsWith('.json') ? 'json' : path.endsWith('.ubj') ? 'ubjson' : sniffFormat(bytes);
  try {
    return { path, format, ensemble: parseModel(bytes, format) };
  } catch (err) {
    throw new Error(
      `Cannot load the XGBoost model ${path} (${FORMAT_NAMES[format]}): ${(err as Error).message}. ` +
        'Check that the file was written by booster.save_model() and copied completely.',
      { cause: err },
    );
  }
}

const FORMAT_NAMES: Record<ModelFormat, string> = {
  json: 'JSON',
  ubjson: 'UBJSON',
  'legacy-binary': 'legacy binary format',
};

/**
 * Tells the format from the first bytes: `{` then a JSON character (`"`, `}` or white space) is
 * JSON; `{` then a UBJSON marker is UBJSON; anything else is the legacy binary format (which
 * starts with "binf", or, before XGBoost 1.0, directly with base_score's float32 bytes).
 */
export function sniffFormat(bytes: Uint8Array): ModelFormat {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b /* { */) return 'legacy-binary';
  const next = bytes[i + 1];
  const jsonNext = next === undefined || next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09;
  return jsonNext ? 'json' : 'ubjson';
}

/** Parses model bytes of a known format into a tree ensemble. */
export function parseModel(bytes: Uint8Array, format: ModelFormat): TreeEnsemble {
  switch (format) {
    case 'json': {
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch (err) {
        throw new Error(`it is not valid JSON (${(err as Error).message})`, { cause: err });
      }
      return ensembleFromJson(doc);
    }
    case 'ubjson':
      return ensembleFromJson(decodeUbjson(bytes));
    case 'legacy-binary':
      return ensembleFromLegacyBinary(bytes);
  }
}
