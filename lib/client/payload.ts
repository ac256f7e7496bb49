// SPDX-License-Identifier: Apache-2.0
// Building the SeldonMessage a call sends, from what the caller gave, as the Python client does.
//
// Exactly one payload is sent, chosen in Python's order: binData, then strData, then jsonData,
// then data. With no data at all the client invents some: uniform random numbers in [0, 1) of the
// given `shape` (np.random.rand(*shape) in Python; shape [1, 1] by default), handy to check that a
// deployment answers at all. Arrays become `data.tensor` ({shape, values}, row-major) or
// `data.ndarray` (the nested lists themselves) according to `payloadType`.
import { SeldonClientException, shown } from './errors.js';
import type { DefaultData, NestedArray, SeldonMessage } from './message.js';
import type { PayloadType } from './options.js';

/** What a call may carry. */
export interface PayloadArgs {
  /** A (nested) array: numbers for a tensor; numbers, strings, booleans or nulls for an ndarray. */
  data?: unknown;
  /** Column names, sent as `data.names`. */
  names?: string[];
  payloadType: PayloadType;
  /** The shape of the random data sent when there is no payload. */
  shape?: number[];
  binData?: Uint8Array;
  strData?: string;
  jsonData?: unknown;
  /** Tags for `meta.tags`. */
  meta?: Record<string, unknown>;
}

/**
 * Whether `meta` is sent when the caller gave none. Python's gateway calls always attach a meta
 * (so its printed request starts `meta {\n}`) except with jsonData; its other calls never do.
 * Here a caller's meta is sent in every case, since dropping it silently helps nobody.
 */
export type MetaPolicy = 'always' | 'when-given';

/** Turn a typed array (Float64Array…) into a plain array; leave everything else alone. */
function plain(value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

/** The shape of a rectangular nested array; throws, naming the place, if rows differ in length. */
export function shapeOf(data: unknown, path = 'data'): number[] {
  const value = plain(data);
  if (!Array.isArray(value)) return [];
  if (value.length === 0) return [0];
  const inner = shapeOf(value[0], `${path}[0]`);
  value.forEach((item, i) => {
    const s = shapeOf(item, `${path}[${i}]`);
    if (s.join() !== inner.join()) {
      throw new SeldonClientException(
        `${path} is not rectangular: ${path}[${i}] has shape [${s}] but ${path}[0] has [${inner}]. ` +
          "A tensor needs rows of equal length; payloadType: 'ndarray' can send ragged lists.",
      );
    }
  });
  return [value.length, ...inner];
}

function flatNumbers(data: unknown, path: string, out: number[]): number[] {
  const value = plain(data);
  if (Array.isArray(value)) value.forEach((item, i) => flatNumbers(item, `${path}[${i}]`, out));
  else if (typeof value === 'number') out.push(value);
  else {
    throw new SeldonClientException(
      `${path} is ${shown(value)}: a tensor carries numbers only. Use payloadType: 'ndarray' to send strings or booleans.`,
    );
  }
  return out;
}

function ndarrayOf(data: unknown, path: string): NestedArray {
  const value = plain(data);
  if (!Array.isArray(value)) throw new SeldonClientException(`${path} must be an array (got ${shown(value)})`);
  return value.map((item, i) => {
    const v = plain(item);
    if (Array.isArray(v)) return ndarrayOf(v, `${path}[${i}]`);
    // Two checks, not one: tslab type-checks without strictNullChecks, where `v === null` in an
    // `||` chain does not narrow `unknown`.
    if (v === null) return null;
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        throw new SeldonClientException(
          `${path}[${i}] is ${v}: an ndarray travels as JSON, which has no NaN or Infinity. Use payloadType: 'tensor' for those.`,
        );
      }
      return v;
    }
    throw new SeldonClientException(`${path}[${i}] is ${shown(v)}: an ndarray holds numbers, strings, booleans, nulls or arrays`);
  });
}

/** Uniform random numbers in [0, 1) as a nested array of the given shape (np.random.rand). */
export function randomArray(shape: number[], random: () => number = Math.random): NestedArray | number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new SeldonClientException(`shape must be a list of non-negative integers such as [1, 4] (got ${shown(shape)})`);
  }
  const [n, ...rest] = shape;
  return Array.from({ length: n }, () => (rest.length === 0 ? random() : randomArray(rest, random))) as NestedArray;
}

/** Python's array_to_grpc_datadef: `data` from an array, as a tensor or an ndarray. */
export function toDefaultData(data: unknown, payloadType: PayloadType, names?: string[]): DefaultData {
  const value = plain(data);
  if (!Array.isArray(value)) {
    throw new SeldonClientException(
      `Valid values for data are None or numpy array (got ${shown(value)}). ` +
        'In TypeScript pass a (nested) array, e.g. data: [[1, 2, 3, 4]] for one row of four features.',
    );
  }
  if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
    throw new SeldonClientException(`names must be an array of strings such as ['text'] (got ${shown(names)})`);
  }
  const datadef: DefaultData = {};
  if (names && names.length > 0) datadef.names = [...names];
  if (payloadType === 'tensor') datadef.tensor = { shape: shapeOf(value), values: flatNumbers(value, 'data', []) };
  else datadef.ndarray = ndarrayOf(value, 'data');
  return datadef;
}

// #region buildMessage
/** The SeldonMessage a prediction sends. */
export function buildMessage(args: PayloadArgs, metaPolicy: MetaPolicy, random: () => number = Math.random): SeldonMessage {
  const message: SeldonMessage = {};
  if (args.meta !== undefined && (typeof args.meta !== 'object' || args.meta === null || Array.isArray(args.meta))) {
    throw new SeldonClientException(`meta must be an object of tags such as { user: 'alice' } (got ${shown(args.meta)})`);
  }
  const kind =
    args.binData !== undefined ? 'binData' : args.strData !== undefined ? 'strData' : args.jsonData !== undefined ? 'jsonData' : 'data';
  if (args.meta !== undefined || (metaPolicy === 'always' && kind !== 'jsonData')) {
    message.meta = args.meta && Object.keys(args.meta).length > 0 ? { tags: { ...args.meta } } : {};
  }

  if (kind === 'binData') {
    const bytes = args.binData;
    if (!(bytes instanceof Uint8Array)) {
      throw new SeldonClientException(`binData must be bytes: a Uint8Array or Buffer (got ${shown(bytes)})`);
    }
    message.binData = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  } else if (kind === 'strData') {
    if (typeof args.strData !== 'string') throw new SeldonClientException(`strData must be a string (got ${shown(args.strData)})`);
    message.strData = args.strData;
  } else if (kind === 'jsonData') {
    message.jsonData = args.jsonData;
  } else {
    const data = args.data ?? randomArray(args.shape ?? [1, 1], random);
    message.data = toDefaultData(data, args.payloadType, args.names);
  }
  return message;
}
// #endregion buildMessage
