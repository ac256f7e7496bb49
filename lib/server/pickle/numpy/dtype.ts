// SPDX-License-Identifier: Apache-2.0
// numpy's dtype: what one array element is, and how to read it from bytes.
//
// A pickled dtype is `numpy.dtype("f8", False, True)` followed by BUILD with a state tuple
// `(3, "<", None, names, fields, itemsize, alignment, flags)`: the byte order and, for a
// structured dtype such as the nodes of a scikit-learn tree, its named fields and their offsets.
// We support the kinds model files contain: floats (f4, f8), signed and unsigned integers (1 to 8
// bytes), bool, unicode and byte strings, Python objects, and structured records of those.

import { PickleError } from '../errors.js';
import { BUILD, describe, isTuple, type Buildable, type PickleStream, type PyTuple } from '../python.js';

export type DtypeKind = 'f' | 'i' | 'u' | 'b' | 'U' | 'S' | 'V' | 'O';

export interface DtypeField {
  readonly name: string;
  readonly dtype: Dtype;
  readonly offset: number;
}

const NUMERIC_SIZES: Record<string, readonly number[]> = { f: [4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

export class Dtype implements Buildable {
  /** '<' little-endian, '>' big-endian, '|' not applicable (one byte, strings of bytes, objects). */
  byteOrder: '<' | '>' | '|';
  /** Named fields of a structured (record) dtype, in order; null for a plain dtype. */
  fields: readonly DtypeField[] | null = null;

  constructor(
    readonly kind: DtypeKind,
    public itemsize: number,
  ) {
    this.byteOrder = itemsize > 1 && 'fiuU'.includes(kind) ? '<' : '|';
  }

  /** `numpy.dtype(descr, align, copy)`: descr as numpy pickles it, e.g. 'f8', '<i4', 'U2', 'V56', 'O8'. */
  static fromDescr(descr: unknown, offset?: number): Dtype {
    const match = typeof descr === 'string' ? /^([<>=|]?)([fiubUSVO])(\d+)$/.exec(descr) : null;
    if (!match) {
      throw new PickleError(`unsupported numpy dtype ${typeof descr === 'string' ? JSON.stringify(descr) : describe(descr)}` +
        ' (supported: float32/64, int8-64, uint8-64, bool, str, bytes, object and records of those)', offset);
    }
    const [, order, kind, digits] = match;
    const count = Number(digits);
    const itemsize = kind === 'U' ? count * 4 : count;
    // numpy allows empty strings as a dtype ('U0'); no model has them, and zero-byte elements
    // would let a short file claim a huge number of them.
    if (itemsize === 0) throw new PickleError(`unsupported numpy dtype ${descr}: zero-size elements`, offset);
    const allowed = NUMERIC_SIZES[kind];
    if (allowed && !allowed.includes(itemsize)) {
      throw new PickleError(`unsupported numpy dtype ${descr}: ${itemsize}-byte ${kind} values are not supported`, offset);
    }
    if (kind === 'O' && itemsize !== 8 && itemsize !== 4) throw new PickleError(`unsupported numpy dtype ${descr}`, offset);
    const dtype = new Dtype(kind as DtypeKind, itemsize);
    if (order === '>' || order === '<') dtype.byteOrder = itemsize > 1 && kind !== 'S' && kind !== 'V' ? order : '|';
    return dtype;
  }

  /** numpy's `dtype.str`: '<f8', '|b1', '<U3', '|V56', '|O'. */
  get str(): string {
    if (this.kind === 'O') return '|O';
    const size = this.kind === 'U' ? this.itemsize / 4 : this.itemsize;
    return `${this.byteOrder}${this.kind}${size}`;
  }

  get isNumeric(): boolean {
    return this.kind in NUMERIC_SIZES;
  }

  /** numpy's `dtype.hasobject`: its values are Python objects, pickled as a list, not as bytes. */
  get hasObject(): boolean {
    return this.kind === 'O' || (this.fields?.some((f) => f.dtype.hasObject) ?? false);
  }

  field(name: string): DtypeField | undefined {
    return this.fields?.find((f) => f.name === name);
  }

  /** `dtype.__setstate__`: byte order, and fields for a structured dtype. */
  [BUILD](state: unknown, stream: PickleStream): unknown {
    if (!isTuple(state) || (state.length !== 8 && state.length !== 9) || typeof state[0] !== 'number' || state[0] < 3) {
      throw new PickleError(`unsupported numpy dtype state (${describe(state)}); the file was written by a numpy this loader does not know`);
    }
    const [, order, subarray, names, fields, elsize] = state;
    if (subarray !== null) throw new PickleError('numpy dtypes with sub-array fields are not supported');
    if (order === '<' || order === '>' || order === '|') {
      this.byteOrder = order === '|' || this.itemsize <= 1 || this.kind === 'S' || this.kind === 'V' ? '|' : order;
    } else if (order !== '=') {
      throw new PickleError(`unsupported numpy byte order ${describe(order)}`);
    }
    if (typeof elsize === 'number' && elsize >= 0 && (this.kind === 'V' || this.kind === 'U' || this.kind === 'S')) {
      if (elsize === 0 || !Number.isSafeInteger(elsize) || (this.kind === 'U' && elsize % 4 !== 0)) {
        throw new PickleError(`unsupported numpy dtype: element size ${elsize}`);
      }
      this.itemsize = elsize;
    }
    stream.claim(isTuple(names) ? names.length : 0, 'numpy record fields');
    this.fields = names === null ? null : readFields(names, fields, this.itemsize);
    if (this.kind === 'V' && !this.fields) throw new PickleError('numpy void dtypes without fields are not supported');
    return this;
  }
}

function readFields(names: unknown, fields: unknown, itemsize: number): DtypeField[] {
  if (!isTuple(names) || !(fields instanceof Map)) {
    throw new PickleError(`unsupported numpy record dtype: names ${describe(names)}, fields ${describe(fields)}`);
  }
  return names.map((name) => {
    const field = fields.get(name);
    if (typeof name !== 'string' || !isTuple(field) || field.length < 2) {
      throw new PickleError('unsupported numpy record dtype: a field without a dtype and offset');
    }
    const [dtype, offset] = field as PyTuple;
    if (!(dtype instanceof Dtype) || typeof offset !== 'number' || !Number.isInteger(offset)) {
      throw new PickleError(`unsupported numpy record dtype: field ${JSON.stringify(name)}`);
    }
    if (dtype.fields || offset < 0 || offset + dtype.itemsize > itemsize) {
      throw new PickleError(`numpy record field ${JSON.stringify(name)} does not fit its record`);
    }
    return { name, dtype, offset };
  });
}
