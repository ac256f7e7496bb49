// SPDX-License-Identifier: Apache-2.0
// Reading JSON as Python's json.loads does and printing it as repr(): compared with what Python
// printed for the same texts (fixtures/py-repr.json, made by fixtures/make-fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { PyFloat, PyJsonError, parsePyJson, pyJsonDumps, pyToJs } from './py-json.js';
import { pyRepr, pyStrRepr } from './py-repr.js';

const fixture = JSON.parse(readFileSync(fromRoot('lib/client/fixtures/py-repr.json'), 'utf8')) as Array<{
  json: string;
  repr: string;
}>;

describe('parsePyJson + pyRepr', () => {
  it.each(fixture.map((c) => [c.json.slice(0, 60), c] as const))('repr(json.loads(%j)) as Python prints it', (_, c) => {
    expect(pyRepr(parsePyJson(c.json))).toBe(c.repr);
  });

  it("prints the seed's XGBoost answer as the seed shows it", () => {
    const text = '{"data":{"names":[],"ndarray":[2.0]},"meta":{"requestPath":{"classifier":"seldonio/xgboostserver:1.11.0"}}}';
    expect(pyRepr(parsePyJson(text))).toBe(
      "{'data': {'names': [], 'ndarray': [2.0]}, 'meta': {'requestPath': {'classifier': 'seldonio/xgboostserver:1.11.0'}}}",
    );
  });

  it('keeps ints and floats apart, and ints exact', () => {
    expect(parsePyJson('2')).toBe(2n);
    expect(parsePyJson('2.0')).toEqual(new PyFloat(2));
    expect(parsePyJson('12345678901234567890')).toBe(12345678901234567890n);
  });

  it('refuses what json.loads refuses', () => {
    for (const bad of ['', '{', '[1,]', '{"a" 1}', "{'a': 1}", '01', '1 2', '"\u0001"', '"\\x41"', 'nan', '{"a":1,}']) {
      expect(() => parsePyJson(bad), bad).toThrow(PyJsonError);
    }
  });

  it('gives up on absurd nesting instead of overflowing the stack', () => {
    expect(() => parsePyJson('['.repeat(100_000))).toThrow(/nested too deeply/);
  });
});

describe('pyToJs', () => {
  it('gives what JSON.parse gives for ordinary JSON', () => {
    const text = '{"data":{"names":["t:0"],"tensor":{"shape":[1,1],"values":[0.5]}},"10":[true,null,"x"]}';
    expect(pyToJs(parsePyJson(text))).toEqual(JSON.parse(text));
  });
});

describe('pyStrRepr', () => {
  it("quotes as Python does: ' by default, \" when the text has ' and no \"", () => {
    expect(pyStrRepr('text')).toBe("'text'");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('say "hi"')).toBe("'say \"hi\"'");
    expect(pyStrRepr('한글')).toBe("'한글'");
  });
});

describe('pyJsonDumps', () => {
  it('writes as json.dumps does by default', () => {
    const value = parsePyJson('{"a": [1, 2.0, 1e-5], "é": "한", "n": null, "t": true}');
    expect(pyJsonDumps(value)).toBe('{"a": [1, 2.0, 1e-05], "\\u00e9": "\\ud55c", "n": null, "t": true}');
  });

  it('refuses NaN, as requests does when it sends JSON', () => {
    expect(() => pyJsonDumps([new PyFloat(NaN)])).toThrow(/finite/);
  });
});
