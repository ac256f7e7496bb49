// SPDX-License-Identifier: Apache-2.0
// JSON as Python's `json` module reads and writes it.
//
// The Python client prints a response as the dict that `json.loads` made of it, and sends a request
// as the text `json.dumps` made. Two things JavaScript's JSON loses matter for that: whether a
// number was written as an int (`2`) or a float (`2.0`), and the order of keys (a JS object puts
// integer-like keys such as "10" first; a Python dict keeps the order of the text). So this file
// reads JSON into a small model of Python values that keeps both.
import { pyFloatRepr } from '../python/index.js';

/** A Python float. Wrapped so that `2.0` stays a float while `2` (a bigint) stays an int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A value as Python's json module holds it: None, bool, str, int, float, list or dict (ordered). */
export type PyValue = null | boolean | string | bigint | PyFloat | PyValue[] | PyDict;
/** A Python dict: a Map keeps insertion order for every key, as a dict does. */
export type PyDict = Map<string, PyValue>;

/** Thrown when text is not JSON that Python's `json.loads` would accept. */
export class PyJsonError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at character ${position}`);
    this.name = 'PyJsonError';
  }
}

const MAX_DEPTH = 1000; // Python gives up (RecursionError) near this depth too.
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Parse JSON the way Python's `json.loads` does: ints stay exact (bigint), floats are PyFloat,
 * `NaN`, `Infinity` and `-Infinity` are accepted, a repeated key keeps its first place and its
 * last value. Throws PyJsonError for anything else.
 */
export function parsePyJson(text: string): PyValue {
  let pos = 0;
  const fail = (message: string): never => {
    throw new PyJsonError(message, pos);
  };
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const literal = (word: string): boolean => {
    if (!text.startsWith(word, pos)) return false;
    pos += word.length;
    return true;
  };

  function value(depth: number): PyValue {
    if (depth > MAX_DEPTH) fail('JSON nested too deeply');
    skipSpace();
    const c = text[pos];
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    if (literal('true')) return true;
    if (literal('false')) return false;
    if (literal('null')) return null;
    if (literal('NaN')) return new PyFloat(NaN);
    if (literal('Infinity')) return new PyFloat(Infinity);
    if (literal('-Infinity')) return new PyFloat(-Infinity);
    return number();
  }

  function number(): PyValue {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail('Expecting value');
    pos += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : new PyFloat(Number(m[0]));
  }

  function string(): string {
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('Unterminated string');
      const c = text[pos++];
      if (c === '"') return out;
      if (c < ' ') fail('Invalid control character');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[pos++];
      if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) out += SIMPLE_ESCAPES[e];
      else if (e === 'u') {
        const hex = text.slice(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape');
        // Surrogate halves are kept as UTF-16 code units, so a pair becomes one character and a
        // lone half stays what Python keeps it as: a lone surrogate.
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 4;
      } else fail('Invalid \\escape');
    }
  }

  function array(depth: number): PyValue[] {
    pos++;
    const items: PyValue[] = [];
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return items;
    }
    for (;;) {
      items.push(value(depth + 1));
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] === ']') {
        pos++;
        return items;
      } else fail("Expecting ',' delimiter");
    }
  }

  function object(depth: number): PyDict {
    pos++;
    const dict: PyDict = new Map();
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return dict;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail('Expecting property name enclosed in double quotes');
      const key = string();
      skipSpace();
      if (text[pos++] !== ':') fail("Expecting ':' delimiter");
      dict.set(key, value(depth + 1));
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] === '}') {
        pos++;
        return dict;
      } else fail("Expecting ',' delimiter");
    }
  }

  const result = value(0);
  skipSpace();
  if (pos < text.length) fail('Extra data');
  return result;
}

/**
 * The plain JavaScript value of a PyValue (what `JSON.parse` would give): ints become numbers,
 * dicts become objects. Use it for computing; keep the PyValue for printing.
 */
export function pyToJs(value: PyValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(pyToJs);
  if (value instanceof Map) {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of value) obj[k] = pyToJs(v);
    return obj;
  }
  return value;
}

/** A string escaped as `json.dumps` does by default (ensure_ascii): everything outside ASCII as \uXXXX. */
function dumpString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text as Python's `json.dumps(value)` writes it with default settings: `", "` and `": "`
 * separators, floats as `repr`, non-ASCII escaped. NaN and infinities are refused, as the
 * `requests` library refuses them when it sends a body.
 */
export function pyJsonDumps(value: PyValue): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return dumpString(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) {
      throw new RangeError(`${value.value} is not valid JSON: send finite numbers only`);
    }
    return pyFloatRepr(value.value);
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, v] of value) parts.push(`${dumpString(k)}: ${pyJsonDumps(v)}`);
  return `{${parts.join(', ')}}`;
}
