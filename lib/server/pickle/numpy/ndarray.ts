// SPDX-License-Identifier: Apache-2.0
// A numpy array, unpickled: a dtype, a shape, and its values in C (row-major) order.
//
// numpy arrays reach a pickle three ways, and all three end here:
//  - `_reconstruct(ndarray, (0,), b"b")` then BUILD with `(1, shape, dtype, is_fortran, raw)`
//    (protocols 0-4; `raw` is bytes, or a list of Python objects for dtype object);
//  - `_frombuffer(bytes, dtype, shape, order)` (protocol 5);
//  - joblib's NumpyArrayWrapper, whose bytes follow it in the stream (see ../joblib.ts).
// Numeric values are kept as one Float64Array (float32 and integers convert exactly, unless an
// int64 is beyond 2^53, which is an error rather than a silent rounding); strings, bytes and
// Python objects as a plain array; a structured array as one column per field.

import { PickleError } from '../errors.js';
import { BUILD, describe, isList, isTuple, type Buildable, type PickleStream } from '../python.js';
import { Dtype } from './dtype.js';

type Values = Float64Array | unknown[];

export class NdArray implements Buildable {
  private built?: { dtype: Dtype; shape: readonly number[]; values: Values | null; columns: Map<string, NdArray> | null };

  get dtype(): Dtype {
    return this.contents.dtype;
  }

  get shape(): readonly number[] {
    return this.contents.shape;
  }

  /** The number of elements (1 for a 0-d array). */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Numeric values (floats, integers, bools as 0/1) in C order: the array itself, not a copy. */
  numbers(): Float64Array {
    const { values, dtype } = this.contents;
    if (!(values instanceof Float64Array)) throw new PickleError(`a numpy ${dtype.str} array holds no numbers`);
    return values;
  }

  /** Every value in C order as TypeScript data: numbers, booleans, strings, Uint8Array, or Python values. */
  values(): unknown[] {
    const { values, dtype } = this.contents;
    if (values === null) throw new PickleError('a numpy record array has columns, not values: use field(name)');
    if (!(values instanceof Float64Array)) return values.slice();
    return dtype.kind === 'b' ? Array.from(values, (v) => v !== 0) : Array.from(values);
  }

  /** One field of a structured array, as an array of the same shape. */
  field(name: string): NdArray {
    const column = this.contents.columns?.get(name);
    if (!column) throw new PickleError(`the numpy array has no field ${JSON.stringify(name)}`);
    return column;
  }

  hasField(name: string): boolean {
    return this.contents.columns?.has(name) ?? false;
  }

  private get contents(): NonNullable<NdArray['built']> {
    if (!this.built) throw new PickleError('a numpy array was never given its data (BUILD missing in the pickle)');
    return this.built;
  }

  /** An array of `shape` from raw bytes (`order` 'F' when the bytes are in column-major order). */
  static fromBytes(dtype: Dtype, shape: readonly number[], bytes: Uint8Array, order: 'C' | 'F', stream: PickleStream): NdArray {
    const array = new NdArray();
    array.fill(dtype, shape, bytes, order, stream);
    return array;
  }

  /** The array's state, as `ndarray.__setstate__` takes it: `(1, shape, dtype, is_fortran, raw)`. */
  [BUILD](state: unknown, stream: PickleStream): unknown {
    if (this.built) throw new PickleError('a numpy array was given its data twice', stream.offset);
    if (!isTuple(state) || (state.length !== 5 && state.length !== 4)) {
      throw new PickleError(`unsupported numpy array state (${describe(state)})`, stream.offset);
    }
    const [shape, dtype, isFortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!(dtype instanceof Dtype)) throw new PickleError(`numpy array state: expected a dtype, got ${describe(dtype)}`, stream.offset);
    if (typeof isFortran !== 'boolean' && isFortran !== 0 && isFortran !== 1) {
      throw new PickleError('numpy array state: is_fortran must be a bool', stream.offset);
    }
    const order = isFortran ? 'F' : 'C';
    const dims = checkShape(shape, stream);
    if (dtype.hasObject) {
      if (!isList(raw)) throw new PickleError(`numpy object array: expected a list, got ${describe(raw)}`, stream.offset);
      this.fillObjects(dtype, dims, raw, order, stream);
    } else {
      if (!(raw instanceof Uint8Array)) throw new PickleError(`numpy array data: expected bytes, got ${describe(raw)}`, stream.offset);
      this.fill(dtype, dims, raw, order, stream);
    }
    return this;
  }

  /** An object array from the list Python pickled for it. */
  private fillObjects(dtype: Dtype, shape: readonly number[], items: unknown[], order: 'C' | 'F', stream: PickleStream): void {
    if (dtype.kind !== 'O') throw new PickleError('numpy record arrays with object fields are not supported', stream.offset);
    const count = elementCount(shape, stream);
    if (items.length !== count) {
      throw new PickleError(`numpy object array: ${items.length} values for shape (${shape.join(', ')})`, stream.offset);
    }
    stream.claim(count, 'a numpy object array');
    this.built = { dtype, shape, values: order === 'F' ? fortranToC(items, shape) : items.slice(), columns: null };
  }

  private fill(dtype: Dtype, shape: readonly number[], bytes: Uint8Array, order: 'C' | 'F', stream: PickleStream): void {
    if (this.built) throw new PickleError('a numpy array was given its data twice', stream.offset);
    const count = elementCount(shape, stream);
    if (bytes.length !== count * dtype.itemsize) {
      throw new PickleError(
        `numpy array data is ${bytes.length} bytes, but shape (${shape.join(', ')}) of ${dtype.str} needs ${count * dtype.itemsize}`,
        stream.offset,
      );
    }
    // One unit per value made, plus one per 8 bytes read (long strings cost more than their count).
    stream.claim(count * Math.max(1, dtype.fields?.length ?? 1) + Math.ceil(bytes.length / 8), `a numpy ${dtype.str} array`);
    if (dtype.fields) {
      const columns = new Map<string, NdArray>();
      for (const field of dtype.fields) {
        const column = new NdArray();
        const values = decode(field.dtype, bytes, count, dtype.itemsize, field.offset, stream);
        column.built = { dtype: field.dtype, shape, values: order === 'F' ? fortranToC(values, shape) : values, columns: null };
        columns.set(field.name, column);
      }
      this.built = { dtype, shape, values: null, columns };
    } else {
      const values = decode(dtype, bytes, count, dtype.itemsize, 0, stream);
      this.built = { dtype, shape, values: order === 'F' ? fortranToC(values, shape) : values, columns: null };
    }
  }
}

/** A shape tuple as numbers, each a non-negative integer. */
export function checkShape(shape: unknown, stream: PickleStream): number[] {
  // numpy allows at most 32 dimensions (64 since numpy 2).
  if (!isTuple(shape) || shape.length > 64 || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new PickleError(`numpy array: invalid shape (${describe(shape)})`, stream.offset);
  }
  return shape.slice() as number[];
}

/** The product of the dimensions, refusing products too large to be real. */
export function elementCount(shape: readonly number[], stream: PickleStream): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) throw new PickleError('numpy array: shape too large', stream.offset);
  }
  return count;
}

/** Reads `count` elements of `dtype`, `stride` bytes apart starting at `offset`. */
function decode(dtype: Dtype, bytes: Uint8Array, count: number, stride: number, offset: number, stream: PickleStream): Values {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = dtype.byteOrder !== '>';
  const size = dtype.itemsize;
  // The caller checked the total size; this also covers a field whose dtype changed afterwards.
  if (count > 0 && offset + (count - 1) * stride + size > bytes.length) {
    throw new PickleError(`numpy ${dtype.str} values do not fit their array's bytes`, stream.offset);
  }
  if (dtype.isNumeric) {
    const out = new Float64Array(count);
    const read = numberReader(view, dtype.kind, size, little, stream);
    for (let i = 0, at = offset; i < count; i++, at += stride) out[i] = read(at);
    return out;
  }
  if (dtype.kind !== 'U' && dtype.kind !== 'S') {
    throw new PickleError(`numpy ${dtype.str} values cannot be read from bytes`, stream.offset);
  }
  const out = new Array<unknown>(count);
  for (let i = 0, at = offset; i < count; i++, at += stride) {
    const item = bytes.subarray(at, at + size);
    out[i] = dtype.kind === 'U' ? decodeUcs4(item, little, stream) : stripTrailingNuls(item).slice();
  }
  return out;
}

function numberReader(view: DataView, kind: string, size: number, little: boolean, stream: PickleStream): (at: number) => number {
  switch (`${kind}${size}`) {
    case 'f4': return (at) => view.getFloat32(at, little);
    case 'f8': return (at) => view.getFloat64(at, little);
    case 'i1': return (at) => view.getInt8(at);
    case 'i2': return (at) => view.getInt16(at, little);
    case 'i4': return (at) => view.getInt32(at, little);
    case 'u1': return (at) => view.getUint8(at);
    case 'u2': return (at) => view.getUint16(at, little);
    case 'u4': return (at) => view.getUint32(at, little);
    case 'b1': return (at) => (view.getUint8(at) === 0 ? 0 : 1);
    case 'i8': return (at) => exact(view.getBigInt64(at, little), stream);
    case 'u8': return (at) => exact(view.getBigUint64(at, little), stream);
    default: throw new PickleError(`unsupported numpy dtype ${kind}${size}`, stream.offset);
  }
}

/** A 64-bit integer as a double, or an error when the double would round it. */
function exact(value: bigint, stream: PickleStream): number {
  const n = Number(value);
  if (BigInt(n) !== value) throw new PickleError('a numpy 64-bit integer is too large to be represented exactly', stream.offset);
  return n;
}

/** numpy's 'U' strings are UTF-32, padded with NULs that numpy strips on reading. */
function decodeUcs4(item: Uint8Array, little: boolean, stream: PickleStream): string {
  const view = new DataView(item.buffer, item.byteOffset, item.byteLength);
  let text = '';
  for (let at = 0; at + 4 <= item.length; at += 4) {
    const code = view.getUint32(at, little);
    if (code > 0x10ffff) throw new PickleError('a numpy str value is not valid UTF-32', stream.offset);
    text += String.fromCodePoint(code);
  }
  return text.replace(/\0+$/, '');
}

function stripTrailingNuls(item: Uint8Array): Uint8Array {
  let end = item.length;
  while (end > 0 && item[end - 1] === 0) end--;
  return item.subarray(0, end);
}

/** Values stored column-major (Fortran order) rearranged into row-major (C) order. */
export function fortranToC<T extends Values>(values: T, shape: readonly number[]): T {
  if (shape.length < 2) return values;
  const out = (values instanceof Float64Array ? new Float64Array(values.length) : new Array(values.length)) as T;
  const fortranStrides: number[] = [];
  let stride = 1;
  for (const d of shape) {
    fortranStrides.push(stride);
    stride *= d;
  }
  const index = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    for (let k = 0; k < shape.length; k++) f += index[k] * fortranStrides[k];
    out[c] = values[f];
    // advance the C-order multi-index: the last axis fastest
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}
