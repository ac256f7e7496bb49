// SPDX-License-Identifier: Apache-2.0
// The OpenAPI v2 document in protobuf, the encoding kubectl asks for
// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and decodes with no JSON
// fallback. The messages are gnostic's `openapi.v2` (github.com/google/gnostic, openapiv2/OpenAPIv2.proto);
// the field numbers below are that file's. Only the messages a document of definitions needs are
// written: Document, Info, Definitions, Schema and their helpers. Values that JSON Schema leaves
// open (`default`, `enum`, `example`, vendor extensions) travel as gnostic's `Any` with their YAML
// text, which is how kube-openapi reads them back (JSON is valid YAML).
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { OpenApiV2Document } from './openapi-v2.js';

/** The media types a client may ask for (kubectl sends the first); answers carry the second. */
export const OPENAPI_V2_PROTOBUF_TYPES = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
];

type Schema = Record<string, unknown>;

/** Field numbers of `openapi.v2.Schema`. */
const SCHEMA = {
  ref: 1, format: 2, title: 3, description: 4, default: 5, multipleOf: 6, maximum: 7, exclusiveMaximum: 8,
  minimum: 9, exclusiveMinimum: 10, maxLength: 11, minLength: 12, pattern: 13, maxItems: 14, minItems: 15,
  uniqueItems: 16, maxProperties: 17, minProperties: 18, required: 19, enum: 20, additionalProperties: 21,
  type: 22, items: 23, properties: 25, readOnly: 27, example: 30, vendorExtension: 31,
} as const;

const STRINGS = ['format', 'title', 'description', 'pattern'] as const;
const DOUBLES = ['multipleOf', 'maximum', 'minimum'] as const;
const INTS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const;
const BOOLS = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'readOnly'] as const;

/** Writes a length-delimited sub-message with field number `no`. */
function message(w: BinaryWriter, no: number, body: (w: BinaryWriter) => void): void {
  w.tag(no, WireType.LengthDelimited).fork();
  body(w);
  w.join();
}

function string(w: BinaryWriter, no: number, value: string): void {
  // proto3: a field at its default value ('' here) is not written.
  if (value !== '') w.tag(no, WireType.LengthDelimited).string(value);
}

/** gnostic's `Any` (field 2: yaml) holding one JSON value. */
function any(w: BinaryWriter, no: number, value: unknown): void {
  message(w, no, (m) => string(m, 2, `${JSON.stringify(value)}\n`));
}

/** `NamedX { name = 1; value = 2 }`, gnostic's ordered map entry. */
function named(w: BinaryWriter, no: number, name: string, value: (w: BinaryWriter) => void): void {
  message(w, no, (m) => {
    string(m, 1, name);
    message(m, 2, value);
  });
}

function writeSchema(w: BinaryWriter, schema: Schema): void {
  if (typeof schema.$ref === 'string') string(w, SCHEMA.ref, schema.$ref);
  for (const key of STRINGS) if (typeof schema[key] === 'string') string(w, SCHEMA[key], schema[key] as string);
  if (schema.default !== undefined) any(w, SCHEMA.default, schema.default);
  for (const key of DOUBLES) if (typeof schema[key] === 'number') w.tag(SCHEMA[key], WireType.Bit64).double(schema[key] as number);
  for (const key of INTS) if (typeof schema[key] === 'number') w.tag(SCHEMA[key], WireType.Varint).int64(schema[key] as number);
  for (const key of BOOLS) if (schema[key] === true) w.tag(SCHEMA[key], WireType.Varint).bool(true);
  for (const name of Array.isArray(schema.required) ? (schema.required as string[]) : []) w.tag(SCHEMA.required, WireType.LengthDelimited).string(name);
  for (const value of Array.isArray(schema.enum) ? schema.enum : []) any(w, SCHEMA.enum, value);
  const additional = schema.additionalProperties;
  // AdditionalPropertiesItem is a oneof: a schema (1) or a boolean (2).
  if (typeof additional === 'boolean') message(w, SCHEMA.additionalProperties, (m) => m.tag(2, WireType.Varint).bool(additional));
  else if (typeof additional === 'object' && additional !== null) {
    message(w, SCHEMA.additionalProperties, (m) => message(m, 1, (s) => writeSchema(s, additional as Schema)));
  }
  if (typeof schema.type === 'string') message(w, SCHEMA.type, (m) => string(m, 1, schema.type as string));
  if (typeof schema.items === 'object' && schema.items !== null) {
    const items = Array.isArray(schema.items) ? (schema.items as Schema[]) : [schema.items as Schema];
    message(w, SCHEMA.items, (m) => { for (const item of items) message(m, 1, (s) => writeSchema(s, item)); });
  }
  if (typeof schema.properties === 'object' && schema.properties !== null) {
    const properties = schema.properties as Record<string, Schema>;
    message(w, SCHEMA.properties, (m) => {
      for (const [name, sub] of Object.entries(properties)) named(m, 1, name, (s) => writeSchema(s, sub));
    });
  }
  if (schema.example !== undefined) any(w, SCHEMA.example, schema.example);
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) named(w, SCHEMA.vendorExtension, key, (m) => string(m, 2, `${JSON.stringify(value)}\n`));
  }
}

/** The document as an `openapi.v2.Document` message. */
export function encodeOpenApiV2(doc: OpenApiV2Document): Uint8Array {
  const w = new BinaryWriter();
  string(w, 1, doc.swagger);
  message(w, 2, (info) => {
    string(info, 1, doc.info.title);
    string(info, 2, doc.info.version);
  });
  message(w, 8, () => undefined); // Paths: present and empty
  message(w, 9, (definitions) => {
    for (const [name, schema] of Object.entries(doc.definitions)) named(definitions, 1, name, (s) => writeSchema(s, schema));
  });
  return w.finish();
}
