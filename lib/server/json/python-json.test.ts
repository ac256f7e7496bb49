// SPDX-License-Identifier: Apache-2.0
// The JSON writer and reader against what CPython's json module (as Flask's jsonify uses it) does.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { asFloats, asInts } from '../dtype.js';
import { JsonInputError, numpyValue, parsePythonJson, pythonJson } from './python-json.js';

const fixture = JSON.parse(readFileSync(fromRoot('lib', 'python', 'fixtures', 'python-json.json'), 'utf8')) as { documents: string[] };

// The same documents make-python-json.py gave to json.dumps, rebuilt in TypeScript. The 2.0 and
// -0.0 and 1e+22 of the third are Python floats that JavaScript cannot tell from integers, so they
// are marked as floats, as a model marks its output.
const documents: unknown[] = [
  { data: { names: ['t:0', 't:1', 't:2'], ndarray: [[0.0006985194531162835, 0.00366803903943666, 0.995633441507447]] }, meta: { requestPath: { classifier: 'seldonio/sklearnserver:1.11.0' } } },
  { status: { status: 1, info: 'Unknown data type returned as payload (must be list or np array):None', code: -1, reason: 'MICROSERVICE_BAD_DATA' } },
  { z: 1, a: [1, numpyValue(2, 'float64'), numpyValue(-0, 'float64'), 1e-7, numpyValue(1e22, 'float64'), NaN, Infinity, -Infinity], M: null, b: true, c: false },
  { strData: '한국어 text, "quotes", back\\slash, tab\t, newline\n, bell\x07, del\x7f, emoji \u{1F600}, é' },
  { é: 1, e: 2, '\u{1F600}': 3, '\uffff': 4, E: 5, '': 6 },
  { nested: { b: { d: [], c: {} }, a: [[[]]] } },
];

describe('pythonJson', () => {
  it('writes each fixture document byte for byte as Python did', () => {
    expect(documents.map((d) => pythonJson(d))).toEqual(fixture.documents);
  });

  it('writes marked arrays with their dtype and unmarked numbers by value', () => {
    expect(pythonJson(asFloats([[1, 0], [0.5, 0.5]]))).toBe('[[1.0,0.0],[0.5,0.5]]');
    expect(pythonJson(asInts([2, 0]))).toBe('[2,0]');
    expect(pythonJson([2, 0.5])).toBe('[2,0.5]');
    expect(pythonJson(new Float32Array([1, 0.5]))).toBe('[1.0,0.5]');
    expect(pythonJson({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  it('keeps insertion order when asked (V2 answers)', () => {
    expect(pythonJson({ b: 1, a: 2 }, { sortKeys: false })).toBe('{"b":1,"a":2}');
  });

  it('writes text JSON.parse reads back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // -0 is written -0.0 by Python and read back as -0; JSON.stringify would lose it.
        expect(JSON.parse(pythonJson(value))).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePythonJson', () => {
  it('reads plain JSON', () => {
    expect(parsePythonJson('{"data":{"ndarray":[[1,2,3,4]]}}', 10)).toEqual({ data: { ndarray: [[1, 2, 3, 4]] } });
  });

  it('reads Python\'s NaN and Infinity, but not inside strings', () => {
    const value = parsePythonJson('{"a":[NaN, Infinity,-Infinity, 1],"s":"NaN Infinity \\" NaN"}', 10) as { a: number[]; s: string };
    expect(value.a[0]).toBeNaN();
    expect(value.a.slice(1)).toEqual([Infinity, -Infinity, 1]);
    expect(value.s).toBe('NaN Infinity " NaN');
  });

  it('refuses text that is not JSON, with the parser\'s reason', () => {
    expect(() => parsePythonJson('{"data":', 10)).toThrow(JsonInputError);
    expect(() => parsePythonJson('{"a": nan}', 10)).toThrow(JsonInputError);
  });

  it('refuses nesting past the limit before parsing', () => {
    expect(() => parsePythonJson('['.repeat(11) + ']'.repeat(11), 10)).toThrow(/more than 10 levels/);
    expect(parsePythonJson('"[[[[[[[[[[[["', 3)).toBe('[[[[[[[[[[[[');
    expect(() => parsePythonJson('['.repeat(1_000_000), 64)).toThrow(/more than 64 levels/);
  });
});
