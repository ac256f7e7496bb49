// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { decodeGoJson, goJsonSyntaxError } from './go-json.js';

describe('goJsonSyntaxError', () => {
  // Messages as Go's encoding/json reports them (the API server forwards them in 400 answers).
  it.each([
    ['', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['"a\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12G4"', "invalid character 'G' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ])('%j → %s', (text, message) => {
    expect(goJsonSyntaxError(text)).toBe(message);
  });

  it.each(['{}', '[]', ' {"a":[1,2.5e3,-0,true,false,null,"\\u00e9\\n"]} ', '0', '"x"'])('accepts %j', (text) => {
    expect(goJsonSyntaxError(text)).toBeUndefined();
  });
});

describe('decodeGoJson', () => {
  it.each([
    ['{"op":"add"}', 'array', '[]handlers.jsonPatchOp', 'json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
    ['[1]', 'object', 'map[string]interface {}', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['"s"', 'object', 'map[string]interface {}', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['3', 'array', '[]handlers.jsonPatchOp', 'json: cannot unmarshal number into Go value of type []handlers.jsonPatchOp'],
    ['true', 'array', '[]handlers.jsonPatchOp', 'json: cannot unmarshal bool into Go value of type []handlers.jsonPatchOp'],
  ] as const)('%s into %s', (text, expect_, goType, message) => {
    expect(decodeGoJson(text, expect_, goType)).toEqual({ ok: false, message });
  });

  it('reports a syntax error before a type mismatch, as Go does', () => {
    expect(decodeGoJson('[1,', 'object', 'map[string]interface {}')).toEqual({ ok: false, message: 'unexpected end of JSON input' });
  });

  it('decodes null to nothing, like a nil Go map or slice', () => {
    expect(decodeGoJson('null', 'object', 'map[string]interface {}')).toEqual({ ok: true, value: null });
  });
});
