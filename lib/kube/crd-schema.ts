// SPDX-License-Identifier: Apache-2.0
// A CustomResourceDefinition's openAPIV3Schema, applied the way the Kubernetes API server applies it
// to a custom resource: prune the fields the schema does not know, fill in `default:` values, then
// validate, answering with the same field paths and messages `kubectl apply` prints.
//
// It works for any CRD (the sandbox API server uses it for every kind it serves) and speaks
// Kubernetes' dialect of OpenAPI v3 on top of ajv: `nullable`, `x-kubernetes-int-or-string`,
// `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-embedded-resource`,
// `x-kubernetes-list-type` / `x-kubernetes-list-map-keys`, and the formats Kubernetes checks.
// CEL rules (`x-kubernetes-validations`) are not evaluated here: `celRules` lists them so a caller
// knows what was left unchecked (crd-cel.ts evaluates them).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { causeForAjvError, duplicateCause } from './crd-causes.js';
import type { JSONSchemaProps, RuleSite, StatusCause } from './crd-types.js';

export type { CauseReason, JSONSchemaProps, RuleSite, StatusCause, ValidationRule } from './crd-types.js';

/**
 * String formats the API server checks. Any other format (and every numeric one, such as `int32`
 * or `double`) is only documentation to Kubernetes, so it is dropped before validation, as the API
 * server's `StripUnsupportedFormatsPostProcess` does. (Kubernetes' `duration` is Go's `1h30m`, not
 * ISO 8601, so it is not checked here either.)
 */
const CHECKED_FORMATS = ['date-time', 'date', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'byte'] as const;

/** Keywords copied unchanged from a Kubernetes schema node to the JSON Schema ajv compiles. */
const PLAIN_KEYWORDS = [
  'type', 'enum', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems',
  'maxItems', 'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties',
] as const;

type JsonObject = { [key: string]: unknown };

/** What `prune()` returns: the object as the API server would keep it, and what it dropped. */
export interface PruneResult {
  object: unknown;
  /** paths of the dropped fields, e.g. `spec.predictors[0].graph.modelURI` */
  unknownFields: string[];
}

let ajvInstance: Ajv | undefined;

/**
 * One ajv for every schema: a new instance compiles JSON Schema's own meta-schema first, which
 * costs tens of milliseconds each time (the sandbox compiles several CRDs as it starts).
 */
function sharedAjv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({ allErrors: true, verbose: true, strict: false, messages: false });
    for (const name of CHECKED_FORMATS) ajvInstance.addFormat(name, fullFormats[name]);
  }
  return ajvInstance;
}

/** One compiled version schema of a CRD. */
export class CrdSchema {
  /** the CEL rules of this schema, which `validate()` does not evaluate */
  readonly celRules: readonly RuleSite[];
  private readonly check: ValidateFunction;

  constructor(readonly schema: JSONSchemaProps) {
    const jsonSchema = toJsonSchema(schema);
    const ajv = sharedAjv();
    this.check = ajv.compile(jsonSchema);
    // The compiled function keeps working; the instance need not remember every schema it compiled.
    ajv.removeSchema(jsonSchema);
    this.celRules = collectRules(schema, '');
  }

  /** Validates `obj` (after `prune()` and `applyDefaults()`, as the API server does). */
  validate(obj: unknown): StatusCause[] {
    const causes: StatusCause[] = [];
    if (!this.check(obj)) {
      for (const error of this.check.errors ?? []) causes.push(causeForAjvError(error as ErrorObject, obj));
    }
    checkListTypes(obj, this.schema, '', causes);
    return causes;
  }

  /** Drops the fields the schema does not declare, and nulls it does not allow. Does not change `obj`. */
  prune(obj: unknown): PruneResult {
    const unknownFields: string[] = [];
    const object = pruneNode(obj, this.schema, '', unknownFields, true);
    return { object, unknownFields };
  }

  /** Fills in `default:` values where a field is missing. Does not change `obj`. */
  applyDefaults(obj: unknown): unknown {
    const copy = structuredClone(obj);
    defaultNode(copy, this.schema);
    return copy;
  }
}

/** Compiles one version's `openAPIV3Schema`; compiled schemas are cached per schema object. */
export function compileCrdSchema(schema: JSONSchemaProps): CrdSchema {
  let compiled = compiledSchemas.get(schema);
  if (!compiled) {
    compiled = new CrdSchema(schema);
    compiledSchemas.set(schema, compiled);
  }
  return compiled;
}
const compiledSchemas = new WeakMap<JSONSchemaProps, CrdSchema>();

// --- Kubernetes schema -> JSON Schema for ajv ---------------------------------------------------

function toJsonSchema(s: JSONSchemaProps): JsonObject {
  const out: JsonObject = {};
  for (const key of PLAIN_KEYWORDS) if (s[key] !== undefined) out[key] = s[key];
  // OpenAPI v3.0 spells exclusive bounds as booleans beside minimum/maximum; JSON Schema as numbers.
  if (s.exclusiveMinimum && s.minimum !== undefined) { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum && s.maximum !== undefined) { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  if (s.format && (CHECKED_FORMATS as readonly string[]).includes(s.format)) out.format = s.format;
  if (s['x-kubernetes-int-or-string']) out.type = ['integer', 'string'];
  if (s.nullable && typeof out.type === 'string') {
    out.nullable = true;
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (s['x-kubernetes-embedded-resource']) {
    // An embedded object (a Pod template, a raw manifest) must say what it is.
    const props = (out.properties ?? {}) as JsonObject;
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...props };
    out.required = [...new Set([...(s.required ?? []), 'apiVersion', 'kind'])];
  }
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toJsonSchema(s.additionalProperties);
  if (s.items) out.items = toJsonSchema(s.items);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (list) out[key] = list.map(toJsonSchema);
  }
  if (s.not) out.not = toJsonSchema(s.not);
  return out;
}

// --- pruning, defaulting, list types: walks over the object and its schema together ------------

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema of `key` inside an object schema, or undefined when the key is unknown. */
function childSchema(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  if (s.properties?.[key]) return s.properties[key];
  if (typeof s.additionalProperties === 'object') return s.additionalProperties;
  return undefined;
}

function pruneNode(value: unknown, s: JSONSchemaProps, path: string, dropped: string[], root = false): unknown {
  if (Array.isArray(value)) {
    return s.items ? value.map((item, i) => pruneNode(item, s.items!, `${path}[${i}]`, dropped)) : value;
  }
  if (!isObject(value)) return value;
  const keepsUnknown = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    // apiVersion, kind and metadata of the object itself (and of embedded objects) always stay;
    // the API server handles metadata as ObjectMeta, whatever the schema says.
    if ((root || s['x-kubernetes-embedded-resource']) && ['apiVersion', 'kind', 'metadata'].includes(key)) {
      out[key] = child;
      continue;
    }
    const sub = childSchema(s, key);
    if (!sub) {
      if (keepsUnknown) out[key] = child;
      else dropped.push(at);
      continue;
    }
    // A null where the schema does not allow one is dropped, unless a default will replace it.
    if (child === null && !sub.nullable && sub.default === undefined) continue;
    out[key] = pruneNode(child, sub, at, dropped);
  }
  return out;
}

function defaultNode(value: unknown, s: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) defaultNode(item, s.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const missing = value[key] === undefined || (value[key] === null && !sub.nullable);
    if (missing && sub.default !== undefined) value[key] = structuredClone(sub.default);
  }
  for (const [key, child] of Object.entries(value)) {
    const sub = childSchema(s, key);
    if (sub) defaultNode(child, sub);
  }
}

/** `x-kubernetes-list-type: set` and `map` promise unique items; ajv knows nothing of them. */
function checkListTypes(value: unknown, s: JSONSchemaProps, path: string, causes: StatusCause[]): void {
  if (Array.isArray(value)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const identity = listType === 'set' || !isObject(item)
          ? item
          : Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));
        const id = JSON.stringify(identity);
        if (seen.has(id)) causes.push(duplicateCause(`${path}[${i}]`, identity));
        seen.add(id);
      });
    }
    if (s.items) value.forEach((item, i) => checkListTypes(item, s.items!, `${path}[${i}]`, causes));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const sub = childSchema(s, key);
    if (sub) checkListTypes(child, sub, path ? `${path}.${key}` : key, causes);
  }
}

/** Where the schema carries CEL rules; `[*]` stands for any list item or map value. */
function collectRules(s: JSONSchemaProps, path: string): RuleSite[] {
  const here = (s['x-kubernetes-validations'] ?? []).map((rule) => ({ path, type: s.type ?? '', rule }));
  const below: RuleSite[] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) below.push(...collectRules(sub, path ? `${path}.${key}` : key));
  if (s.items) below.push(...collectRules(s.items, `${path}[*]`));
  if (typeof s.additionalProperties === 'object') below.push(...collectRules(s.additionalProperties, `${path}[*]`));
  return [...here, ...below];
}
