// SPDX-License-Identifier: Apache-2.0
// Loading a joblib or pickle file's bytes with the allow-list for data plus the caller's classes.
//
// The pickle layer knows Python's plain data, numpy arrays and joblib's array wrapper. It does not
// know scikit-learn: the runtime passes the estimator classes it supports as `classes`, so the
// allow-list of a file is exactly "data + the classes this runtime can serve".

import { AllowList } from './allow-list.js';
import { pythonDataGlobals } from './builtins.js';
import { joblibGlobals } from './joblib.js';
import { numpyGlobals } from './numpy/globals.js';
import type { AllowedGlobal } from './python.js';
import { pickleStreamOf } from './stream-format.js';
import { DEFAULT_LIMITS, unpickle, type UnpickleLimits } from './unpickler.js';

/** Python data, numpy arrays and dtypes, and joblib's NumpyArrayWrapper: no classes of any library. */
export const dataAllowList = new AllowList(pythonDataGlobals, numpyGlobals, joblibGlobals);

export interface LoadPickleOptions {
  /** Classes the file may contain besides data (e.g. scikit-learn estimators). */
  classes?: Iterable<AllowedGlobal>;
  limits?: Partial<UnpickleLimits>;
}

/**
 * The value pickled in `bytes`: a plain pickle (`pickle.dump`, protocols 0-5) or a joblib file
 * (`joblib.dump`, uncompressed, zlib or gzip). Throws PickleError for anything else.
 */
export function loadPickle(bytes: Uint8Array, options: LoadPickleOptions = {}): unknown {
  const maxBytes = options.limits?.maxInputBytes ?? DEFAULT_LIMITS.maxInputBytes;
  const allow = options.classes ? dataAllowList.with(options.classes) : dataAllowList;
  return unpickle(pickleStreamOf(bytes, maxBytes), { allow, limits: options.limits });
}
