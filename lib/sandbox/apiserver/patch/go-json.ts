// SPDX-License-Identifier: Apache-2.0
// JSON decoding with the error messages of Go's encoding/json, because the API server puts them
// verbatim into its 400 answers ("invalid character 'x' looking for beginning of value",
// "json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"), and kubectl and
// client libraries print them. JavaScript's JSON.parse reports the same mistakes in other words.
//
// Go checks the syntax of the whole document before it decodes anything, so a syntax error always
// wins over a type mismatch; `decodeGoJson` keeps that order.

/** Go's quoting of a character in scanner errors: 'x', '\n', '"', '\''. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const quoted = JSON.stringify(c);
  return `'${quoted.slice(1, -1)}'`;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

class GoSyntaxError extends Error {}

function fail(c: string, context: string): never {
  throw new GoSyntaxError(`invalid character ${quoteChar(c)} ${context}`);
}

/** A recursive-descent check with Go's scanner messages; returns the end index of the value. */
function scanValue(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
  const c = s[i];
  if (c === '{') return scanObject(s, i + 1);
  if (c === '[') return scanArray(s, i + 1);
  if (c === '"') return scanString(s, i + 1);
  if (c === '-' || isDigit(c)) return scanNumber(s, i);
  for (const literal of ['true', 'false', 'null']) {
    if (c === literal[0]) {
      for (let k = 1; k < literal.length; k++) {
        if (i + k >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
        if (s[i + k] !== literal[k]) fail(s[i + k], `in literal ${literal} (expecting ${quoteChar(literal[k])})`);
      }
      return i + literal.length;
    }
  }
  return fail(c, 'looking for beginning of value');
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
  return i;
}

function scanObject(s: string, i: number): number {
  i = skipSpace(s, i);
  if (s[i] === '}') return i + 1;
  for (;;) {
    if (s[i] !== '"') fail(s[i], 'looking for beginning of object key string');
    i = skipSpace(s, scanString(s, i + 1));
    if (s[i] !== ':') fail(s[i], 'after object key');
    i = skipSpace(s, scanValue(s, i + 1));
    if (s[i] === '}') return i + 1;
    if (s[i] !== ',') fail(s[i], 'after object key:value pair');
    i = skipSpace(s, i + 1);
  }
}

function scanArray(s: string, i: number): number {
  i = skipSpace(s, i);
  if (s[i] === ']') return i + 1;
  for (;;) {
    i = skipSpace(s, scanValue(s, i));
    if (s[i] === ']') return i + 1;
    if (s[i] !== ',') fail(s[i], 'after array element');
    i += 1;
  }
}

function scanString(s: string, i: number): number {
  for (;;) {
    if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
    const c = s[i];
    if (c === '"') return i + 1;
    if (c < ' ') fail(c, 'in string literal');
    if (c === '\\') {
      const e = s[i + 1];
      if (e === undefined) throw new GoSyntaxError('unexpected end of JSON input');
      if (e === 'u') {
        for (let k = 2; k < 6; k++) {
          if (i + k >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
          if (!isHex(s[i + k])) fail(s[i + k], 'in \\u hexadecimal character escape');
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e)) fail(e, 'in string escape code');
      i += 2;
      continue;
    }
    i++;
  }
}

function scanNumber(s: string, i: number): number {
  if (s[i] === '-') {
    i++;
    if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
    if (!isDigit(s[i])) fail(s[i], 'in numeric literal');
  }
  if (s[i] === '0') i++;
  else while (i < s.length && isDigit(s[i])) i++;
  if (s[i] === '.') {
    i++;
    if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
    if (!isDigit(s[i])) fail(s[i], 'after decimal point in numeric literal');
    while (i < s.length && isDigit(s[i])) i++;
  }
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    if (i >= s.length) throw new GoSyntaxError('unexpected end of JSON input');
    if (!isDigit(s[i])) fail(s[i], 'in exponent of numeric literal');
    while (i < s.length && isDigit(s[i])) i++;
  }
  return i;
}

/** Go's syntax error for `text`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(text: string): string | undefined {
  try {
    let end = scanValue(text, 0);
    while (end < text.length && isSpace(text[end])) end++;
    if (end < text.length) fail(text[end], 'after top-level value');
    return undefined;
  } catch (e) {
    if (e instanceof GoSyntaxError) return e.message;
    throw e;
  }
}

/** Go's name for the JSON kind of a value, as in "cannot unmarshal <kind> into Go value ...". */
export function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

// Callers test `ok === false`, not `!ok`: notebooks type-check lib/ without strictNullChecks (tslab),
// where only the comparison narrows this union (test/tslab-compat.test.ts).
export type DecodeResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Decode `text` the way Go decodes it into a value of Go type `goType`: 'object' for a
 * map[string]interface{}, 'array' for a slice. A `null` document decodes to nothing in Go (a nil
 * map or slice), which callers receive as `value: null`.
 */
export function decodeGoJson(text: string, expect: 'object' | 'array', goType: string): DecodeResult {
  const syntax = goJsonSyntaxError(text);
  if (syntax) return { ok: false, message: syntax };
  const value: unknown = JSON.parse(text);
  if (value === null) return { ok: true, value: null };
  const kind = goJsonKind(value);
  if (kind !== expect) return { ok: false, message: `json: cannot unmarshal ${kind} into Go value of type ${goType}` };
  return { ok: true, value };
}
