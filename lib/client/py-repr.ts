// SPDX-License-Identifier: Apache-2.0
// Python's repr() of the values json.loads makes, so a response prints as the Python client prints it:
// `{'data': {'names': [], 'ndarray': [2.0]}, 'meta': {...}}` with True/False/None and Python's quoting.
import { pyFloatRepr } from '../python/index.js';
import { PyFloat, type PyValue } from './py-json.js';

// Python's str.isprintable() is false for these Unicode categories (other than the plain space):
// controls, format characters, surrogates, private use, unassigned, and line/paragraph/space separators.
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function escapeCodePoint(cp: number): string {
  const hex = cp.toString(16);
  if (cp < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** Python's `repr(s)` for a str: single quotes unless the text has a `'` and no `"`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  // for..of walks code points; a lone surrogate comes out on its own, as Python sees it.
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += escapeCodePoint(cp);
    else if (cp < 0x7f || ch === ' ') out += ch;
    else out += NOT_PRINTABLE.test(ch) ? escapeCodePoint(cp) : ch;
  }
  return out + quote;
}

/** Python's `repr()` of a value made by `json.loads`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, v] of value) parts.push(`${pyStrRepr(k)}: ${pyRepr(v)}`);
  return `{${parts.join(', ')}}`;
}
