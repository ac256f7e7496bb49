// SPDX-License-Identifier: Apache-2.0
// The UBJSON decoder: every type, the optimised containers XGBoost writes, and hostile input.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { decodeUbjson, UbjsonError, type UbjsonValue } from './ubjson.js';

/** Builds bytes from pieces: a string is ASCII markers/text, a number array is raw bytes. */
function bytes(...parts: Array<string | number[] | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) out.push(ch.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
/** Big-endian encodings, as UBJSON wants them. */
const be = {
  i16: (v: number) => [(v >> 8) & 0xff, v & 0xff],
  i32: (v: number) => { const d = new DataView(new ArrayBuffer(4)); d.setInt32(0, v); return [...new Uint8Array(d.buffer)]; },
  i64: (v: bigint) => { const d = new DataView(new ArrayBuffer(8)); d.setBigInt64(0, v); return [...new Uint8Array(d.buffer)]; },
  f32: (v: number) => { const d = new DataView(new ArrayBuffer(4)); d.setFloat32(0, v); return [...new Uint8Array(d.buffer)]; },
  f64: (v: number) => { const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, v); return [...new Uint8Array(d.buffer)]; },
};
/** A UBJSON string payload with an int8 length (object keys have no `S` marker). */
const key = (s: string) => bytes('i', [s.length], s);

function errorOf(input: Uint8Array): UbjsonError {
  try {
    decodeUbjson(input);
  } catch (err) {
    if (err instanceof UbjsonError) return err;
    throw new Error(`expected a UbjsonError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected decoding to fail');
}

describe('decodeUbjson: values', () => {
  it('reads every scalar type, numbers big-endian', () => {
    expect(decodeUbjson(bytes('Z'))).toBe(null);
    expect(decodeUbjson(bytes('T'))).toBe(true);
    expect(decodeUbjson(bytes('F'))).toBe(false);
    expect(decodeUbjson(bytes('i', [0xff]))).toBe(-1);
    expect(decodeUbjson(bytes('U', [0xff]))).toBe(255);
    expect(decodeUbjson(bytes('I', be.i16(-2)))).toBe(-2);
    expect(decodeUbjson(bytes('l', be.i32(-70000)))).toBe(-70000);
    expect(decodeUbjson(bytes('L', be.i64(2n ** 40n)))).toBe(2 ** 40);
    expect(decodeUbjson(bytes('d', be.f32(0.5)))).toBe(0.5);
    expect(decodeUbjson(bytes('d', be.f32(2.45)))).toBe(Math.fround(2.45));
    expect(decodeUbjson(bytes('D', be.f64(0.1)))).toBe(0.1);
    expect(decodeUbjson(bytes('H', 'i', [6], '1.5e-3'))).toBe(0.0015);
    expect(decodeUbjson(bytes('C', 'x'))).toBe('x');
    expect(decodeUbjson(bytes('S', 'i', [5], 'multi'))).toBe('multi');
    expect(decodeUbjson(bytes('S', 'i', [3], [0xed, 0x95, 0x9c]))).toBe('한');
  });

  it('reads plain and counted containers, skipping no-op markers', () => {
    expect(decodeUbjson(bytes('[', 'i', [1], 'N', 'S', 'i', [1], 'a', ']'))).toEqual([1, 'a']);
    expect(decodeUbjson(bytes('[', '#', 'i', [2], 'T', 'Z'))).toEqual([true, null]);
    expect(decodeUbjson(bytes('{', key('a'), 'i', [1], key('b'), '[', ']', '}'))).toEqual({ a: 1, b: [] });
    expect(decodeUbjson(bytes('{', '#', 'i', [1], key('n'), 'U', [7]))).toEqual({ n: 7 });
    expect(decodeUbjson(bytes('N', 'N', '[', ']', 'N'))).toEqual([]);
  });

  it('turns optimised numeric arrays into typed arrays, as XGBoost writes them', () => {
    const floats = decodeUbjson(bytes('[', '$', 'd', '#', 'L', be.i64(3n), be.f32(1.5), be.f32(-2), be.f32(2.45)));
    expect(floats).toBeInstanceOf(Float32Array);
    expect(Array.from(floats as Float32Array)).toEqual([1.5, -2, Math.fround(2.45)]);

    const ints = decodeUbjson(bytes('[', '$', 'l', '#', 'i', [2], be.i32(-1), be.i32(7)));
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints as Int32Array)).toEqual([-1, 7]);

    expect(decodeUbjson(bytes('[', '$', 'U', '#', 'i', [3], [0, 1, 255]))).toEqual(Uint8Array.from([0, 1, 255]));
    expect(Array.from(decodeUbjson(bytes('[', '$', 'i', '#', 'i', [2], [0xff, 5])) as Int8Array)).toEqual([-1, 5]);
    expect(Array.from(decodeUbjson(bytes('[', '$', 'I', '#', 'i', [1], be.i16(-300))) as Int16Array)).toEqual([-300]);
    expect(Array.from(decodeUbjson(bytes('[', '$', 'D', '#', 'i', [1], be.f64(0.1))) as Float64Array)).toEqual([0.1]);
    // int64 has no safe typed array: plain numbers, checked.
    expect(decodeUbjson(bytes('[', '$', 'L', '#', 'i', [2], be.i64(5n), be.i64(-6n)))).toEqual([5, -6]);
    // Non-numeric typed containers: values without markers.
    expect(decodeUbjson(bytes('[', '$', 'S', '#', 'i', [2], 'i', [1], 'a', 'i', [2], 'bc'))).toEqual(['a', 'bc']);
    expect(decodeUbjson(bytes('[', '$', 'T', '#', 'i', [2]))).toEqual([true, true]);
    expect(decodeUbjson(bytes('{', '$', 'i', '#', 'i', [2], key('x'), [1], key('y'), [2]))).toEqual({ x: 1, y: 2 });
  });

  it('keeps a "__proto__" key as data, as JSON.parse does', () => {
    const value = decodeUbjson(bytes('{', key('__proto__'), '{', key('polluted'), 'T', '}', '}')) as Record<string, UbjsonValue>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("decodes XGBoost's model.ubj to the same document as its model.json", () => {
    const dir = fromRoot('cluster/models/fixtures/xgboost-iris-softprob');
    const fromUbj = decodeUbjson(new Uint8Array(readFileSync(`${dir}/model.ubj`)));
    const fromJson: unknown = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8'));
    // JSON numbers are float32 values printed in decimal; the UBJSON ones are the float32 bits.
    const normalise = (v: unknown): unknown =>
      ArrayBuffer.isView(v) ? Array.from(v as Float32Array, Math.fround)
      : Array.isArray(v) ? v.map(normalise)
      : typeof v === 'number' ? Math.fround(v)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]))
      : v;
    expect(normalise(fromUbj)).toEqual(normalise(fromJson));
  });
});

describe('decodeUbjson: bad and hostile input', () => {
  it('refuses deep nesting quickly, without exhausting the stack', () => {
    const deep = bytes('['.repeat(100_000));
    expect(errorOf(deep).message).toMatch(/nest deeper than 64 levels/);
    expect(decodeUbjson(bytes('['.repeat(10), ']'.repeat(10)), { maxDepth: 10 })).toEqual([[[[[[[[[[]]]]]]]]]]);
    expect(() => decodeUbjson(bytes('['.repeat(11), ']'.repeat(11)), { maxDepth: 10 })).toThrow(/deeper than 10/);
  });

  it('refuses counts and lengths larger than the bytes that follow, before allocating', () => {
    expect(errorOf(bytes('[', '#', 'L', be.i64(2n ** 50n), 'Z')).message).toMatch(/declares 1125899906842624 elements/);
    expect(errorOf(bytes('[', '$', 'Z', '#', 'L', be.i64(2n ** 40n))).message).toMatch(/declares/);
    expect(errorOf(bytes('[', '$', 'T', '#', 'l', be.i32(65537))).message).toMatch(/declares 65537 elements/);
    expect(errorOf(bytes('[', '$', 'd', '#', 'l', be.i32(1000), be.f32(1))).message).toMatch(/declares 1000 elements/);
    expect(errorOf(bytes('{', '#', 'L', be.i64(2n ** 40n))).message).toMatch(/declares/);
    expect(errorOf(bytes('S', 'L', be.i64(2n ** 40n), 'abc')).message).toMatch(/truncated: a string needs 1099511627776 bytes, 3 left/);
  });

  it('refuses malformed input with the offset', () => {
    expect(errorOf(bytes()).message).toBe('truncated: a type marker needs 1 bytes, 0 left (at byte 0)');
    expect(errorOf(bytes('X')).message).toMatch(/unknown type marker "X" \(at byte 0\)/);
    expect(errorOf(bytes('T', 'T')).message).toMatch(/1 unexpected bytes after the value/);
    expect(errorOf(bytes('S', 'i', [0xff])).message).toMatch(/a string length is negative/);
    expect(errorOf(bytes('S', 'd', be.f32(1))).message).toMatch(/a string length must be an integer/);
    expect(errorOf(bytes('S', 'i', [1], [0xff])).message).toMatch(/not valid UTF-8/);
    expect(errorOf(bytes('L', be.i64(2n ** 60n))).message).toMatch(/outside JavaScript's safe integer range/);
    expect(errorOf(bytes('[', '$', 'd', 'Z')).message).toMatch(/must give a count/);
    expect(errorOf(bytes('[', '$', 'N', '#', 'i', [1])).message).toMatch(/cannot be a container's element type/);
    expect(errorOf(bytes('H', 'i', [3], 'abc')).message).toMatch(/is not a number/);
    expect(errorOf(bytes('C', [200])).message).toMatch(/must be ASCII/);
    expect(errorOf(bytes('[', 'i', [1])).message).toMatch(/truncated/);
    expect(errorOf(bytes('{', key('a'))).message).toMatch(/truncated/);
  });

  it('refuses every truncation of a real model.ubj with a UbjsonError', () => {
    const model = new Uint8Array(readFileSync(fromRoot('cluster/models/fixtures/xgboost-binary/model.ubj')));
    for (let n = 0; n < model.length; n += 7) errorOf(model.subarray(0, n));
  });

  it('never throws anything but a UbjsonError, for any bytes (fuzz)', () => {
    const markers = fc.constantFrom(...'ZTFiUIlLdDHCS[]{}$#N'.split('').map((c) => c.charCodeAt(0)));
    const input = fc.array(fc.oneof(markers, fc.integer({ min: 0, max: 255 })), { maxLength: 64 });
    fc.assert(
      fc.property(input, (list) => {
        try {
          decodeUbjson(Uint8Array.from(list));
        } catch (err) {
          if (!(err instanceof UbjsonError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
