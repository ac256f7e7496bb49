// SPDX-License-Identifier: Apache-2.0
// expf and logf must return what glibc's return, bit for bit, or softmax, sigmoid and logistic
// base margins drift from XGBoost's in the last float32 place. The vectors come from glibc itself
// (cluster/models/make_xgboost_models.py) and include hundreds of inputs where glibc's answer is
// not simply the float64 function rounded to float32.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { expf, f32, logf } from './float32.js';

type JsonFloat = number | 'inf' | '-inf' | 'nan';
interface Vectors {
  input: JsonFloat[];
  output: JsonFloat[];
  differs_from_rounded_float64: number;
}

const number = (v: JsonFloat): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);
function vectors(name: string): Array<[number, number]> & { hard: number } {
  const doc = JSON.parse(readFileSync(fromRoot('cluster/models/fixtures/xgboost-libm', `${name}.json`), 'utf8')) as Vectors;
  return Object.assign(
    doc.input.map((x, i): [number, number] => [number(x), number(doc.output[i])]),
    { hard: doc.differs_from_rounded_float64 },
  );
}

for (const [name, fn, naive] of [
  ['expf', expf, Math.exp],
  ['logf', logf, Math.log],
] as const) {
  describe(name, () => {
    const cases = vectors(name);

    it("matches glibc on every recorded input, including those where rounding the float64 function does not", () => {
      expect(cases.hard).toBeGreaterThan(50);
      const wrong = cases.filter(([x, want]) => !Object.is(fn(x), want)).map(([x, want]) => ({ x, want, got: fn(x) }));
      expect(wrong).toEqual([]);
    });

    it('is not simply float32 of the float64 function: that misses the recorded hard cases', () => {
      const naiveWrong = cases.filter(([x, want]) => !Object.is(f32(naive(x)), want));
      expect(naiveWrong.length).toBeGreaterThanOrEqual(cases.hard);
    });
  });
}

describe('edges, as C has them', () => {
  it('expf', () => {
    expect(expf(NaN)).toBeNaN();
    expect(expf(-Infinity)).toBe(0);
    expect(expf(Infinity)).toBe(Infinity);
    expect(expf(0)).toBe(1);
    expect(expf(f32(88.8))).toBe(Infinity);
    expect(expf(-104)).toBe(0);
  });

  it('logf', () => {
    expect(logf(1)).toBe(0);
    expect(logf(0)).toBe(-Infinity);
    expect(logf(-1)).toBeNaN();
    expect(logf(Infinity)).toBe(Infinity);
  });
});
