// SPDX-License-Identifier: Apache-2.0
// A cursor over the bytes of a pickle that never reads past the end and never moves backwards.
//
// Every length in a pickle comes from the file, so every length is checked here before it is
// used: a negative or oversized length is a PickleError, not a read of other memory, a huge
// allocation, or (as in parsers that accept a negative length) a jump back that loops forever.

import { PickleError } from './errors.js';

// Not TextDecoder('latin1'): by the WHATWG rules that label means windows-1252, which changes
// the bytes 0x80-0x9f. Buffer's latin1 is the real ISO-8859-1, one character per byte.
const utf8 = new TextDecoder('utf-8');

export class ByteReader {
  private pos = 0;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(
    bytes: Uint8Array,
    /** The longest string the reader decodes (JavaScript strings cannot be arbitrarily long). */
    private readonly maxStringBytes = 64 * 1024 * 1024,
  ) {
    // A plain Uint8Array view even when given a Node Buffer, so the bytes values we hand out
    // are the same type whatever the caller read the file with.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Claims `length` bytes and returns where they start; throws when the stream is shorter. */
  private take(length: number, what: string): number {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new PickleError(`invalid length ${length} for ${what}`, this.pos);
    }
    if (length > this.remaining) {
      throw new PickleError(
        `the file ends too early: ${what} needs ${length} byte${length === 1 ? '' : 's'} but only ${this.remaining} ${this.remaining === 1 ? 'is' : 'are'} left ` +
          '(the file is truncated or corrupt; download or save it again)',
        this.pos,
      );
    }
    const start = this.pos;
    this.pos += length;
    return start;
  }

  u8(what = 'a byte'): number {
    return this.view.getUint8(this.take(1, what));
  }

  u16(what = 'a 2-byte integer'): number {
    return this.view.getUint16(this.take(2, what), true);
  }

  i32(what = 'a 4-byte integer'): number {
    return this.view.getInt32(this.take(4, what), true);
  }

  u32(what = 'a 4-byte length'): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  /** An 8-byte little-endian length. Anything beyond 2^53 cannot be a real length here. */
  u64(what = 'an 8-byte length'): number {
    const value = this.view.getBigUint64(this.take(8, what), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new PickleError(`invalid length ${value} for ${what}`, this.pos - 8);
    }
    return Number(value);
  }

  /** Python floats are pickled big-endian (BINFLOAT). */
  f64be(): number {
    return this.view.getFloat64(this.take(8, 'a float'), false);
  }

  /** A view of the next `length` bytes (no copy). */
  bytesOf(length: number, what: string): Uint8Array {
    const start = this.take(length, what);
    return this.bytes.subarray(start, start + length);
  }

  utf8(length: number, what: string): string {
    this.checkStringLength(length, what);
    return utf8.decode(this.bytesOf(length, what));
  }

  latin1(length: number, what: string): string {
    this.checkStringLength(length, what);
    const bytes = this.bytesOf(length, what);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }

  /** The bytes up to the next newline, as latin-1 text (the text opcodes of protocol 0). */
  line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) {
      throw new PickleError(`the file ends too early: ${what} has no end of line`, this.pos);
    }
    const text = this.latin1(end - this.pos, what);
    this.pos += 1;
    return text;
  }

  private checkStringLength(length: number, what: string): void {
    if (length > this.maxStringBytes) {
      throw new PickleError(`${what} is ${length} bytes long; the limit is ${this.maxStringBytes}`, this.pos);
    }
  }
}
