// SPDX-License-Identifier: Apache-2.0
// Field errors as k8s.io/apimachinery/pkg/util/validation/field builds them. The API server turns
// a list of them into a 422 whose `details.causes` carry `reason` ("FieldValueInvalid"), `field`
// ("spec.template.spec.containers[0].image") and `message` ("Required value"), and whose message
// joins "field: message" pairs. The message text is Go's ErrorBody: a 1.30 server prints a bad
// value with %q for strings and Go syntax for structs and maps.
import type { StatusCause } from '../../status.js';
import { goQuote } from '../../patch/go-format.js';

/** A bad value already rendered the way Go prints it (for maps and structs; see go-format.ts). */
export class GoSyntax {
  constructor(readonly text: string) {}
}

function render(value: unknown): string {
  if (value instanceof GoSyntax) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}

export function invalid(field: string, value: unknown, detail = ''): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${render(value)}${detail ? `: ${detail}` : ''}`, field };
}

export function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  const list = supported.map((s) => goQuote(s)).join(', ');
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${render(value)}${list ? `: supported values: ${list}` : ''}`, field };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${render(value)}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${max}`, field };
}

/** ValidateNonnegativeField. */
export function nonNegative(field: string, value: unknown): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** ValidateImmutableField: values compared as JSON (Go's semantic DeepEqual). */
export function immutable(field: string, next: unknown, prev: unknown, shown: unknown = next): StatusCause[] {
  return JSON.stringify(next ?? null) === JSON.stringify(prev ?? null) ? [] : [invalid(field, shown, 'field is immutable')];
}
