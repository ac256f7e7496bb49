// SPDX-License-Identifier: Apache-2.0
// A Universal Binary JSON (UBJSON, https://ubjson.org, draft 12) decoder, for XGBoost's model.ubj.
//
// Why our own: the npm packages for UBJSON are few and describe themselves as quick and dirty; none
// bounds nesting depth or checks a declared length against the bytes that are really there, and
// a model file is input we must not trust. This one is small and strict:
//   - every number is big-endian, as the format says (XGBoost writes float32 arrays as `[$d#L<n>`);
//   - optimised containers (`$` type and `#` count) become typed arrays: `$d` a Float32Array,
//     `$D` a Float64Array, `$i`/`$U`/`$I`/`$l` Int8/Uint8/Int16/Int32Array, `$L` a number[];
//   - a count larger than the bytes left, nesting deeper than `maxDepth`, an int64 outside
//     JavaScript's safe integers, bad UTF-8 and trailing bytes are all refused with the byte offset.
// Nothing is evaluated: the result is plain data, like JSON.parse's.

/** A decoded UBJSON value. Optimised numeric arrays come back as typed arrays. */
export type UbjsonValue =
  | null
  | boolean
  | number
  | string
  | UbjsonValue[]
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | { [key: string]: UbjsonValue };

export interface UbjsonOptions {
  /** Containers may nest this deep (an XGBoost model needs 6). Default 64. */
  maxDepth?: number;
}

/** Thrown for any malformed or hostile input; `offset` is where decoding stopped. */
export class UbjsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'UbjsonError';
  }
}

/** The most elements a typed container of null, true or false (no bytes per element) may declare. */
const MAX_FREE_ELEMENTS = 65536;

/** Bytes per element of the fixed-size number types. */
const FIXED_SIZE: Record<string, number> = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8, C: 1 };

/** Decodes one UBJSON value that fills the whole buffer. */
export function decodeUbjson(bytes: Uint8Array, options: UbjsonOptions = {}): UbjsonValue {
  const reader = new Reader(bytes, options.maxDepth ?? 64);
  const value = reader.value(reader.marker(), 0);
  reader.skipNoOps();
  if (reader.offset !== bytes.length) {
    throw new UbjsonError(`${bytes.length - reader.offset} unexpected bytes after the value`, reader.offset);
  }
  return value;
}

class Reader {
  readonly view: DataView;
  offset = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Reads a type marker, skipping `N` (no-op) markers, which the spec allows anywhere a value may start. */
  marker(): string {
    this.skipNoOps();
    this.need(1, 'a type marker');
    return String.fromCharCode(this.bytes[this.offset++]);
  }

  skipNoOps(): void {
    while (this.offset < this.bytes.length && this.bytes[this.offset] === 0x4e /* N */) this.offset++;
  }

  private peek(): string | undefined {
    return this.offset < this.bytes.length ? String.fromCharCode(this.bytes[this.offset]) : undefined;
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new UbjsonError(`truncated: ${what} needs ${n} bytes, ${this.remaining} left`, this.offset);
    }
  }

  /** The value that follows `type` (its marker already read). */
  value(type: string, depth: number): UbjsonValue {
    switch (type) {
      case 'Z':
        return null;
      case 'T':
        return true;
      case 'F':
        return false;
      case 'i':
      case 'U':
      case 'I':
      case 'l':
      case 'L':
      case 'd':
      case 'D':
        return this.number(type);
      case 'H':
        return this.highPrecision();
      case 'C':
        return this.char();
      case 'S':
        return this.string();
      case '[':
        return this.array(depth + 1);
      case '{':
        return this.object(depth + 1);
      default:
        throw new UbjsonError(`unknown type marker ${JSON.stringify(type)}`, this.offset - 1);
    }
  }

  number(type: string): number {
    const size = FIXED_SIZE[type];
    this.need(size, `a number of type ${type}`);
    const at = this.offset;
    this.offset += size;
    const v = this.view;
    switch (type) {
      case 'i':
        return v.getInt8(at);
      case 'U':
        return v.getUint8(at);
      case 'I':
        return v.getInt16(at, false);
      case 'l':
        return v.getInt32(at, false);
      case 'd':
        return v.getFloat32(at, false);
      case 'D':
        return v.getFloat64(at, false);
      default: {
        // int64: exact only up to 2^53; XGBoost writes lengths and counts here, never larger.
        const big = v.getBigInt64(at, false);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new UbjsonError(`int64 ${big} is outside JavaScript's safe integer range`, at);
        }
        return Number(big);
      }
    }
  }

  /** A length or count: an integer marker and a value that is not negative. */
  length(what: string): number {
    const at = this.offset;
    const type = this.marker();
    if (!'iUIlL'.includes(type)) {
      throw new UbjsonError(`${what} must be an integer, got type marker ${JSON.stringify(type)}`, at);
    }
    const n = this.number(type);
    if (n < 0) throw new UbjsonError(`${what} is negative (${n})`, at);
    return n;
  }

  string(): string {
    const n = this.length('a string length');
    this.need(n, 'a string');
    const at = this.offset;
    this.offset += n;
    try {
      return this.utf8.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new UbjsonError('a string is not valid UTF-8', at);
    }
  }

  private char(): string {
    this.need(1, 'a char');
    const c = this.bytes[this.offset];
    if (c > 127) throw new UbjsonError(`a char must be ASCII, got byte ${c}`, this.offset);
    this.offset++;
    return String.fromCharCode(c);
  }

  /** `H`: a number too big for the other types, written as its decimal text. */
  private highPrecision(): number {
    const at = this.offset;
    const text = this.string();
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
      throw new UbjsonError(`high-precision number ${JSON.stringify(text.slice(0, 40))} is not a number`, at);
    }
    return Number(text);
  }

  /** Reads the optional `$type` and `#count` that make a container "optimised". */
  private header(): { type?: string; count?: number } {
    let type: string | undefined;
    if (this.peek() === '$') {
      this.offset++;
      this.need(1, 'a container type');
      type = String.fromCharCode(this.bytes[this.offset++]);
      if (type === 'N' || type === '$' || type === '#' || type === ']' || type === '}') {
        throw new UbjsonError(`${JSON.stringify(type)} cannot be a container's element type`, this.offset - 1);
      }
      if (this.peek() !== '#') throw new UbjsonError('a typed container ($) must give a count (#)', this.offset);
    }
    if (this.peek() !== '#') return { type };
    this.offset++;
    const count = this.length('a container count');
    // Every element takes at least one byte, so a count cannot exceed the bytes left; only a
    // typed container of null/true/false takes none, and those we cap, so that a 20-byte file
    // cannot ask for 2^50 elements.
    const free = type === 'Z' || type === 'T' || type === 'F';
    const per = type ? (FIXED_SIZE[type] ?? 1) : 1;
    if (free && count > MAX_FREE_ELEMENTS) {
      throw new UbjsonError(`a container declares ${count} elements of type ${type}, more than ${MAX_FREE_ELEMENTS}`, this.offset);
    }
    if (!free && count * per > this.remaining) {
      throw new UbjsonError(`a container declares ${count} elements but only ${this.remaining} bytes are left`, this.offset);
    }
    return { type, count };
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      throw new UbjsonError(`containers nest deeper than ${this.maxDepth} levels`, this.offset);
    }
  }

  private array(depth: number): UbjsonValue {
    this.enter(depth);
    const { type, count } = this.header();
    if (type !== undefined && count !== undefined) {
      const typed = this.typedArray(type, count);
      if (typed) return typed;
      const out: UbjsonValue[] = new Array<UbjsonValue>(count);
      for (let i = 0; i < count; i++) out[i] = this.value(type, depth);
      return out;
    }
    const out: UbjsonValue[] = [];
    if (count !== undefined) {
      for (let i = 0; i < count; i++) out.push(this.value(this.marker(), depth));
      return out;
    }
    for (;;) {
      const m = this.marker();
      if (m === ']') return out;
      out.push(this.value(m, depth));
    }
  }

  /** Optimised numeric arrays, read straight into typed arrays (big-endian to native). */
  private typedArray(type: string, count: number): UbjsonValue | undefined {
    const v = this.view;
    const at = this.offset;
    const size = FIXED_SIZE[type];
    if (size === undefined || type === 'C') return undefined;
    this.need(size * count, `an array of ${count} elements of type ${type}`);
    this.offset += size * count;
    switch (type) {
      case 'i':
        return Int8Array.from(this.bytes.subarray(at, at + count), (b) => (b << 24) >> 24);
      case 'U':
        return this.bytes.slice(at, at + count);
      case 'I':
        return Int16Array.from({ length: count }, (_, i) => v.getInt16(at + 2 * i, false));
      case 'l':
        return Int32Array.from({ length: count }, (_, i) => v.getInt32(at + 4 * i, false));
      case 'd':
        return Float32Array.from({ length: count }, (_, i) => v.getFloat32(at + 4 * i, false));
      case 'D':
        return Float64Array.from({ length: count }, (_, i) => v.getFloat64(at + 8 * i, false));
      default: {
        // int64 has no safe typed array in JavaScript: a number[] of checked values.
        this.offset = at;
        return Array.from({ length: count }, () => this.number('L'));
      }
    }
  }

  private object(depth: number): UbjsonValue {
    this.enter(depth);
    const { type, count } = this.header();
    const out: { [key: string]: UbjsonValue } = {};
    const put = (key: string, value: UbjsonValue): void => {
      // defineProperty, as JSON.parse does: a key "__proto__" is data, not a prototype switch.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    };
    if (count !== undefined) {
      for (let i = 0; i < count; i++) {
        const key = this.string();
        put(key, this.value(type ?? this.marker(), depth));
      }
      return out;
    }
    for (;;) {
      this.skipNoOps();
      if (this.peek() === '}') {
        this.offset++;
        return out;
      }
      const key = this.string();
      put(key, this.value(this.marker(), depth));
    }
  }
}
