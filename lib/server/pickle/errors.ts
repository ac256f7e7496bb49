// SPDX-License-Identifier: Apache-2.0
// The one error type the safe unpickler throws.
//
// Loading a model file can fail in many ways: the file is cut short, it was written by a newer
// Python, or it names a function we refuse to call. Callers (the SKLEARN_SERVER runtime, tests,
// a notebook cell) should not need to tell a JavaScript TypeError from a bad file, so every
// failure the unpickler detects is a PickleError carrying the byte offset where it happened.

/** A pickle (or joblib) stream that cannot be loaded safely. */
export class PickleError extends Error {
  constructor(
    message: string,
    /** Where in the (decompressed) stream the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'PickleError';
  }
}

/** A pickle named a global (a class or function) that is not on the allow-list. */
export class RefusedGlobalError extends PickleError {
  constructor(
    /** `module.name`, e.g. `posix.system`. */
    readonly qualifiedName: string,
    offset?: number,
  ) {
    super(`refused to load ${printable(qualifiedName)}: ${refusalReason(qualifiedName)}`, offset);
    this.name = 'RefusedGlobalError';
  }
}

// Why a name was refused, in words a learner can act on. A pickle is a small program: GLOBAL
// fetches any importable function and REDUCE calls it, which is how a "model file" runs a shell
// command the moment Python loads it. We never call anything that is not on our list.
function refusalReason(qualifiedName: string): string {
  if (/^joblib\.numpy_pickle_compat\.|^sklearn\.externals\.joblib\.numpy_pickle_compat\./.test(qualifiedName)) {
    return 'the file was written by joblib older than 0.10, which stored arrays in separate files; load it with Python and save it again with a current joblib';
  }
  const dangerous = /^(os|posix|nt|subprocess|builtins|__builtin__|sys|shutil|socket|importlib|runpy|pty|code|ctypes|pickle|marshal|webbrowser)\./;
  const why = dangerous.test(qualifiedName)
    ? 'Python would call it while loading the file, so this file would run code on the server'
    : 'only numpy arrays, joblib\'s array wrapper and the supported scikit-learn estimators can be loaded';
  return `it is not on the allow-list (${why}). Nothing from the file was run.`;
}

/** The name as it may safely appear in a log line: control and non-ASCII bytes escaped. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
