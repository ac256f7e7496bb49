// SPDX-License-Identifier: Apache-2.0
// Kubernetes' schema dialect on small schemas: each keyword, the API server's wording, pruning and defaults.
import { describe, expect, it } from 'vitest';
import { compileCrdSchema } from './crd-schema.js';
import type { JSONSchemaProps } from './crd-types.js';

const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties, ...extra } },
});
const causesOf = (schema: JSONSchemaProps, specValue: unknown) => compileCrdSchema(schema).validate({ spec: specValue });

describe('validate', () => {
  it('accepts an object that fits', () => {
    expect(causesOf(spec({ name: { type: 'string' }, n: { type: 'integer' } }), { name: 'a', n: 2 })).toEqual([]);
  });

  it('reports a missing required field at its own path', () => {
    const schema = spec({ inner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } });
    expect(causesOf(schema, { inner: {} })).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.inner.name', message: 'Required value' },
    ]);
  });

  it('words a type error as the API server does, naming the JSON type it got', () => {
    expect(causesOf(spec({ replicas: { type: 'integer', format: 'int32' } }), { replicas: 'two' })).toEqual([{
      reason: 'FieldValueTypeInvalid',
      field: 'spec.replicas',
      message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    }]);
    expect(causesOf(spec({ ratio: { type: 'integer' } }), { ratio: 1.5 })[0].message)
      .toBe('Invalid value: "number": spec.ratio in body must be of type integer: "number"');
  });

  it('lists the supported values of an enum, quoted', () => {
    expect(causesOf(spec({ mode: { type: 'string', enum: ['all', 'request'] } }), { mode: 'none' })).toEqual([{
      reason: 'FieldValueNotSupported',
      field: 'spec.mode',
      message: 'Unsupported value: "none": supported values: "all", "request"',
    }]);
  });

  it('uses [i] for list items and . for map values', () => {
    const schema = spec({
      list: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    });
    const fields = causesOf(schema, { list: [{ n: 1 }, { n: 'x' }], labels: { team: 3 } }).map((c) => c.field);
    expect(fields).toEqual(['spec.list[1].n', 'spec.labels.team']);
  });

  it('takes both integers and strings for x-kubernetes-int-or-string, and nothing else', () => {
    const schema = spec({ port: { 'x-kubernetes-int-or-string': true } });
    expect(causesOf(schema, { port: 8080 })).toEqual([]);
    expect(causesOf(schema, { port: 'http' })).toEqual([]);
    expect(causesOf(schema, { port: true })[0].message)
      .toBe('Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"');
  });

  it('allows null only where the schema says nullable', () => {
    expect(causesOf(spec({ note: { type: 'string', nullable: true } }), { note: null })).toEqual([]);
    expect(causesOf(spec({ note: { type: 'string' } }), { note: null })[0].reason).toBe('FieldValueTypeInvalid');
    expect(causesOf(spec({ mode: { type: 'string', enum: ['a'], nullable: true } }), { mode: null })).toEqual([]);
  });

  it('reports sizes: too long, too many, too few', () => {
    const schema = spec({
      name: { type: 'string', maxLength: 3 },
      tags: { type: 'array', maxItems: 1, items: { type: 'string' } },
      hosts: { type: 'array', minItems: 1, items: { type: 'string' } },
    });
    expect(causesOf(schema, { name: 'abcd', tags: ['a', 'b'], hosts: [] })).toEqual([
      { reason: 'FieldValueTooLong', field: 'spec.name', message: 'Too long: may not be more than 3 bytes' },
      { reason: 'FieldValueTooMany', field: 'spec.tags', message: 'Too many: 2: must have at most 1 items' },
      { reason: 'FieldValueInvalid', field: 'spec.hosts', message: 'Invalid value: 0: spec.hosts in body should have at least 1 items' },
    ]);
  });

  it('checks bounds, exclusive bounds and patterns', () => {
    const schema = spec({
      replicas: { type: 'integer', minimum: 0 },
      weight: { type: 'number', minimum: 0, exclusiveMinimum: true },
      name: { type: 'string', pattern: '^[a-z]+$' },
    });
    expect(causesOf(schema, { replicas: -1, weight: 0, name: 'A' }).map((c) => c.message)).toEqual([
      'Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
      'Invalid value: 0: spec.weight in body should be greater than 0',
      'Invalid value: "A": spec.name in body should match \'^[a-z]+$\'',
    ]);
  });

  it('checks the string formats Kubernetes checks and ignores numeric and unknown ones', () => {
    const schema = spec({
      at: { type: 'string', format: 'date-time' },
      n: { type: 'integer', format: 'int32' },
      d: { type: 'number', format: 'double' },
      other: { type: 'string', format: 'made-up' },
    });
    expect(causesOf(schema, { at: '2026-11-26T06:00:00Z', n: 2 ** 40, d: 0.5, other: 'x' })).toEqual([]);
    expect(causesOf(schema, { at: 'yesterday' })).toEqual([{
      reason: 'FieldValueTypeInvalid',
      field: 'spec.at',
      message: 'Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
    }]);
  });

  it('requires apiVersion and kind inside an embedded resource', () => {
    const schema = spec({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } });
    expect(causesOf(schema, { template: { apiVersion: 'v1', kind: 'Pod', spec: {} } })).toEqual([]);
    expect(causesOf(schema, { template: { spec: {} } }).map((c) => c.field)).toEqual(['spec.template.apiVersion', 'spec.template.kind']);
  });

  it('reports duplicates in list-type set and map lists', () => {
    const schema = spec({
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ports: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
      },
      plain: { type: 'array', items: { type: 'string' } },
    });
    const value = { tags: ['a', 'b', 'a'], ports: [{ name: 'http', port: 1 }, { name: 'http', port: 2 }], plain: ['x', 'x'] };
    expect(causesOf(schema, value)).toEqual([
      { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' },
      { reason: 'FieldValueDuplicate', field: 'spec.ports[1]', message: 'Duplicate value: {"name":"http"}' },
    ]);
  });
});

describe('prune', () => {
  const schema = spec({
    name: { type: 'string' },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
    note: { type: 'string', nullable: true },
    size: { type: 'integer', default: 1 },
  });

  it('drops unknown fields, lists their paths, and leaves the input alone', () => {
    const input = {
      apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', labels: { a: 'b' } }, status: { x: 1 },
      spec: { name: 'a', nmae: 'typo', list: [{ a: 'x', b: 'y' }], labels: { any: 'key' } },
    };
    const before = structuredClone(input);
    const { object, unknownFields } = compileCrdSchema(schema).prune(input);
    expect(unknownFields).toEqual(['status', 'spec.nmae', 'spec.list[0].b']);
    expect(object).toEqual({
      apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', labels: { a: 'b' } },
      spec: { name: 'a', list: [{ a: 'x' }], labels: { any: 'key' } },
    });
    expect(input).toEqual(before);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields, but still prunes known children', () => {
    const { object, unknownFields } = compileCrdSchema(schema).prune({ spec: { free: { anything: [1], known: { a: 'x', b: 'y' } } } });
    expect(object).toEqual({ spec: { free: { anything: [1], known: { a: 'x' } } } });
    expect(unknownFields).toEqual(['spec.free.known.b']);
  });

  it('drops nulls the schema does not allow, keeps allowed ones and those a default replaces', () => {
    const { object } = compileCrdSchema(schema).prune({ spec: { name: null, note: null, size: null } });
    expect(object).toEqual({ spec: { note: null, size: null } });
  });
});

describe('applyDefaults', () => {
  const schema = spec({
    replicas: { type: 'integer', default: 1 },
    protocol: { type: 'string', default: 'seldon' },
    logger: { type: 'object', properties: { mode: { type: 'string', default: 'all' } } },
    items: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 100 } } } },
    options: { type: 'object', default: { retries: 3 }, properties: { retries: { type: 'integer' }, backoff: { type: 'string', default: '1s' } } },
  });

  it('fills missing fields, in nested objects and list items, without touching given values', () => {
    const input = { spec: { replicas: 3, logger: {}, items: [{}, { weight: 5 }] } };
    const out = compileCrdSchema(schema).applyDefaults(input);
    expect(out).toEqual({
      spec: {
        replicas: 3, protocol: 'seldon', logger: { mode: 'all' }, items: [{ weight: 100 }, { weight: 5 }],
        options: { retries: 3, backoff: '1s' },
      },
    });
    expect(input).toEqual({ spec: { replicas: 3, logger: {}, items: [{}, { weight: 5 }] } });
  });

  it('replaces a null with the default and does not create missing parents', () => {
    expect(compileCrdSchema(schema).applyDefaults({ spec: { replicas: null } })).toMatchObject({ spec: { replicas: 1 } });
    expect(compileCrdSchema(spec({ a: { type: 'object', properties: { b: { type: 'string', default: 'x' } } } })).applyDefaults({ spec: {} }))
      .toEqual({ spec: {} });
  });
});

describe('celRules', () => {
  it('lists CEL rules with their place and schema type, and validate() does not run them', () => {
    const rule = { rule: 'self.size() > 100', message: 'too short' };
    const schema = spec({ list: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [rule] } } }, { 'x-kubernetes-validations': [rule] });
    const compiled = compileCrdSchema(schema);
    expect(compiled.celRules).toEqual([
      { path: 'spec', type: 'object', rule },
      { path: 'spec.list[*]', type: 'string', rule },
    ]);
    expect(compiled.validate({ spec: { list: ['a'] } })).toEqual([]);
  });

  it('compiles a schema once', () => {
    const schema = spec({ a: { type: 'string' } });
    expect(compileCrdSchema(schema)).toBe(compileCrdSchema(schema));
  });
});
