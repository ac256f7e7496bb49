// SPDX-License-Identifier: Apache-2.0
// CEL rules on small schemas: where failures are reported, how they are worded, and CEL's int/double split.
import { describe, expect, it } from 'vitest';
import { checkCelRulesParse, evaluateCelRules, toCelValue } from './crd-cel.js';
import type { JSONSchemaProps, ValidationRule } from './crd-types.js';

const withRules = (rules: ValidationRule[], properties: Record<string, JSONSchemaProps>): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', 'x-kubernetes-validations': rules, properties } },
});

describe('evaluateCelRules', () => {
  const items: JSONSchemaProps = {
    type: 'array', maxItems: 10,
    items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer' } } },
  };

  it('passes when every rule holds', () => {
    const schema = withRules([{ rule: 'self.items.all(i, i.weight >= 0)', message: 'negative' }], { items });
    expect(evaluateCelRules(schema, { spec: { items: [{ name: 'a', weight: 1 }] } })).toEqual([]);
  });

  it('reports a failed rule at the node holding it, printing the schema type as the value', () => {
    const schema = withRules([{ rule: 'self.items.all(i, i.weight >= 0)', message: 'negative weight' }], { items });
    expect(evaluateCelRules(schema, { spec: { items: [{ name: 'a', weight: -1 }] } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": negative weight' },
    ]);
  });

  it('binds self to each list item for rules under items', () => {
    const schema = withRules([], {
      items: { ...items, items: { ...items.items, 'x-kubernetes-validations': [{ rule: 'self.weight <= 100', message: 'too heavy' }] } },
    });
    const causes = evaluateCelRules(schema, { spec: { items: [{ name: 'a', weight: 1 }, { name: 'b', weight: 101 }] } });
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.items[1]', message: 'Invalid value: "object": too heavy' }]);
  });

  it('treats integer fields as CEL ints, so sum() of ints equals an int literal', () => {
    const schema = withRules([{ rule: 'self.items.map(i, i.weight).sum() == 100', message: 'must sum to 100' }], { items });
    expect(evaluateCelRules(schema, { spec: { items: [{ weight: 60 }, { weight: 40 }] } })).toEqual([]);
    expect(evaluateCelRules(schema, { spec: { items: [{ weight: 60 }, { weight: 30 }] } })).toHaveLength(1);
    expect(toCelValue({ weight: 3 }, items.items)).toEqual({ weight: 3n });
    expect(toCelValue(1.5, { type: 'number' })).toBe(1.5);
  });

  it('offers min, max and isSorted from the Kubernetes list library', () => {
    const schema = withRules([
      { rule: 'self.items.map(i, i.weight).min() == 1', message: 'min' },
      { rule: 'self.items.map(i, i.weight).max() == 3', message: 'max' },
      { rule: 'self.items.map(i, i.weight).isSorted()', message: 'sorted' },
    ], { items });
    expect(evaluateCelRules(schema, { spec: { items: [{ weight: 1 }, { weight: 2 }, { weight: 3 }] } })).toEqual([]);
    expect(evaluateCelRules(schema, { spec: { items: [{ weight: 3 }, { weight: 1 }] } }).map((c) => c.message))
      .toEqual(['Invalid value: "object": sorted']);
  });

  it('uses messageExpression, fieldPath and reason when the rule gives them', () => {
    const schema = withRules([{
      rule: "self.mode != 'off'",
      messageExpression: "'mode ' + self.mode + ' is not allowed'",
      fieldPath: '.mode',
      reason: 'FieldValueForbidden',
    }], { mode: { type: 'string' } });
    expect(evaluateCelRules(schema, { spec: { mode: 'off' } })).toEqual([
      { reason: 'FieldValueForbidden', field: 'spec.mode', message: 'Forbidden: mode off is not allowed' },
    ]);
  });

  it('falls back to "failed rule" without a message', () => {
    const schema = withRules([{ rule: 'self.n  >  1' }], { n: { type: 'integer' } });
    expect(evaluateCelRules(schema, { spec: { n: 1 } })[0].message).toBe('Invalid value: "object": failed rule: self.n > 1');
  });

  it('reports a rule that fails to evaluate instead of throwing', () => {
    const schema = withRules([{ rule: 'self.missing == 1', message: 'never shown' }], { n: { type: 'integer' } });
    const [c] = evaluateCelRules(schema, { spec: { n: 1 } });
    expect(c.field).toBe('spec');
    expect(c.message).toMatch(/^Invalid value: "object": .*missing.* evaluating rule: self\.missing == 1$/);
  });

  it('skips rules on absent fields', () => {
    const schema = withRules([], { mode: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'x'" }] } });
    expect(evaluateCelRules(schema, { spec: {} })).toEqual([]);
  });
});

describe('checkCelRulesParse', () => {
  it('counts the rules and names the place of a rule that does not parse', () => {
    expect(checkCelRulesParse(withRules([{ rule: 'true' }, { rule: '1 == 1' }], {}))).toBe(2);
    expect(() => checkCelRulesParse(withRules([{ rule: 'self.a ==' }], {}))).toThrow(/CEL rule at spec does not parse/);
  });
});
