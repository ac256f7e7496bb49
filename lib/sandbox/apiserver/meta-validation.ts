// SPDX-License-Identifier: Apache-2.0
// Validation of `metadata`, which the apiserver applies to every object of every type before the
// type's own rules (k8s.io/apimachinery/pkg/api/validation/objectmeta.go): the name's format,
// label and annotation keys and values, finalizer names, owner references. Causes are worded as
// the real server words them, so `kubectl apply` prints the same lines on both clusters.
import { labelKeyProblems, labelValueProblems } from './selectors.js';
import type { StatusCause } from './status.js';
import type { KubeObject, ResourceType } from './types.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_TEXT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_1123_TEXT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_1035_TEXT = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

/** Which rule a type's names follow; most types use DNS-1123 subdomains. */
const NAME_RULES: Record<string, NameRule> = {
  '/namespaces': 'label',
  '/services': 'dns1035',
  'rbac.authorization.k8s.io/roles': 'path-segment',
  'rbac.authorization.k8s.io/rolebindings': 'path-segment',
  'rbac.authorization.k8s.io/clusterroles': 'path-segment',
  'rbac.authorization.k8s.io/clusterrolebindings': 'path-segment',
};

export function nameRuleOf(type: ResourceType): NameRule {
  return NAME_RULES[`${type.group}/${type.plural}`] ?? 'subdomain';
}

/** Problems with a name under a rule (empty when valid). */
export function nameProblems(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'subdomain':
      if (name.length > 253) return ['must be no more than 253 characters'];
      return SUBDOMAIN.test(name) ? [] : [SUBDOMAIN_TEXT];
    case 'label':
      return [...(name.length > 63 ? ['must be no more than 63 characters'] : []), ...(LABEL_1123.test(name) ? [] : [LABEL_1123_TEXT])];
    case 'dns1035':
      return [...(name.length > 63 ? ['must be no more than 63 characters'] : []), ...(LABEL_1035.test(name) ? [] : [LABEL_1035_TEXT])];
    case 'path-segment':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
      return [];
  }
}

const quote = (v: unknown): string => JSON.stringify(v);

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(value)}: ${detail}` };
}

function keyValueCauses(map: unknown, field: string, checkValues: boolean): StatusCause[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map)) return [{ reason: 'FieldValueInvalid', field, message: 'Invalid value: must be a map of strings' }];
  const causes: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    for (const p of labelKeyProblems(key)) causes.push(invalid(field, key, p));
    if (typeof value !== 'string') {
      causes.push({ reason: 'FieldValueInvalid', field: `${field}.${key}`, message: `Invalid value: ${quote(value)}: must be a string` });
      continue;
    }
    total += key.length + value.length;
    if (checkValues) for (const p of labelValueProblems(value)) causes.push(invalid(`${field}`, value, p));
  }
  if (!checkValues && total > 262144) causes.push({ reason: 'FieldValueTooLong', field, message: 'Too long: must have at most 262144 bytes' });
  return causes;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** ObjectMeta rules for create and update (the name itself is checked only on create: it cannot change). */
export function validateObjectMeta(type: ResourceType, obj: KubeObject, isCreate: boolean): StatusCause[] {
  const meta = obj.metadata;
  const causes: StatusCause[] = [];
  if (isCreate) {
    if (!meta.name) {
      causes.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
    } else {
      for (const p of nameProblems(meta.name, nameRuleOf(type))) causes.push(invalid('metadata.name', meta.name, p));
    }
  }
  if (type.namespaced && meta.namespace !== undefined) {
    for (const p of nameProblems(meta.namespace, 'label')) causes.push(invalid('metadata.namespace', meta.namespace, p));
  }
  causes.push(...keyValueCauses(meta.labels, 'metadata.labels', true));
  causes.push(...keyValueCauses(meta.annotations, 'metadata.annotations', false));
  (meta.finalizers ?? []).forEach((f, i) => {
    if (typeof f !== 'string' || (!STANDARD_FINALIZERS.has(f) && (!f.includes('/') || labelKeyProblems(f).length > 0))) {
      causes.push(invalid(`metadata.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  let controllers = 0;
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const at = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) causes.push({ reason: 'FieldValueInvalid', field: `${at}.apiVersion`, message: 'Invalid value: "": version must not be empty' });
    if (!ref.kind) causes.push({ reason: 'FieldValueInvalid', field: `${at}.kind`, message: 'Invalid value: "": kind must not be empty' });
    if (!ref.name) causes.push({ reason: 'FieldValueInvalid', field: `${at}.name`, message: 'Invalid value: "": name must not be empty' });
    if (!ref.uid) causes.push({ reason: 'FieldValueInvalid', field: `${at}.uid`, message: 'Invalid value: "": uid must not be empty' });
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    causes.push({ reason: 'FieldValueInvalid', field: 'metadata.ownerReferences', message: 'Invalid value: []v1.OwnerReference: Only one reference can have Controller set to true' });
  }
  return causes;
}

/** Merges two cause lists, dropping exact repeats (two validators may report the same problem). */
export function mergeCauses(a: StatusCause[], b: StatusCause[]): StatusCause[] {
  const seen = new Set(a.map((c) => `${c.field}\u0000${c.message}`));
  return [...a, ...b.filter((c) => !seen.has(`${c.field}\u0000${c.message}`))];
}
