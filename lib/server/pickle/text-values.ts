// SPDX-License-Identifier: Apache-2.0
// Decoding the values that pickles write as text or as raw integers.
//
// Protocol 0 writes numbers and strings as lines of text, with Python's own escapes; LONG1 and
// LONG4 write integers as little-endian two's complement of any length. Each decoder checks its
// input and throws a PickleError with the offset `at`.

import { PickleError } from './errors.js';
import { pyInt } from './python.js';

/** A little-endian two's-complement integer (LONG1, LONG4). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return pyInt(value);
}

export function parseTextInt(text: string, maxDigits: number, at: number): number | bigint {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed) || trimmed.length > maxDigits + 1) {
    throw new PickleError('an integer in text form is malformed or too long', at);
  }
  return pyInt(BigInt(trimmed));
}

export function parseTextFloat(text: string, at: number): number {
  const trimmed = text.trim().toLowerCase();
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN, '-nan': NaN, '+nan': NaN };
  if (trimmed in special) return special[trimmed];
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(trimmed)) throw new PickleError('a float in text form is malformed', at);
  return Number(trimmed);
}

/** STRING: a quoted Python 2 str with backslash escapes (codecs.escape_decode), read as latin-1. */
export function decodeQuotedString(text: string, at: number): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== '"' && quote !== "'") || text[text.length - 1] !== quote) {
    throw new PickleError('the STRING opcode argument must be quoted', at);
  }
  const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
    if (esc[0] === 'x' && esc.length === 3) return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8) & 0xff);
    return simple[esc] ?? whole;
  });
}

/** UNICODE: raw-unicode-escape text, where only \uXXXX and \UXXXXXXXX are escapes. */
export function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (whole, u4?: string, u8?: string) => {
    const code = parseInt(u4 ?? u8 ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
