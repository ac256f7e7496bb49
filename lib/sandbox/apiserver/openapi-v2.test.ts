// SPDX-License-Identifier: Apache-2.0
// `/openapi/v2`: kube-apiserver's rules for publishing a CRD schema in OpenAPI v2, the document as
// JSON, and the same document in protobuf, read back field by field with a plain wire-format reader
// (so the test does not reuse the encoder's own tables). test/contract/kubectl.test.ts runs
// Debian's kubectl 1.20 against it, which validates manifests with it.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { exampleCrd, raw } from '../testing.js';
import { toOpenApiV2Schema } from './openapi-v2.js';

describe('toOpenApiV2Schema (what kube-apiserver publishes of a CRD schema in v2)', () => {
  it('drops allOf, oneOf, anyOf and not, at every depth, and keeps the rest', () => {
    const schema = {
      type: 'object', description: 'top', anyOf: [{ required: ['a'] }],
      properties: { a: { type: 'string', oneOf: [{ pattern: 'x' }], not: { enum: ['y'] }, maxLength: 3 }, b: { allOf: [{ type: 'integer' }] } },
    };
    expect(toOpenApiV2Schema(schema)).toEqual({ type: 'object', description: 'top', properties: { a: { type: 'string', maxLength: 3 }, b: {} } });
  });

  it('makes a nullable field untyped, and no longer required by its parent', () => {
    const schema = {
      type: 'object', required: ['keep', 'maybe'],
      properties: { keep: { type: 'string' }, maybe: { type: 'object', nullable: true, properties: { x: { type: 'string' } } } },
    };
    expect(toOpenApiV2Schema(schema)).toEqual({ type: 'object', required: ['keep'], properties: { keep: { type: 'string' }, maybe: {} } });
    expect(toOpenApiV2Schema({ type: 'object', required: ['only'], properties: { only: { type: 'string', nullable: true } } })).toEqual({ type: 'object', properties: { only: {} } });
    expect(toOpenApiV2Schema({ type: 'object', required: ['a'], additionalProperties: { type: 'string', nullable: true } })).toEqual({ type: 'object', additionalProperties: {} });
  });

  it('turns x-kubernetes-preserve-unknown-fields into "any map", and an array without items into an untyped value', () => {
    const schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } };
    expect(toOpenApiV2Schema(schema)).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    const list = { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } };
    expect(toOpenApiV2Schema(list)).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('converts inside items and additionalProperties, and leaves its input alone', () => {
    const schema = { type: 'array', items: { type: 'object', additionalProperties: { type: 'string', anyOf: [{ format: 'x' }] } } };
    const copy = structuredClone(schema);
    expect(toOpenApiV2Schema(schema)).toEqual({ type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } });
    expect(schema).toEqual(copy);
  });
});

/** A protobuf message as field number → raw values (bytes of sub-messages, numbers, strings undecided). */
type Fields = Map<number, (Uint8Array | bigint | number)[]>;

function fields(bytes: Uint8Array): Fields {
  const reader = new BinaryReader(bytes);
  const out: Fields = new Map();
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    let value: Uint8Array | bigint | number;
    if (wire === WireType.LengthDelimited) value = reader.bytes();
    else if (wire === WireType.Varint) value = BigInt(reader.uint64());
    else if (wire === WireType.Bit64) value = reader.double();
    else throw new Error(`unexpected wire type ${wire} for field ${no}`);
    out.set(no, [...(out.get(no) ?? []), value]);
  }
  return out;
}

const text = (v: unknown): string => new TextDecoder().decode(v as Uint8Array);
const one = (f: Fields, no: number): Uint8Array => f.get(no)![0] as Uint8Array;
/** gnostic's ordered maps: repeated `{ name = 1; value = 2 }` entries. */
const namedEntries = (f: Fields, no: number): Map<string, Fields> =>
  new Map((f.get(no) ?? []).map((entry) => { const e = fields(entry as Uint8Array); return [text(one(e, 1)), fields(one(e, 2))]; }));

const CRD = exampleCrd('Gadget', [{
  name: 'v1',
  schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object', required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1, maximum: 10 },
          color: { type: 'string', enum: ['red', 'blue'], default: 'blue' },
          tags: { type: 'array', items: { type: 'string' } },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  },
}]);
const DEFINITION = 'com.example.v1.Gadget';

describe('GET /openapi/v2', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ controllers: false });
    expect((await raw(sandbox, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: CRD })).status).toBe(201);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('is listed at the root and needs a token', async () => {
    expect((await raw(sandbox, 'GET', '/')).json<{ paths: string[] }>().paths).toContain('/openapi/v2');
    expect((await raw(sandbox, 'GET', '/openapi/v2', { token: false })).status).toBe(401);
  });

  it('answers JSON by default: one definition per custom resource version, found by its group, version and kind', async () => {
    const res = await raw(sandbox, 'GET', '/openapi/v2', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const doc = res.json<{ swagger: string; info: { version: string }; definitions: Record<string, Record<string, unknown>> }>();
    expect(doc.swagger).toBe('2.0');
    expect(doc.info.version).toMatch(/^v1\.\d+\.\d+/);
    // Built-in kinds are left to the types compiled into kubectl (see openapi-v2.ts).
    expect(Object.keys(doc.definitions)).toEqual([DEFINITION]);
    const gadget = doc.definitions[DEFINITION];
    expect(gadget['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', kind: 'Gadget', version: 'v1' }]);
    expect(gadget).toMatchObject({ type: 'object', properties: { spec: { required: ['size'], properties: { extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } });
  });

  it('answers the protobuf kubectl asks for, with the content type Go can parse', async () => {
    const res = await raw(sandbox, 'GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');

    const doc = fields(res.bytes);
    expect(text(one(doc, 1))).toBe('2.0'); // swagger
    expect(text(one(fields(one(doc, 2)), 1))).toBe('Kubernetes'); // info.title
    const definitions = namedEntries(fields(one(doc, 9)), 1);
    expect([...definitions.keys()]).toEqual([DEFINITION]);

    const gadget = definitions.get(DEFINITION)!;
    expect(text(one(fields(one(gadget, 22)), 1))).toBe('object'); // type
    const extensions = namedEntries(gadget, 31);
    // Vendor extensions are gnostic `Any`s with the value as YAML text (field 2).
    expect(JSON.parse(text(one(extensions.get('x-kubernetes-group-version-kind')!, 2)))).toEqual([{ group: 'example.com', kind: 'Gadget', version: 'v1' }]);

    const spec = namedEntries(fields(one(gadget, 25)), 1).get('spec')!;
    expect((spec.get(19) ?? []).map(text)).toEqual(['size']); // required
    const props = namedEntries(fields(one(spec, 25)), 1);
    expect([...props.keys()]).toEqual(['size', 'color', 'tags', 'extra']);
    const size = props.get('size')!;
    expect(text(one(fields(one(size, 22)), 1))).toBe('integer');
    expect(size.get(9)).toEqual([1]); // minimum (double)
    expect(size.get(7)).toEqual([10]); // maximum (double)
    const color = props.get('color')!;
    expect((color.get(20) ?? []).map((v) => JSON.parse(text(one(fields(v as Uint8Array), 2))))).toEqual(['red', 'blue']); // enum
    expect(JSON.parse(text(one(fields(one(color, 5)), 2)))).toBe('blue'); // default
    const tags = props.get('tags')!;
    const item = fields(one(fields(one(tags, 23)), 1)); // items.schema[0]
    expect(text(one(fields(one(item, 22)), 1))).toBe('string');
    const extra = props.get('extra')!;
    expect(extra.has(25)).toBe(false); // no properties: any map
    expect(namedEntries(extra, 31).has('x-kubernetes-preserve-unknown-fields')).toBe(true);
  });

  it('sends an ETag, answers 304 to a matching If-None-Match, and changes the ETag when a CRD comes', async () => {
    const first = await raw(sandbox, 'GET', '/openapi/v2');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9A-F]{128}"$/);
    const again = await raw(sandbox, 'GET', '/openapi/v2', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);

    const other = exampleCrd('Doodad', CRD.spec.versions.map((v) => ({ name: v.name, schema: v.schema.openAPIV3Schema })));
    expect((await raw(sandbox, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: other })).status).toBe(201);
    const changed = await raw(sandbox, 'GET', '/openapi/v2', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(Object.keys(changed.json<{ definitions: object }>().definitions).sort()).toEqual(['com.example.v1.Doodad', DEFINITION]);
  });
});
