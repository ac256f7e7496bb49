// SPDX-License-Identifier: Apache-2.0
// Building the message a call sends: payload choice, tensor and ndarray, random data, meta.
import { describe, expect, it } from 'vitest';
import { SeldonClientException } from './errors.js';
import { buildMessage, randomArray, shapeOf, toDefaultData, type PayloadArgs } from './payload.js';

const tensor = (over: Partial<PayloadArgs> = {}): PayloadArgs => ({ payloadType: 'tensor', ...over });

describe('toDefaultData', () => {
  it('makes a row-major tensor with the array shape', () => {
    expect(toDefaultData([[1, 2, 3], [4, 5, 6]], 'tensor', ['a', 'b', 'c'])).toEqual({
      names: ['a', 'b', 'c'],
      tensor: { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
    });
    expect(toDefaultData([1, 2], 'tensor')).toEqual({ tensor: { shape: [2], values: [1, 2] } });
    expect(toDefaultData(new Float64Array([0.5, 1.5]), 'tensor')).toEqual({ tensor: { shape: [2], values: [0.5, 1.5] } });
  });

  it('keeps the nested lists for an ndarray, strings and ragged rows included', () => {
    expect(toDefaultData([[1, 'a', true, null], [2]], 'ndarray')).toEqual({ ndarray: [[1, 'a', true, null], [2]] });
  });

  it('leaves names out when there are none, as protobuf does', () => {
    expect(toDefaultData([[1]], 'ndarray', [])).toEqual({ ndarray: [[1]] });
  });

  it('says what is wrong with data it cannot send', () => {
    expect(() => toDefaultData('1,2,3', 'tensor')).toThrow('Valid values for data are None or numpy array');
    expect(() => toDefaultData([[1, 2], [3]], 'tensor')).toThrow(/not rectangular: data\[1\] has shape \[1\] but data\[0\] has \[2\]/);
    expect(() => toDefaultData([[1, 'a']], 'tensor')).toThrow(/data\[0\]\[1\] is 'a': a tensor carries numbers only/);
    expect(() => toDefaultData([[1, NaN]], 'ndarray')).toThrow(/data\[0\]\[1\] is NaN.*payloadType: 'tensor'/);
    expect(() => toDefaultData([[{}]], 'ndarray')).toThrow(SeldonClientException);
    expect(() => toDefaultData([[1]], 'ndarray', 'text' as never)).toThrow(/names must be an array of strings/);
  });
});

describe('shapeOf', () => {
  it('measures nested arrays', () => {
    expect(shapeOf([[[1], [2]], [[3], [4]], [[5], [6]]])).toEqual([3, 2, 1]);
    expect(shapeOf([])).toEqual([0]);
  });
});

describe('randomArray', () => {
  it('fills the shape with numbers in [0, 1) from the random source', () => {
    const values = randomArray([2, 3]) as number[][];
    expect(values).toHaveLength(2);
    for (const row of values) {
      expect(row).toHaveLength(3);
      for (const v of row) expect(v >= 0 && v < 1).toBe(true);
    }
    let i = 0;
    expect(randomArray([3], () => [0.1, 0.2, 0.3][i++])).toEqual([0.1, 0.2, 0.3]);
  });

  it('refuses shapes that are not lists of sizes', () => {
    for (const bad of [[], [1.5], [-1], 'x']) expect(() => randomArray(bad as never)).toThrow(/shape must be a list of non-negative integers/);
  });
});

describe('buildMessage', () => {
  it('sends random data of shape [1, 1] when given nothing, as np.random.rand(1, 1)', () => {
    const m = buildMessage(tensor(), 'always', () => 0.25);
    expect(m).toEqual({ meta: {}, data: { tensor: { shape: [1, 1], values: [0.25] } } });
  });

  it('sends random data of the shape asked for, as an ndarray when asked', () => {
    const m = buildMessage({ payloadType: 'ndarray', shape: [2, 2] }, 'when-given', () => 0.5);
    expect(m).toEqual({ data: { ndarray: [[0.5, 0.5], [0.5, 0.5]] } });
  });

  it("picks the payload in Python's order: binData, strData, jsonData, data", () => {
    const all = { binData: Buffer.from([1, 2]), strData: 's', jsonData: { j: 1 }, data: [[1]] };
    expect(buildMessage(tensor(all), 'when-given')).toEqual({ binData: 'AQI=' });
    expect(buildMessage(tensor({ ...all, binData: undefined }), 'when-given')).toEqual({ strData: 's' });
    expect(buildMessage(tensor({ jsonData: { j: 1 }, data: [[1]] }), 'when-given')).toEqual({ jsonData: { j: 1 } });
  });

  it('puts meta tags in meta.tags, and an empty meta through a gateway as Python does', () => {
    expect(buildMessage(tensor({ strData: 'x', meta: { user: 'alice' } }), 'when-given')).toEqual({
      meta: { tags: { user: 'alice' } },
      strData: 'x',
    });
    expect(buildMessage(tensor({ strData: 'x' }), 'always')).toEqual({ meta: {}, strData: 'x' });
    // Python's gateway call builds a jsonData message without meta.
    expect(buildMessage(tensor({ jsonData: [1] }), 'always')).toEqual({ jsonData: [1] });
    expect(() => buildMessage(tensor({ meta: ['x'] as never }), 'always')).toThrow(/meta must be an object of tags/);
  });

  it('refuses binData that is not bytes', () => {
    expect(() => buildMessage(tensor({ binData: 'AQI=' as never }), 'always')).toThrow(/binData must be bytes/);
  });
});
