// SPDX-License-Identifier: Apache-2.0
// Typed tensors of the Open Inference Protocol (V2): `{name, shape, datatype, data}`.
//
// A V2 tensor says its element type (FP32, INT64, BOOL, BYTES, ...) and its shape; `data` holds
// the elements row-major, flat or nested. Decoding checks that every element fits the datatype
// (an INT8 is a whole number from -128 to 127, a BOOL is true or false, FP32 values are rounded
// to float32 as a real runtime would store them) and that the shape's product equals the element
// count, then hands the model nested arrays marked with their dtype. Encoding does the reverse
// for the model's output, naming the datatype after the output's dtype.
import type { ModelOutput } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import { type DType, inferDType, withDType } from '../../dtype.js';
import { NumpyValue } from '../../json/python-json.js';
import { flatten, reshape, resolveShape, shapeOf, ShapeError } from '../ndarray.js';
import { pyStr } from '../seldon-v1/errors.js';

export type Datatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

interface TypeInfo {
  dtype: DType;
  /** Checks (and for FP16/FP32 rounds) one element; returns undefined when it does not fit. */
  read(value: unknown): unknown;
  /** Words for the error message: what an element must be. */
  expects: string;
}

const int = (min: number, max: number, dtype: DType): TypeInfo => ({
  dtype,
  read: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined),
  expects: `a whole number from ${min} to ${max}`,
});

/** What each datatype accepts. INT64/UINT64 stop at 2^53: a JSON number beyond that is not exact. */
export const DATATYPES: Record<Datatype, TypeInfo> = {
  BOOL: { dtype: 'bool', read: (v) => (typeof v === 'boolean' ? v : undefined), expects: 'true or false' },
  UINT8: int(0, 255, 'uint8'),
  UINT16: int(0, 65535, 'uint16'),
  UINT32: int(0, 4294967295, 'uint32'),
  UINT64: int(0, Number.MAX_SAFE_INTEGER, 'uint64'),
  INT8: int(-128, 127, 'int8'),
  INT16: int(-32768, 32767, 'int16'),
  INT32: int(-2147483648, 2147483647, 'int32'),
  INT64: int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'int64'),
  FP16: { dtype: 'float16', read: (v) => (typeof v === 'number' ? roundToFloat16(v) : undefined), expects: 'a number' },
  FP32: { dtype: 'float32', read: (v) => (typeof v === 'number' ? Math.fround(v) : undefined), expects: 'a number' },
  FP64: { dtype: 'float64', read: (v) => (typeof v === 'number' ? v : undefined), expects: 'a number' },
  BYTES: { dtype: 'str', read: (v) => (typeof v === 'string' ? v : undefined), expects: 'a string' },
};

const DTYPE_TO_DATATYPE: Partial<Record<DType, Datatype>> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', float32: 'FP32', float64: 'FP64', str: 'BYTES',
};

export interface DecodedInput {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** Nested arrays of `shape`, marked with the datatype's dtype. */
  value: unknown;
  parameters?: Record<string, unknown>;
}

function bad(message: string): MicroserviceError {
  return new MicroserviceError(message, 400);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks and decodes `inputs[index]` of an inference request. */
export function decodeInput(input: unknown, index: number): DecodedInput {
  const where = `inputs[${index}]`;
  if (!isObject(input)) throw bad(`${where} must be an object {name, shape, datatype, data}`);
  if (typeof input.name !== 'string' || input.name === '') throw bad(`${where}.name must be a non-empty string`);
  const datatype = input.datatype;
  if (typeof datatype !== 'string' || !(datatype in DATATYPES)) {
    throw bad(`${where}.datatype ${pyStr(datatype)} is not one of ${Object.keys(DATATYPES).join(', ')}`);
  }
  if (input.parameters !== undefined && !isObject(input.parameters)) throw bad(`${where}.parameters must be an object`);
  if (!Array.isArray(input.data)) throw bad(`${where}.data must be a list of elements (flat or nested)`);
  const info = DATATYPES[datatype as Datatype];
  const flat = flatten(input.data);
  for (let i = 0; i < flat.length; i++) {
    const value = info.read(flat[i]);
    if (value === undefined) throw bad(`${where}.data element ${i} is ${pyStr(flat[i])}, but a ${datatype} element must be ${info.expects}`);
    flat[i] = value;
  }
  let shape: number[];
  try {
    // V2 has no -1 in request shapes: every dimension is given.
    if (Array.isArray(input.shape) && input.shape.includes(-1)) throw new ShapeError(`${where}.shape must not contain -1`);
    shape = resolveShape(input.shape, flat.length, `${where}.shape`);
  } catch (err) {
    if (err instanceof ShapeError) throw bad(err.message);
    throw err;
  }
  const value = reshape(flat, shape);
  if (Array.isArray(value)) withDType(value, info.dtype);
  return { name: input.name, datatype: datatype as Datatype, shape, value, parameters: input.parameters as Record<string, unknown> | undefined };
}

export interface EncodedOutput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Record<string, unknown>;
  data: unknown;
}

/** Encodes a model's output as one V2 output tensor. */
export function encodeOutput(name: string, output: ModelOutput): EncodedOutput {
  if (typeof output === 'string') return { name, shape: [1], datatype: 'BYTES', data: [output] };
  if (output instanceof Uint8Array) {
    const base64 = Buffer.from(output.buffer, output.byteOffset, output.byteLength).toString('base64');
    return { name, shape: [1], datatype: 'BYTES', parameters: { content_type: 'base64' }, data: [base64] };
  }
  if (Array.isArray(output)) {
    const dtype = inferDType(output);
    const datatype = DTYPE_TO_DATATYPE[dtype];
    if (!datatype) throw new MicroserviceError('The model returned an array mixing numbers, strings or booleans; a V2 tensor holds one datatype', 500, 'MICROSERVICE_INTERNAL_ERROR');
    const shape = shapeOf(output);
    if (!shape) throw new MicroserviceError('The model returned rows of different lengths, which a tensor cannot hold; return a rectangular array', 500, 'MICROSERVICE_INTERNAL_ERROR');
    return { name, shape, datatype, data: new NumpyValue(flatten(output), dtype) };
  }
  if (output !== null && typeof output === 'object') {
    return { name, shape: [1], datatype: 'BYTES', parameters: { content_type: 'application/json' }, data: [JSON.stringify(output)] };
  }
  throw new MicroserviceError(`Unknown data type returned as payload (must be list or np array):${pyStr(output)}`, 400);
}

/**
 * `x` rounded to the nearest IEEE half-precision value (ties to even), as a model that stores
 * FP16 would see it. Node 20 has no Math.f16round, so the rounding is done by hand.
 */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const sign = x < 0 ? -1 : 1;
  const abs = Math.abs(x);
  // 65520 is halfway between the largest half (65504) and the next step: it and above overflow.
  if (abs >= 65520) return sign * Infinity;
  let exponent = Math.floor(Math.log2(abs));
  if (2 ** exponent > abs) exponent--;
  else if (2 ** (exponent + 1) <= abs) exponent++;
  // Below 2^-14 the spacing stays that of the subnormals, 2^-24.
  const step = 2 ** (Math.max(exponent, -14) - 10);
  const scaled = abs / step;
  let rounded = Math.round(scaled);
  if (rounded - scaled === 0.5 && rounded % 2 === 1) rounded--;
  return sign * rounded * step;
}
