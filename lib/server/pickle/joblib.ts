// SPDX-License-Identifier: Apache-2.0
// joblib's NumpyArrayWrapper: how `joblib.dump` stores numpy arrays without copying them.
//
// joblib pickles each array as a small wrapper object (its shape, order, dtype) and then writes
// the array's raw bytes straight into the stream, after the wrapper's BUILD opcode and outside
// any pickle opcode. joblib's own unpickler notices the wrapper at BUILD, reads the bytes and
// puts the array on the stack in its place. We do the same, reading through the stream:
//
//   ... NEWOBJ NumpyArrayWrapper, BUILD {shape, order, dtype, allow_mmap, numpy_array_alignment_bytes}
//   [1 byte: padding length n] [n bytes of padding]   only when numpy_array_alignment_bytes is set (joblib >= 1.2)
//   [count * itemsize bytes of array data, in C or Fortran order]
//
// Object arrays (dtype object, e.g. string labels in an object array) are not raw bytes: joblib
// writes a whole ordinary pickle (protocol 2) of the array there instead.

import { PickleError } from './errors.js';
import { BUILD, describe, type AllowedGlobal, type Buildable, type PickleStream } from './python.js';
import { Dtype } from './numpy/dtype.js';
import { NdArray, checkShape, elementCount } from './numpy/ndarray.js';
import { isNdarrayClass } from './numpy/globals.js';

class NumpyArrayWrapper implements Buildable {
  /** BUILD gives the wrapper its fields; we answer with the array read from the stream. */
  [BUILD](state: unknown, stream: PickleStream): unknown {
    if (!(state instanceof Map)) throw new PickleError(`joblib array wrapper: expected a dict, got ${describe(state)}`, stream.offset);
    const subclass = state.get('subclass');
    const dtype = state.get('dtype');
    const order = state.get('order');
    if (!isNdarrayClass(subclass)) {
      throw new PickleError(`joblib array wrapper: only numpy.ndarray is supported, not ${describe(subclass)}`, stream.offset);
    }
    if (!(dtype instanceof Dtype)) throw new PickleError(`joblib array wrapper: expected a dtype, got ${describe(dtype)}`, stream.offset);
    if (order !== 'C' && order !== 'F') throw new PickleError('joblib array wrapper: order must be "C" or "F"', stream.offset);
    const shape = checkShape(state.get('shape'), stream);

    if (dtype.hasObject) {
      const array = stream.unpickleNested();
      if (!(array instanceof NdArray) || array.dtype.kind !== 'O') {
        throw new PickleError(`joblib object array: the nested pickle holds ${describe(array)}, not an object array`, stream.offset);
      }
      return array;
    }
    const alignment = state.get('numpy_array_alignment_bytes');
    if (alignment !== undefined && alignment !== null) {
      const padding = stream.read(1, 'the padding length before array data')[0];
      stream.read(padding, 'the padding before array data');
    }
    const count = elementCount(shape, stream);
    const bytes = stream.read(count * dtype.itemsize, `the data of a (${shape.join(', ')}) ${dtype.str} array`);
    return NdArray.fromBytes(dtype, shape, bytes, order, stream);
  }
}

function wrapper(module: string): AllowedGlobal {
  return { module, name: 'NumpyArrayWrapper', create: () => new NumpyArrayWrapper() };
}

/** joblib's wrapper, under its own name and the one scikit-learn < 0.23 vendored. */
export const joblibGlobals: readonly AllowedGlobal[] = [
  wrapper('joblib.numpy_pickle'),
  wrapper('sklearn.externals.joblib.numpy_pickle'),
];
