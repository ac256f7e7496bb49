// SPDX-License-Identifier: Apache-2.0
// The CEL rules of a CRD schema (`x-kubernetes-validations`), evaluated the way the API server
// evaluates them: each rule runs with `self` bound to the value at its place in the object, and a
// rule that returns false becomes a cause such as
//   spec.predictors: Invalid value: "object": Duplicate predictor name
// (the "value" the API server prints for a CEL failure is the schema type, not the value).
//
// Evaluation uses @bufbuild/cel, plus the few functions of Kubernetes' list library that CRDs use
// (`sum`, `min`, `max`, `isSorted`). What this does not do, and a real API server does: type-check
// rules and estimate their cost when the CRD is created, rules with `oldSelf` (transition rules on
// update), and the strings/regex/quantity/url extension libraries.
import {
  CelScalar, celEnv, celMethod, isCelError, isCelList, listType, parse, plan,
  type CelList, type CelResult, type CelValue,
} from '@bufbuild/cel';
import { cause } from './crd-causes.js';
import type { JSONSchemaProps, StatusCause, ValidationRule } from './crd-types.js';

type Program = (ctx: { self: never }) => CelResult;

function numbers(list: CelList): (bigint | number)[] {
  return [...list].map((v) => {
    if (typeof v === 'bigint' || typeof v === 'number') return v;
    throw new Error(`no such overload: list item of type ${typeof v} is not a number`);
  });
}

function reduceNumbers(list: CelList, pick: (a: bigint | number, b: bigint | number) => bigint | number): bigint | number {
  const values = numbers(list);
  if (values.length === 0) throw new Error('min/max of an empty list');
  return values.reduce(pick);
}

/** Kubernetes' list library, the part CRD rules use (k8s.io/apiserver/pkg/cel/library/lists.go). */
const kubernetesLists = [
  celMethod('sum', listType(CelScalar.DYN), [], CelScalar.DYN, function (this: CelList) {
    const values = numbers(this);
    if (values.every((v) => typeof v === 'bigint')) return (values as bigint[]).reduce((a, b) => a + b, 0n);
    return values.reduce<number>((a, b) => a + Number(b), 0);
  }),
  celMethod('min', listType(CelScalar.DYN), [], CelScalar.DYN, function (this: CelList) {
    return reduceNumbers(this, (a, b) => (b < a ? b : a));
  }),
  celMethod('max', listType(CelScalar.DYN), [], CelScalar.DYN, function (this: CelList) {
    return reduceNumbers(this, (a, b) => (b > a ? b : a));
  }),
  celMethod('isSorted', listType(CelScalar.DYN), [], CelScalar.BOOL, function (this: CelList) {
    const values = [...this] as (bigint | number | string)[];
    return values.every((v, i) => i === 0 || values[i - 1] <= v);
  }),
];

const env = celEnv({ funcs: kubernetesLists });
const programs = new Map<string, Program>();

/** Parses and plans a CEL expression once; throws with the expression in the message if it does not parse. */
function program(expression: string, where: string): Program {
  let compiled = programs.get(expression);
  if (!compiled) {
    try {
      compiled = plan(env, parse(expression)) as Program;
    } catch (err) {
      throw new Error(`The CEL rule at ${where || '<root>'} does not parse: ${(err as Error).message}\n  rule: ${expression}`, { cause: err });
    }
    programs.set(expression, compiled);
  }
  return compiled;
}

/**
 * The object as CEL sees it. JSON has one kind of number, CEL two: fields typed `integer` become
 * CEL ints (bigint) so `p.traffic + 0 == 100` compares ints, as on the API server.
 */
export function toCelValue(value: unknown, s: JSONSchemaProps | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, s?.items));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const sub = s?.properties?.[key] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      out[key] = toCelValue(child, sub);
    }
    return out;
  }
  const integerField = s?.type === 'integer' || s?.['x-kubernetes-int-or-string'] === true;
  if (typeof value === 'number' && Number.isInteger(value) && (integerField || !s)) return BigInt(value);
  return value;
}

/** `.predictors` or `['a.b']` relative to the rule's node, appended the way field.Path prints. */
function appendFieldPath(path: string, relative: string | undefined): string {
  if (!relative) return path;
  let out = path;
  for (const m of relative.matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)) {
    if (m[1] !== undefined) out = out ? `${out}.${m[1]}` : m[1];
    else if (m[2] !== undefined) out = `${out}[${m[2]}]`;
    else out = `${out}[${m[3]}]`;
  }
  return out;
}

function compact(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

/** The API server's message for a failed rule: messageExpression, else message, else the rule. */
function failureMessage(rule: ValidationRule, self: unknown, where: string): string {
  if (rule.messageExpression) {
    const text = program(rule.messageExpression, where)({ self: self as never });
    if (typeof text === 'string' && text.trim() !== '') return text;
  }
  return rule.message ?? `failed rule: ${compact(rule.rule)}`;
}

function evaluate(rule: ValidationRule, self: unknown, type: string, path: string, causes: StatusCause[]): void {
  const result = program(rule.rule, path)({ self: self as never });
  const field = appendFieldPath(path, rule.fieldPath);
  if (result === true) return;
  if (result === false) {
    const reason = rule.reason ?? 'FieldValueInvalid';
    causes.push(cause(reason, field, type, failureMessage(rule, self, path)));
    return;
  }
  const why = isCelError(result) ? result.message : `the rule returned ${describe(result)}, not a bool`;
  causes.push(cause('FieldValueInvalid', field, type, `${why} evaluating rule: ${compact(rule.rule)}`));
}

function describe(value: CelValue): string {
  return isCelList(value) ? 'a list' : typeof value;
}

function walk(value: unknown, s: JSONSchemaProps, path: string, causes: StatusCause[]): void {
  if (value === undefined || value === null) return;
  for (const rule of s['x-kubernetes-validations'] ?? []) evaluate(rule, value, s.type ?? '', path, causes);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, causes));
    return;
  }
  if (typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const property = s.properties?.[key];
    if (property) walk(child, property, path ? `${path}.${key}` : key, causes);
    else if (typeof s.additionalProperties === 'object') walk(child, s.additionalProperties, `${path}[${key}]`, causes);
  }
}

/**
 * Evaluates every CEL rule of `schema` on `obj` (already pruned, defaulted and valid against the
 * schema: the API server runs rules only then). Returns one cause per failed rule.
 */
export function evaluateCelRules(schema: JSONSchemaProps, obj: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  walk(toCelValue(obj, schema), schema, '', causes);
  return causes;
}

/** Parses every rule of a schema up front, so a broken rule fails when the CRD is loaded. */
export function checkCelRulesParse(schema: JSONSchemaProps, path = ''): number {
  let count = 0;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    program(rule.rule, path);
    if (rule.messageExpression) program(rule.messageExpression, path);
    count += 1;
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) count += checkCelRulesParse(sub, path ? `${path}.${key}` : key);
  if (schema.items) count += checkCelRulesParse(schema.items, `${path}[*]`);
  if (typeof schema.additionalProperties === 'object') count += checkCelRulesParse(schema.additionalProperties, `${path}[*]`);
  return count;
}
