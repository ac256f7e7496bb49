// SPDX-License-Identifier: Apache-2.0
// pyFloatRepr against repr() values that Python itself wrote (fixtures/py-float.json, made by
// fixtures/make-fixtures.py), plus the layout rules spelled out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { pyFloatRepr, shortestFloat32 } from './py-float.js';

const fixture = JSON.parse(readFileSync(fromRoot('lib/client/fixtures/py-float.json'), 'utf8')) as Array<{
  bits: string;
  repr: string;
}>;

describe('pyFloatRepr', () => {
  it('writes floats as Python repr() does', () => {
    expect(pyFloatRepr(2)).toBe('2.0');
    expect(pyFloatRepr(1)).toBe('1.0');
    expect(pyFloatRepr(-0)).toBe('-0.0');
    expect(pyFloatRepr(0)).toBe('0.0');
    expect(pyFloatRepr(1.0794924957147728e-5)).toBe('1.0794924957147728e-05');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(1e15)).toBe('1000000000000000.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1.5e300)).toBe('1.5e+300');
    expect(pyFloatRepr(5e-324)).toBe('5e-324');
    expect(pyFloatRepr(NaN)).toBe('nan');
    expect(pyFloatRepr(Infinity)).toBe('inf');
    expect(pyFloatRepr(-Infinity)).toBe('-inf');
  });

  it(`matches Python on ${fixture.length} doubles of every magnitude`, () => {
    const mismatches = fixture
      .map(({ bits, repr }) => ({ repr, got: pyFloatRepr(Buffer.from(bits, 'hex').readDoubleBE(0)) }))
      .filter(({ repr, got }) => repr !== got);
    expect(mismatches).toEqual([]);
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
