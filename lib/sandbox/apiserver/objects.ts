// SPDX-License-Identifier: Apache-2.0
// Small facts about stored objects that several parts of the API server need: how an object looks
// in the version a client asked for (with its CRD's defaults), which values its field selectors
// see, timestamps in the apiserver's format, generated names, and dotted-path access (`.spec.replicas`).
import { randomInt } from 'node:crypto';
import { compileCrdSchema, type JSONSchemaProps } from '../../kube/index.js';
import type { KubeObject, ResourceType } from './types.js';
import { apiVersionOf } from './types.js';

/**
 * The object as the requested version serves it. Custom resources with several versions use
 * conversion strategy None: the same fields, with the apiVersion of the version asked for. And a
 * custom resource is defaulted on the way out, as the real server defaults what it reads from
 * etcd: a `default:` added to the CRD after an object was stored shows up when it is read (and is
 * stored with the object's next write).
 */
export function asServed(type: ResourceType, object: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type);
  if (!type.builtin && type.schema && hasDefaults(type.schema)) return defaultedOnRead(type.schema as JSONSchemaProps, apiVersion, object);
  return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
}

/** Stored object -> its defaulted form, per schema and version (stored objects never change, so this stays right). */
const defaulted = new WeakMap<KubeObject, { schema: JSONSchemaProps; apiVersion: string; served: KubeObject }>();

function defaultedOnRead(schema: JSONSchemaProps, apiVersion: string, object: KubeObject): KubeObject {
  const cached = defaulted.get(object);
  if (cached && cached.schema === schema && cached.apiVersion === apiVersion) return cached.served;
  const served = compileCrdSchema(schema).applyDefaults({ ...object, apiVersion }) as KubeObject;
  defaulted.set(object, { schema, apiVersion, served });
  return served;
}

const schemasWithDefaults = new WeakMap<object, boolean>();

/** Does the schema declare a `default` anywhere? (Most CRDs do not; their objects are served as stored.) */
function hasDefaults(schema: object): boolean {
  let found = schemasWithDefaults.get(schema);
  if (found === undefined) {
    const search = (node: unknown): boolean =>
      isPlainObject(node) ? 'default' in node || Object.values(node).some(search) : Array.isArray(node) && node.some(search);
    found = search(schema);
    schemasWithDefaults.set(schema, found);
  }
  return found;
}

/** A value at a dotted path such as `.spec.replicas` or `status.phase`. */
export function getPath(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Sets a value at a dotted path, creating the objects on the way. */
export function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let node = object;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === null || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** The values field selectors compare against: metadata.name, metadata.namespace and the type's own fields. */
export function fieldValues(type: ResourceType, object: KubeObject): Record<string, string> {
  const values: Record<string, string> = {
    'metadata.name': object.metadata.name ?? '',
    'metadata.namespace': object.metadata.namespace ?? '',
  };
  for (const field of type.selectableFields ?? []) {
    const value = field === 'source' ? getPath(object, 'source.component') : getPath(object, field);
    values[field] = value === undefined || value === null ? '' : typeof value === 'object' ? '' : String(value);
  }
  return values;
}

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time: `2026-01-02T03:04:05Z`. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The alphabet of `generateName` suffixes: no vowels (no words) and no look-alike characters. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + five random characters, cut so the result stays within 63 characters. */
export function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return prefix.slice(0, 58) + suffix;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
