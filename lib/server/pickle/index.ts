// SPDX-License-Identifier: Apache-2.0
// The safe unpickler: reads Python pickles and joblib files into inert TypeScript data.
//
// Only globals on an allow-list are ever reconstructed, each by TypeScript we wrote; anything
// else is refused with a RefusedGlobalError naming it, and nothing from the file is executed.
// See unpickler.ts for how it works and why it is not the pickleparser package.

export { AllowList } from './allow-list.js';
export { assemble, op } from './assemble.js';
export { pythonDataGlobals } from './builtins.js';
export { PickleError, RefusedGlobalError } from './errors.js';
export { joblibGlobals } from './joblib.js';
export { dataAllowList, loadPickle, type LoadPickleOptions } from './load.js';
export { Dtype, type DtypeField, type DtypeKind } from './numpy/dtype.js';
export { numpyGlobals } from './numpy/globals.js';
export { NdArray } from './numpy/ndarray.js';
export { OP, HIGHEST_PROTOCOL, opcodeName } from './opcodes.js';
export {
  PyGlobal,
  PyObject,
  extensionClass,
  isList,
  isTuple,
  pythonClass,
  tuple,
  type AllowedGlobal,
  type PickleStream,
  type PyDict,
  type PyTuple,
} from './python.js';
export { detectFormat, pickleStreamOf, type StreamFormat } from './stream-format.js';
export { DEFAULT_LIMITS, unpickle, type UnpickleLimits, type UnpickleOptions } from './unpickler.js';
