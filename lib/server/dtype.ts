// SPDX-License-Identifier: Apache-2.0
// The numpy dtype of an array a model returns, carried on the array itself.
//
// Python's server writes a float64 result as `2.0` and an int64 result as `2`, because the numpy
// array knows its dtype. A JavaScript number does not know whether it was meant as 2 or 2.0, so a
// model (or a runtime) that wants Seldon's exact bytes marks its output: `asFloats(probs)` for
// `predict_proba`, `withDType(classes, 'int64')` for class ids, `withDType(out, 'float32')` for
// XGBoost. The mark is a non-enumerable symbol property, so the array stays a plain `number[]`
// for every other piece of code, and `JSON.stringify` never sees it.
//
// An unmarked array is read the way `np.array(list)` reads a Python list: all integers -> int64,
// any fraction -> float64, booleans -> bool, strings -> str. That is right for hand-written
// models, and wrong only for a float result whose values all happen to be whole numbers (a
// decision tree's probabilities 1.0 and 0.0): mark those.

/** The dtypes the server distinguishes (numpy's names; V2's FP64 is float64, and so on). */
export type DType =
  | 'float64' | 'float32' | 'float16'
  | 'int64' | 'int32' | 'int16' | 'int8'
  | 'uint64' | 'uint32' | 'uint16' | 'uint8'
  | 'bool' | 'str' | 'object';

// Symbol.for: the notebook kernel may load this file twice (CommonJS and ESM copies); a
// registered symbol is the same in both, so a mark made by one copy is seen by the other.
const DTYPE = Symbol.for('seldon-lab.dtype');

/** Marks `array` (and every array nested in it) as holding values of `dtype`; returns it. */
export function withDType<T extends object>(array: T, dtype: DType): T {
  Object.defineProperty(array, DTYPE, { value: dtype, enumerable: false, configurable: true, writable: true });
  return array;
}

/** Marks an array as float64: its whole numbers are written `2.0`, as numpy's floats are. */
export function asFloats<T extends object>(array: T): T {
  return withDType(array, 'float64');
}

/** Marks an array as int64: written `2`, as numpy's integer arrays are (e.g. class labels). */
export function asInts<T extends object>(array: T): T {
  return withDType(array, 'int64');
}

/** The dtype a model marked on `value`, if any. */
export function markedDType(value: unknown): DType | undefined {
  return value !== null && typeof value === 'object' ? (value as { [DTYPE]?: DType })[DTYPE] : undefined;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float64' || dtype === 'float32' || dtype === 'float16';
}

export function isIntDType(dtype: DType): boolean {
  return dtype.startsWith('int') || dtype.startsWith('uint');
}

/** numpy's `np.issubdtype(dtype, np.number)`: numbers yes, bool, str and object no. */
export function isNumericDType(dtype: DType): boolean {
  return isFloatDType(dtype) || isIntDType(dtype);
}

/**
 * The dtype numpy would give `np.array(value)`: the mark if there is one, else the kind of the
 * leaves (one pass, no allocation). Mixed leaves give `object` (numpy would give a string array
 * or an object array; either way the result is not numeric, which is all the protocol asks).
 */
export function inferDType(value: unknown): DType {
  const marked = markedDType(value);
  if (marked) return marked;
  const seen = { int: false, float: false, bool: false, str: false, other: false };
  scan(value, seen, 0);
  if (seen.other || (seen.str && (seen.int || seen.float || seen.bool))) return 'object';
  if (seen.str) return 'str';
  if (seen.float) return seen.bool ? 'object' : 'float64';
  if (seen.int) return seen.bool ? 'object' : 'int64';
  if (seen.bool) return 'bool';
  // np.array([]) is float64.
  return 'float64';
}

function scan(value: unknown, seen: Record<'int' | 'float' | 'bool' | 'str' | 'other', boolean>, depth: number): void {
  if (Array.isArray(value)) {
    const marked = depth > 0 ? markedDType(value) : undefined;
    if (marked) {
      if (isFloatDType(marked)) seen.float = true;
      else if (isIntDType(marked)) seen.int = true;
      else if (marked === 'bool') seen.bool = true;
      else if (marked === 'str') seen.str = true;
      else seen.other = true;
      return;
    }
    for (let i = 0; i < value.length; i++) scan(value[i], seen, depth + 1);
    return;
  }
  switch (typeof value) {
    case 'number':
      if (Number.isInteger(value)) seen.int = true;
      else seen.float = true;
      return;
    case 'boolean':
      seen.bool = true;
      return;
    case 'string':
      seen.str = true;
      return;
    default:
      seen.other = true;
  }
}
