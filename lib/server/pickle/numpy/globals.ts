// SPDX-License-Identifier: Apache-2.0
// The numpy names a pickle of arrays uses, each mapped to our own TypeScript.
//
//   numpy.ndarray                          a class reference, only ever an argument
//   numpy.dtype(descr, align, copy)        -> Dtype (BUILD then sets byte order and fields)
//   numpy.core.multiarray._reconstruct     -> an empty NdArray (BUILD then gives it its data)
//   numpy.core.multiarray.scalar(dtype, b) -> a number, bool or str (numpy.float64(2.5) etc.)
//   numpy.core.numeric._frombuffer         -> NdArray (pickle protocol 5)
// numpy 2 moved numpy.core to numpy._core; files from both are read.

import { PickleError } from '../errors.js';
import { PyGlobal, describe, type AllowedGlobal, type PickleStream, type PyTuple } from '../python.js';
import { Dtype } from './dtype.js';
import { NdArray, checkShape } from './ndarray.js';

const ndarray: AllowedGlobal = { module: 'numpy', name: 'ndarray' };

const dtype: AllowedGlobal = {
  module: 'numpy',
  name: 'dtype',
  call: (args, stream) => Dtype.fromDescr(args[0], stream.offset),
};

function reconstruct(module: string): AllowedGlobal {
  return {
    module,
    name: '_reconstruct',
    call(args, stream) {
      const [subtype] = args;
      if (!(subtype instanceof PyGlobal) || subtype.entry !== ndarray) {
        throw new PickleError(`numpy _reconstruct: only numpy.ndarray is supported, not ${describe(subtype)}`, stream.offset);
      }
      return new NdArray();
    },
  };
}

function scalar(module: string): AllowedGlobal {
  return {
    module,
    name: 'scalar',
    call(args, stream) {
      const [type, data] = args;
      if (!(type instanceof Dtype)) throw new PickleError(`numpy scalar: expected a dtype, got ${describe(type)}`, stream.offset);
      if (type.kind === 'O') return data;
      if (!(data instanceof Uint8Array)) throw new PickleError(`numpy scalar: expected bytes, got ${describe(data)}`, stream.offset);
      return NdArray.fromBytes(type, [], data, 'C', stream).values()[0];
    },
  };
}

function frombuffer(module: string): AllowedGlobal {
  return {
    module,
    name: '_frombuffer',
    call(args: PyTuple, stream: PickleStream) {
      const [buffer, type, shape, order] = args;
      if (!(buffer instanceof Uint8Array)) throw new PickleError(`numpy _frombuffer: expected bytes, got ${describe(buffer)}`, stream.offset);
      if (!(type instanceof Dtype)) throw new PickleError(`numpy _frombuffer: expected a dtype, got ${describe(type)}`, stream.offset);
      if (order !== 'C' && order !== 'F') throw new PickleError('numpy _frombuffer: order must be "C" or "F"', stream.offset);
      if (type.hasObject) throw new PickleError('numpy _frombuffer: object arrays cannot come from bytes', stream.offset);
      return NdArray.fromBytes(type, checkShape(shape, stream), buffer, order, stream);
    },
  };
}

export const numpyGlobals: readonly AllowedGlobal[] = [
  ndarray,
  dtype,
  ...['numpy.core.multiarray', 'numpy._core.multiarray'].flatMap((m) => [reconstruct(m), scalar(m)]),
  ...['numpy.core.numeric', 'numpy._core.numeric'].map(frombuffer),
];

/** Is this global numpy.ndarray? (joblib's wrapper names the array class it stands for.) */
export function isNdarrayClass(value: unknown): boolean {
  return value instanceof PyGlobal && value.entry === ndarray;
}
