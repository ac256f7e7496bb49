// SPDX-License-Identifier: Apache-2.0
// protobuf text format and the JSON body, compared with what Python's protobuf printed for the
// same messages (fixtures/proto-text.json, made by fixtures/make-fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { SeldonClientException } from './errors.js';
import { cEscape, protoText } from './proto-text.js';
import * as schema from './schema.js';
import { messageToJsonText } from './wire.js';

type Case = { name: string; type: 'SeldonMessage' | 'Feedback' | 'SeldonMessageList'; input: unknown; text: string; wire: string };
const cases = JSON.parse(readFileSync(fromRoot('lib/client/fixtures/proto-text.json'), 'utf8')) as Case[];

describe('protoText', () => {
  it.each(cases.map((c) => [c.name, c] as const))('prints %s as Python print(message) does', (_, c) => {
    expect(protoText(c.input, schema[c.type])).toBe(c.text);
  });

  it("prints the seed's request exactly as the seed tutorial shows it", () => {
    const request = { meta: {}, data: { names: ['text'], ndarray: [[1, 2, 3, 4]] } };
    const seedLines = [
      'meta {',
      '}',
      'data {',
      '  names: "text"',
      '  ndarray {',
      '    values {',
      '      list_value {',
      ...[1, 2, 3, 4].flatMap((n) => ['        values {', `          number_value: ${n}.0`, '        }']),
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ];
    expect(protoText(request, schema.SeldonMessage)).toBe(seedLines.join('\n'));
  });

  it('refuses fields that SeldonMessage does not have, naming them', () => {
    expect(() => protoText({ data: { ndarray: [] }, datta: 1 }, schema.SeldonMessage)).toThrow(SeldonClientException);
    expect(() => protoText({ datta: 1 }, schema.SeldonMessage)).toThrow(/no field named "datta"/);
    expect(() => protoText({ data: { tensor: { shape: [1], values: ['x'] } } }, schema.SeldonMessage)).toThrow(
      /SeldonMessage\.data\.tensor\.values\[0\] must be a number/,
    );
  });
});

describe('messageToJsonText', () => {
  it.each(cases.map((c) => [c.name, c] as const))('writes %s as json.dumps(MessageToDict(message))', (_, c) => {
    expect(messageToJsonText(c.input, schema[c.type])).toBe(c.wire);
  });
});

describe('cEscape', () => {
  it('escapes bytes as protobuf does', () => {
    expect(cEscape(Buffer.from('a"\'\\\n\t\r\u0001\u007f', 'utf8'))).toBe('a\\"\\\'\\\\\\n\\t\\r\\001\\177');
    expect(cEscape(Buffer.from('한', 'utf8'))).toBe('\\355\\225\\234');
  });
});
