// SPDX-License-Identifier: Apache-2.0
// The API server's order on a write: unknown fields, defaults, schema, then CEL only on a valid object.
import { describe, expect, it } from 'vitest';
import { CEL_NOT_CHECKED } from './crd-causes.js';
import type { CustomResourceDefinition, JSONSchemaProps } from './crd-types.js';
import { crdVersionSchema, validateCustomResource } from './crd-validate.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['min', 'max'],
      'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }],
      properties: { min: { type: 'integer' }, max: { type: 'integer' }, step: { type: 'integer', default: 1 } },
    },
  },
};

describe('validateCustomResource', () => {
  it('returns the stored form: pruned and defaulted', () => {
    const result = validateCustomResource(schema, { spec: { min: 1, max: 2 } });
    expect(result).toEqual({ valid: true, causes: [], unknownFields: [], object: { spec: { min: 1, max: 2, step: 1 } } });
  });

  it('runs CEL rules once the schema is satisfied', () => {
    expect(validateCustomResource(schema, { spec: { min: 3, max: 2 } }).causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": min must not exceed max' },
    ]);
  });

  it('skips CEL rules when the schema already failed, and says so in a <nil> cause', () => {
    const result = validateCustomResource(schema, { spec: { min: 3 } });
    expect(result.causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.max', message: 'Required value' },
      CEL_NOT_CHECKED,
    ]);
    expect(CEL_NOT_CHECKED.message).toBe('Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
  });

  it('refuses unknown fields under Strict (kubectl apply) and prunes them under Ignore', () => {
    const typo = { spec: { min: 1, max: 2, stpe: 5 } };
    expect(validateCustomResource(schema, typo)).toMatchObject({ valid: false, causes: [], unknownFields: ['spec.stpe'] });
    expect(validateCustomResource(schema, typo, { fieldValidation: 'Ignore' }))
      .toMatchObject({ valid: true, unknownFields: ['spec.stpe'], object: { spec: { min: 1, max: 2, step: 1 } } });
  });

  it('explains input that is not an object', () => {
    expect(() => validateCustomResource(schema, 'apiVersion: v1')).toThrow(/must be a JSON object/);
    expect(() => validateCustomResource(schema, [])).toThrow(/not an array/);
  });
});

describe('crdVersionSchema', () => {
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'ranges.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { kind: 'Range', plural: 'ranges' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }, { name: 'v0', served: true, storage: false }],
    },
  };

  it('finds a version schema and names the versions when asked for a missing one', () => {
    expect(crdVersionSchema(crd, 'v1')).toBe(schema);
    expect(() => crdVersionSchema(crd, 'v2')).toThrow('ranges.example.com has no version "v2"; it serves: v1, v0.');
    expect(() => crdVersionSchema(crd, 'v0')).toThrow(/has no openAPIV3Schema/);
  });
});
