// SPDX-License-Identifier: Apache-2.0
// Words for validation failures, as the Kubernetes API server writes them in a 422 answer's
// `details.causes` (and `kubectl apply` prints as `field: message`). The API server builds them from
// kube-openapi errors and apimachinery's field.Error; matching its wording lets a lesson show the
// same line a learner later sees from a real cluster, e.g.
//   spec.predictors[0].graph.name: Required value
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// Wording follows current Kubernetes (1.32+ says "Too long: may not be more than N bytes" and
// prints a null value unquoted; 1.30 said "may not be longer than N" and "null").
import type { ErrorObject } from 'ajv';
import type { CauseReason, StatusCause } from './crd-types.js';

/** A value as Go's field.Error prints it: strings quoted, numbers and booleans bare, the rest as JSON. */
export function goValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** The JSON type name kube-openapi reports for a value ("string", "integer", "number", ...). */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The message body of a field.Error, the part after `field: `. */
export function errorBody(reason: CauseReason, value: unknown, detail: string): string {
  switch (reason) {
    case 'FieldValueRequired':
      return detail ? `Required value: ${detail}` : 'Required value';
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueTooLong':
      return `Too long: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${goValue(value)}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${goValue(value)}: ${detail}`;
    case 'FieldValueTooMany':
      return `Too many: ${goValue(value)}: ${detail}`;
    default:
      return `Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}`;
  }
}

export function cause(reason: CauseReason, field: string, value: unknown, detail: string): StatusCause {
  return { reason, field, message: errorBody(reason, value, detail) };
}

export function duplicateCause(field: string, value: unknown): StatusCause {
  return cause('FieldValueDuplicate', field, value, '');
}

/**
 * The `<nil>` cause the API server adds when schema errors stopped it from running the CEL rules:
 * rules are only evaluated on objects that already fit the schema.
 */
export const CEL_NOT_CHECKED: StatusCause = {
  reason: 'FieldValueInvalid',
  field: '<nil>',
  message: errorBody('FieldValueInvalid', null,
    'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'),
};

/** Turns ajv's JSON pointer (`/spec/predictors/0/name`) into a field path (`spec.predictors[0].name`). */
export function fieldPath(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += Array.isArray(node) ? `[${segment}]` : path ? `.${segment}` : segment;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

/** One ajv error (compiled with `verbose: true`) as the cause the API server would give. */
export function causeForAjvError(error: ErrorObject, root: unknown): StatusCause {
  const field = fieldPath(error.instancePath, root);
  const p = error.params as Record<string, unknown>;
  const data: unknown = error.data;
  const inBody = `${field} in body`;
  switch (error.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      return cause('FieldValueRequired', field ? `${field}.${missing}` : missing, undefined, '');
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).filter((v) => v !== null);
      const supported = allowed.map((v) => JSON.stringify(v)).join(', '); // strings quoted, as Go's %q
      return cause('FieldValueNotSupported', field, data, `supported values: ${supported}`);
    }
    case 'type': {
      const wanted = Array.isArray(error.schema) ? error.schema.join(',') : String(error.schema);
      const got = jsonTypeName(data);
      return cause('FieldValueTypeInvalid', field, got, `${inBody} must be of type ${wanted}: ${JSON.stringify(got)}`);
    }
    case 'format':
      return cause('FieldValueTypeInvalid', field, data, `${inBody} must be of type ${String(p.format)}: ${JSON.stringify(data)}`);
    case 'maxLength':
      return cause('FieldValueTooLong', field, data, `may not be more than ${String(p.limit)} bytes`);
    case 'maxItems':
    case 'maxProperties': {
      const size = Array.isArray(data) ? data.length : Object.keys(data as object).length;
      return cause('FieldValueTooMany', field, size, `must have at most ${String(p.limit)} items`);
    }
    case 'minItems':
      return cause('FieldValueInvalid', field, (data as unknown[]).length, `${inBody} should have at least ${String(p.limit)} items`);
    case 'minProperties':
      return cause('FieldValueInvalid', field, Object.keys(data as object).length,
        `${inBody} should have at least ${String(p.limit)} properties`);
    case 'minLength':
      return cause('FieldValueInvalid', field, data, `${inBody} should be at least ${String(p.limit)} chars long`);
    case 'pattern':
      return cause('FieldValueInvalid', field, data, `${inBody} should match '${String(p.pattern)}'`);
    case 'minimum':
    case 'exclusiveMinimum':
      return cause('FieldValueInvalid', field, data,
        `${inBody} should be greater than${p.comparison === '>' ? '' : ' or equal to'} ${String(p.limit)}`);
    case 'maximum':
    case 'exclusiveMaximum':
      return cause('FieldValueInvalid', field, data,
        `${inBody} should be less than${p.comparison === '<' ? '' : ' or equal to'} ${String(p.limit)}`);
    case 'multipleOf':
      return cause('FieldValueInvalid', field, data, `${inBody} should be a multiple of ${String(p.multipleOf)}`);
    case 'uniqueItems':
      return cause('FieldValueInvalid', field, data, `${inBody} shouldn't contain duplicates`);
    default:
      // anyOf / oneOf / not: rare in structural schemas; say which keyword failed.
      return cause('FieldValueInvalid', field, data, `${inBody} must match the schema's ${error.keyword}`);
  }
}
