// SPDX-License-Identifier: Apache-2.0
// The float writer against Python itself: fixtures/python-json.json holds ~6,900 floats (edges of
// both notations, random bit patterns, everyday magnitudes) with the text CPython's repr gave them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { decimalDigits, pyFloatRepr, pyIntRepr, pyJsonFloat, shortestFloat32 } from './float-repr.js';

interface Fixture {
  floats: string[];
  specials: Record<'nan' | 'inf' | '-inf', string>;
}
const fixture = JSON.parse(readFileSync(join(fromRoot('lib', 'python', 'fixtures'), 'python-json.json'), 'utf8')) as Fixture;

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('pyFloatRepr', () => {
  it('writes every fixture float exactly as CPython repr did', () => {
    const wrong: string[] = [];
    for (const line of fixture.floats) {
      const [bits, repr] = line.split(' ');
      const got = pyFloatRepr(fromBits(bits));
      if (got !== repr) wrong.push(`${bits}: python ${repr}, ours ${got}`);
    }
    expect(fixture.floats.length).toBeGreaterThan(5000);
    expect(wrong).toEqual([]);
  });

  it('writes the seed numbers and the documented examples', () => {
    expect(pyFloatRepr(1.0794924957147728e-5)).toBe('1.0794924957147728e-05');
    expect(pyFloatRepr(0.0006985194531162835)).toBe('0.0006985194531162835');
    expect(pyFloatRepr(2)).toBe('2.0');
    expect(pyFloatRepr(-0)).toBe('-0.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1e-4)).toBe('0.0001');
  });

  it('writes NaN and the infinities as Python json does (pyJsonFloat) and as repr does (pyFloatRepr)', () => {
    expect(pyJsonFloat(NaN)).toBe(fixture.specials.nan);
    expect(pyJsonFloat(Infinity)).toBe(fixture.specials.inf);
    expect(pyJsonFloat(-Infinity)).toBe(fixture.specials['-inf']);
    expect([pyFloatRepr(NaN), pyFloatRepr(Infinity), pyFloatRepr(-Infinity)]).toEqual(['nan', 'inf', '-inf']);
    expect(pyJsonFloat(0.1)).toBe(pyFloatRepr(0.1));
  });

  it('round-trips any double and follows Python\'s notation rule (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = pyFloatRepr(x);
        expect(Object.is(Number(s), x)).toBe(true);
        const abs = Math.abs(x);
        const exponentForm = /e[+-]\d\d+$/.test(s);
        // Python switches to exponent form exactly outside [1e-4, 1e16) (zero is positional).
        expect(exponentForm).toBe(x !== 0 && (abs < 1e-4 || abs >= 1e16));
        if (!exponentForm) expect(s).toMatch(/^-?\d+\.\d+$/);
        // The digits written are JavaScript's own shortest round-trip digits, only laid out anew.
        const written = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
        if (x !== 0) expect(written).toBe(decimalDigits(abs).digits);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('pyIntRepr', () => {
  it('writes integers with all their digits, as Python ints', () => {
    expect(pyIntRepr(2)).toBe('2');
    expect(pyIntRepr(-0)).toBe('0');
    expect(pyIntRepr(1e21)).toBe('1000000000000000000000');
    expect(pyIntRepr(-(2 ** 70))).toBe((-(2n ** 70n)).toString());
  });
});

describe('shortestFloat32', () => {
  it('gives the shortest decimal that reads back as the same float32', () => {
    expect(shortestFloat32(0.1)).toBe(0.1);
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(1)).toBe(1);
    expect(shortestFloat32(3.14159)).toBe(3.14159);
    expect(Math.fround(shortestFloat32(1 / 3))).toBe(Math.fround(1 / 3));
  });
});
