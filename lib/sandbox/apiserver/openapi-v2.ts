// SPDX-License-Identifier: Apache-2.0
// `/openapi/v2`: the Swagger 2.0 document that kubectl before 1.24 downloads before every `apply`
// and `create`, to check manifests itself ("client-side validation"). Without it such a kubectl
// (Debian's `kubernetes-client` is 1.20) stops with "the server could not find the requested
// resource" unless told `--validate=false`. kubectl asks for it in protobuf; other clients in JSON.
//
// What the document holds, and why:
// - one definition per served version of every CustomResourceDefinition, converted from the CRD's
//   OpenAPI v3 schema the way kube-apiserver converts it (`toOpenApiV2Schema` below), and tagged with
//   `x-kubernetes-group-version-kind` so kubectl can find it for a manifest's apiVersion and kind;
// - no built-in types. kubectl also computes the strategic merge patch of `apply` from a built-in
//   type's definition when the server publishes one; the sandbox has no full schemas of the
//   built-ins (see openapi.ts), and with a kind missing here kubectl uses the Go types compiled into
//   it, for validation as well as for patches, which is right for every built-in it knows.
// - no paths: kubectl before 1.24 reads only the definitions. Newer clients read /openapi/v3.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { schemaName } from './openapi.js';
import { encodeOpenApiV2, OPENAPI_V2_PROTOBUF_TYPES } from './openapi-v2-protobuf.js';
import type { ResourceRegistry } from './resources.js';

type Schema = Record<string, unknown>;

/** The JSON Schema junctors that OpenAPI v2 does not have; kube-apiserver drops them. */
const JUNCTORS = ['allOf', 'oneOf', 'anyOf', 'not'];

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A CRD's structural schema as kube-apiserver publishes it in OpenAPI v2, with its rules for the
 * things v2 (or kubectl's reading of it) cannot express:
 * - `allOf`, `oneOf`, `anyOf`, `not` are dropped;
 * - a `nullable` field loses its type, items and properties (kubectl would reject `null`), and is no
 *   longer `required` by its parent;
 * - `x-kubernetes-preserve-unknown-fields` loses its items and properties (kubectl would reject the
 *   fields it does not list), so it becomes "any map";
 * - an array left without `items` loses its type (kubectl refuses an array without an item schema).
 * The input is not changed.
 */
export function toOpenApiV2Schema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (JUNCTORS.includes(key)) continue;
    out[key] = value;
  }
  if (out.nullable === true) {
    delete out.type;
    delete out.nullable;
    delete out.items;
    delete out.properties;
  }
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.items;
    delete out.properties;
  }
  if (out.type === 'array' && out.items === undefined) delete out.type;

  // The parent looks at its children before they are converted: `nullable` is gone afterwards.
  if (isSchema(out.properties) && Array.isArray(out.required)) {
    const properties = out.properties;
    const nullable = (name: string): boolean => {
      const sub = properties[name];
      return isSchema(sub) && sub.nullable === true;
    };
    const required = (out.required as string[]).filter((name) => !nullable(name));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (isSchema(out.additionalProperties) && out.additionalProperties.nullable === true) delete out.required;

  if (isSchema(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([name, sub]) => [name, isSchema(sub) ? toOpenApiV2Schema(sub) : sub]));
  }
  if (isSchema(out.additionalProperties)) out.additionalProperties = toOpenApiV2Schema(out.additionalProperties);
  if (isSchema(out.items)) out.items = toOpenApiV2Schema(out.items);
  return out;
}

/** The Swagger 2.0 document: `{ swagger, info, paths, definitions }`. */
export interface OpenApiV2Document {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, never>;
  definitions: Record<string, Schema>;
}

/** The document the sandbox serves at `/openapi/v2`, for the types it serves now. */
export function openApiV2Document(registry: ResourceRegistry, serverVersion: string): OpenApiV2Document {
  const definitions: Record<string, Schema> = {};
  for (const type of registry.all()) {
    if (type.builtin) continue;
    // A CRD version without a schema keeps any field (apiextensions v1 requires one; older CRDs did not).
    const schema = type.schema ? toOpenApiV2Schema(type.schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    definitions[schemaName(type)] = {
      ...schema,
      'x-kubernetes-group-version-kind': [{ group: type.group, kind: type.kind, version: type.version }],
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: serverVersion }, paths: {}, definitions };
}

/**
 * Answers `GET /openapi/v2` in protobuf when the Accept header names it, in JSON otherwise, with an
 * ETag (a hash of the JSON form) and `304 Not Modified` for a matching `If-None-Match`, as
 * kube-apiserver does: clients that cache the document fetch it again only when it changed.
 */
export function sendOpenApiV2(req: IncomingMessage, res: ServerResponse, doc: OpenApiV2Document): void {
  const json = JSON.stringify(doc);
  const etag = `"${createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase()}"`;
  const accept = (req.headers.accept ?? '').split(',').map((part) => part.split(';')[0].trim());
  const protobuf = accept.find((type) => OPENAPI_V2_PROTOBUF_TYPES.includes(type));
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept');
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const body = protobuf ? Buffer.from(encodeOpenApiV2(doc)) : Buffer.from(`${json}\n`);
  res.statusCode = 200;
  // The `@` of the type kubectl asks for is not valid in a media type, and Go's mime parser (which
  // reads the answer) rejects it; kube-apiserver answers with the spelling that has a dot instead.
  res.setHeader('Content-Type', protobuf ? OPENAPI_V2_PROTOBUF_TYPES[1] : 'application/json');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
