// SPDX-License-Identifier: Apache-2.0
// Seldon's typed parameters, as PREDICTIVE_UNIT_PARAMETERS carries them.
import { describe, expect, it } from 'vitest';
import { convertParameter, parseSeldonParameters } from './parameters.js';

describe('parseSeldonParameters', () => {
  it('converts each type', () => {
    const env = JSON.stringify([
      { name: 'method', value: 'predict', type: 'STRING' },
      { name: 'model_uri', value: '/mnt/models', type: 'STRING' },
      { name: 'n', value: '42', type: 'INT' },
      { name: 'f', value: '0.5', type: 'FLOAT' },
      { name: 'd', value: '-1e-3', type: 'DOUBLE' },
      { name: 'on', value: 'True', type: 'BOOL' },
      { name: 'off', value: 'false', type: 'BOOL' },
      { name: 'untyped', value: 'x' },
    ]);
    expect(parseSeldonParameters(env)).toEqual({ method: 'predict', model_uri: '/mnt/models', n: 42, f: 0.5, d: -0.001, on: true, off: false, untyped: 'x' });
    expect(parseSeldonParameters(undefined)).toEqual({});
  });

  it('refuses values that do not fit their type, naming the parameter', () => {
    expect(() => convertParameter({ name: 'n', value: '4.5', type: 'INT' })).toThrow("Bad model parameter: n with value 4.5 can't be parsed as a INT");
    expect(() => convertParameter({ name: 'f', value: 'abc', type: 'FLOAT' })).toThrow(/f with value abc/);
    expect(() => convertParameter({ name: 'b', value: 'maybe', type: 'BOOL' })).toThrow(/b with value maybe/);
    expect(() => convertParameter({ name: 'x', value: '1', type: 'LONG' as never })).toThrow(/valid types are INT, FLOAT, DOUBLE, STRING, BOOL/);
    expect(convertParameter({ name: 'f', value: 'inf', type: 'FLOAT' })).toBe(Infinity);
  });

  it('refuses a variable that is not a JSON list of parameters', () => {
    expect(() => parseSeldonParameters('{not json')).toThrow(/PREDICTIVE_UNIT_PARAMETERS is not valid JSON/);
    expect(() => parseSeldonParameters('{"name":"a"}')).toThrow(/must be a JSON list/);
    expect(() => parseSeldonParameters('[{"value":"1"}]')).toThrow(/PREDICTIVE_UNIT_PARAMETERS\[0\] must be/);
  });
});
