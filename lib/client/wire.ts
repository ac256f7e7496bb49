// SPDX-License-Identifier: Apache-2.0
// From a SeldonMessage object to the JSON body the Python client sends.
//
// The Python client builds a protobuf message and turns it into JSON with protobuf's
// `MessageToDict`, then `json.dumps`. That round trip through proto types is visible on the wire:
// doubles are written as floats (`1.0`), int32 as ints, fields come in field-number order (`meta`
// before `data`), fields left at their default (`names: []`, `reward: 0`) are dropped, and an
// unknown field is an error, not silently sent. `messageToPy` reproduces that from the tables in
// schema.ts and also checks the message as protobuf's parser would.
import { SeldonClientException, shown } from './errors.js';
import { shortestFloat32 } from '../python/index.js';
import { PyFloat, pyJsonDumps, type PyDict, type PyValue } from './py-json.js';
import type { FieldDef, FieldType, MessageType } from './schema.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date);
}

function bad(path: string, what: string): never {
  throw new SeldonClientException(`${path} ${what}`);
}

/** Any JSON value as a google.protobuf.Value holds it: every number is a double. */
export function jsonValueToPy(v: unknown, path: string): PyValue {
  // Separate checks: without strictNullChecks (tslab) `v === null ||` does not narrow `unknown`.
  if (v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    // Value has no NaN or infinity in JSON: protobuf refuses them rather than send a string.
    if (!Number.isFinite(v)) bad(path, `is ${v}: JSON (and protobuf's Value) has no NaN or Infinity. Send finite numbers, or use payloadType 'tensor', which carries them as "NaN"/"Infinity".`);
    return new PyFloat(v);
  }
  if (Array.isArray(v)) return v.map((item, i) => jsonValueToPy(item, `${path}[${i}]`));
  if (isPlainObject(v)) {
    const dict: PyDict = new Map();
    for (const [k, item] of Object.entries(v)) if (item !== undefined) dict.set(k, jsonValueToPy(item, `${path}.${k}`));
    return dict;
  }
  return bad(path, `is ${shown(v)}, which is not a JSON value (use numbers, strings, booleans, null, arrays and plain objects)`);
}

function scalarToPy(type: FieldType, v: unknown, path: string): PyValue {
  switch (type.kind) {
    case 'int32':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad(path, `must be an integer (got ${shown(v)})`);
      return BigInt(v as number);
    case 'double':
      if (typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v)) return v;
      if (typeof v !== 'number') bad(path, `must be a number (got ${shown(v)})`);
      // protobuf's JSON mapping writes the non-finite doubles as strings.
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return (v as number) > 0 ? 'Infinity' : '-Infinity';
      return new PyFloat(v as number);
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad(path, `must be a finite number (got ${shown(v)})`);
      return new PyFloat(shortestFloat32(v as number));
    case 'string':
      if (typeof v !== 'string') bad(path, `must be a string (got ${shown(v)})`);
      return v as string;
    case 'bytes':
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) bad(path, `must be base64 text (got ${shown(v)})`);
      return v as string;
    case 'enum': {
      const name = typeof v === 'number' ? type.names[v] : v;
      if (typeof name !== 'string' || !type.names.includes(name)) bad(path, `must be one of ${type.names.join(', ')} (got ${shown(v)})`);
      return name as string;
    }
    case 'value':
      return jsonValueToPy(v, path);
    case 'listValue':
      if (!Array.isArray(v)) bad(path, `must be an array (got ${shown(v)})`);
      return jsonValueToPy(v, path);
    case 'message':
      return messageToPy(v, type.message, path);
    case 'map':
      throw new Error('maps are handled by messageToPy');
  }
}

/** proto3 leaves a plain scalar out when it holds its default value. */
function isDefault(field: FieldDef, py: PyValue): boolean {
  if (field.oneof) return false;
  const k = field.type.kind;
  if (k === 'int32') return py === 0n;
  if (k === 'double' || k === 'float') return py instanceof PyFloat && py.value === 0 && !Object.is(py.value, -0);
  if (k === 'string' || k === 'bytes') return py === '';
  if (k === 'enum') return field.type.kind === 'enum' && py === field.type.names[0];
  return false;
}

/**
 * A message object as protobuf's `MessageToDict` returns it after `ParseDict` read it: a PyDict in
 * field-number order with proto types applied. Throws SeldonClientException, naming the path, for
 * unknown fields or values of the wrong type.
 */
export function messageToPy(obj: unknown, type: MessageType, path = type.fullName.split('.').pop() as string): PyDict {
  if (!isPlainObject(obj)) bad(path, `must be an object (a ${type.fullName}), got ${shown(obj)}`);
  const o = obj as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (o[key] !== undefined && !type.fields.some((f) => f.name === key)) {
      throw new SeldonClientException(
        `Message type "${type.fullName}" has no field named "${key}" (at ${path}). ` +
          `Its fields are: ${type.fields.map((f) => f.name).join(', ')}.`,
      );
    }
  }
  const out: PyDict = new Map();
  for (const field of type.fields) {
    const v = o[field.name];
    const at = `${path}.${field.name}`;
    // protobuf's JSON parser reads null as "not set", except for a Value, where it is JSON null.
    if (v === undefined || (v === null && field.type.kind !== 'value')) continue;
    if (field.type.kind === 'map') {
      if (!isPlainObject(v)) bad(at, `must be an object (got ${shown(v)})`);
      const valueType = field.type.value;
      const entries = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined);
      if (entries.length === 0) continue;
      out.set(field.name, new Map(entries.map(([k, item]) => [k, scalarToPy(valueType, item, `${at}.${k}`)])));
    } else if (field.repeated) {
      if (!Array.isArray(v)) bad(at, `must be an array (got ${shown(v)})`);
      const items = v as unknown[];
      if (items.length === 0) continue;
      out.set(field.name, items.map((item, i) => scalarToPy(field.type, item, `${at}[${i}]`)));
    } else {
      const py = scalarToPy(field.type, v, at);
      if (!isDefault(field, py)) out.set(field.name, py);
    }
  }
  return out;
}

/** The request body exactly as the Python client's `requests.post(url, json=payload)` writes it. */
export function messageToJsonText(obj: unknown, type: MessageType): string {
  return pyJsonDumps(messageToPy(obj, type));
}
