// SPDX-License-Identifier: Apache-2.0
// JSON as Seldon's Python server reads and writes it.
//
// Writing: Flask 1.x's `jsonify` sorts keys, uses compact separators, escapes every non-ASCII
// character (`\uXXXX`, lowercase hex, surrogate pairs above U+FFFF), writes floats with `repr`
// (see float-repr.ts) and NaN/Infinity as bare words, and ends the body with a newline. Matching
// all of it is what makes our answers byte-for-byte Seldon's.
//
// Reading: Python's `json.loads` also accepts the bare words NaN, Infinity and -Infinity, which
// `JSON.parse` refuses. We accept them too, so such a request reaches the model and gets the same
// answer it would get from Seldon, instead of a parse error. Nesting depth is checked before
// parsing, so a body of a million `[` cannot overflow the stack of the code that walks it later.

import { pyJsonFloat, pyIntRepr } from '../../python/index.js';
import { type DType, isFloatDType, isIntDType, markedDType } from '../dtype.js';

/** How a number is written when nothing marks its dtype. */
type NumberStyle = 'float' | 'int' | 'auto';

/**
 * A value whose numbers have a known numpy dtype: `numpyValue(probs, 'float64')` writes the whole
 * number 1 as `1.0`. The response builder wraps a model's output in it once it knows the dtype.
 */
export class NumpyValue {
  constructor(
    readonly value: unknown,
    readonly dtype: DType,
  ) {}
}

export function numpyValue(value: unknown, dtype: DType): NumpyValue {
  return new NumpyValue(value, dtype);
}

export interface PythonJsonOptions {
  /** Sort object keys, as Flask's jsonify does (default true). V2 answers keep insertion order. */
  sortKeys?: boolean;
}

/** The deepest structure the writer walks; deeper output is a bug in the model, not a request. */
const MAX_WRITE_DEPTH = 512;

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))`, with Python's number layout. */
export function pythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  return write(value, 'auto', options.sortKeys !== false, 0);
}

function write(value: unknown, style: NumberStyle, sortKeys: boolean, depth: number): string {
  switch (typeof value) {
    case 'number':
      return writeNumber(value, style);
    case 'string':
      return pyString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
  }
  if (value === null) return 'null';
  if (depth > MAX_WRITE_DEPTH) throw new RangeError(`The value is nested deeper than ${MAX_WRITE_DEPTH} levels and cannot be written as JSON.`);
  if (value instanceof NumpyValue) return write(value.value, styleOf(value.dtype, style), sortKeys, depth + 1);
  if (Array.isArray(value)) {
    const marked = markedDType(value);
    const inner = marked ? styleOf(marked, style) : style;
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], inner, sortKeys, depth + 1);
    }
    return out + ']';
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const float = value instanceof Float64Array || value instanceof Float32Array;
    const items = Array.from(value as unknown as ArrayLike<number>);
    return write(items, float ? 'float' : 'int', sortKeys, depth + 1);
  }
  const withToJSON = value as { toJSON?: () => unknown };
  if (typeof withToJSON.toJSON === 'function') return write(withToJSON.toJSON(), style, sortKeys, depth + 1);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (sortKeys && !isSorted(keys)) keys.sort(compareCodePoints);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    // Like JSON.stringify: a property holding undefined or a function is not data; leave it out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += pyString(key) + ':' + write(item, style, sortKeys, depth + 1);
  }
  return out + '}';
}

function styleOf(dtype: DType, fallback: NumberStyle): NumberStyle {
  if (isFloatDType(dtype)) return 'float';
  if (isIntDType(dtype) || dtype === 'bool') return 'int';
  return fallback;
}

function writeNumber(x: number, style: NumberStyle): string {
  if (style === 'float') return pyJsonFloat(x);
  // An int dtype holds only whole numbers; anything else (NaN) can only be written as a float.
  return Number.isInteger(x) ? pyIntRepr(x) : pyJsonFloat(x);
}

// Printable ASCII without `"` and `\`: written as is. Everything else goes through pyStringSlow.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

/** A string as `json.dumps` writes it with `ensure_ascii=True` (Flask's default). */
export function pyString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : pyStringSlow(s);
}

function pyStringSlow(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) out += s[i];
    else out += SHORT_ESCAPES[c] ?? '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

/**
 * Python orders strings by code point; JavaScript's `<` and default sort order UTF-16 code units.
 * They differ only where a surrogate (half of a character above U+FFFF) meets a character in
 * U+E000..U+FFFF: the surrogate's character is the larger one. Compared unit by unit, no regex.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

// Surrogates move above U+FFFF; everything else keeps its place.
function rank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

// Keys usually arrive sorted (or there is one): a check is cheaper than a sort.
function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareCodePoints(keys[i - 1], keys[i]) > 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A body that is not JSON, or is nested too deeply; `message` says which and where. */
export class JsonInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonInputError';
  }
}

/**
 * `json.loads(text)`: JSON plus Python's NaN, Infinity and -Infinity. Throws JsonInputError when
 * the text is not JSON or nests arrays/objects deeper than `maxDepth`.
 */
export function parsePythonJson(text: string, maxDepth: number): unknown {
  const needsPythonWords = scanDepth(text, maxDepth);
  try {
    if (!needsPythonWords) return JSON.parse(text);
    return JSON.parse(markPythonWords(text), (_key, v) => (typeof v === 'string' && v.startsWith(MARK) ? WORDS[v] ?? v : v));
  } catch (err) {
    throw new JsonInputError((err as Error).message);
  }
}

/**
 * One pass over the text outside strings: fails past `maxDepth` open brackets, and tells whether
 * a bare `N` or `I` (the start of NaN or Infinity) appears, so plain JSON keeps the fast path.
 */
function scanDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  let words = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new JsonInputError(`the JSON nests arrays or objects more than ${maxDepth} levels deep (at character ${i}); flatten the data or raise the server's depth limit`);
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x4e || c === 0x49) words = true;
  }
  return words;
}

// The Python words become marked strings for JSON.parse, and the reviver turns them back.
const MARK = '\u0000seldon-lab:';
const WORDS: Record<string, number> = { [`${MARK}NaN`]: NaN, [`${MARK}Infinity`]: Infinity, [`${MARK}-Infinity`]: -Infinity };

function markPythonWords(text: string): string {
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const word of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(word, i)) {
        out += text.slice(start, i) + JSON.stringify(MARK + word);
        i += word.length - 1;
        start = i + 1;
        break;
      }
    }
  }
  return out + text.slice(start);
}
