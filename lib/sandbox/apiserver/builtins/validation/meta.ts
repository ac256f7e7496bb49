// SPDX-License-Identifier: Apache-2.0
// Validation of ObjectMeta (name, namespace, labels, annotations, owner references, finalizers)
// on create and update, and of label selectors, as k8s.io/apimachinery's ValidateObjectMeta,
// ValidateObjectMetaUpdate and ValidateLabelSelector do it. Custom resources get exactly this
// (their name must be a DNS subdomain); built-ins add their own rules on top.
import type { StatusCause } from '../../status.js';
import type { ObjectMeta } from '../../types.js';
import { forbidden, immutable, invalid, required, tooLong } from './field-errors.js';
import { checkName, isQualifiedName, isValidLabelValue, type NameRule } from './names.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (!isObject(labels)) return [];
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) causes.push(invalid(field, k, msg));
    for (const msg of isValidLabelValue(String(v))) causes.push(invalid(field, String(v), msg));
  }
  return causes;
}

const ANNOTATIONS_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  if (!isObject(annotations)) return [];
  const causes: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys follow the label key rules, except that case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) causes.push(invalid(field, k, msg));
    size += k.length + String(v).length;
  }
  if (size > ANNOTATIONS_LIMIT) causes.push(tooLong(field, ANNOTATIONS_LIMIT));
  return causes;
}

function validateOwnerReferences(refs: unknown, field: string): StatusCause[] {
  if (!Array.isArray(refs)) return [];
  const causes: StatusCause[] = [];
  let controller = '';
  for (const ref of refs.filter(isObject)) {
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) causes.push(invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) causes.push(invalid(`${field}.kind`, String(ref.kind ?? ''), 'must not be empty'));
    if (!ref.name) causes.push(invalid(`${field}.name`, String(ref.name ?? ''), 'must not be empty'));
    if (!ref.uid) causes.push(invalid(`${field}.uid`, String(ref.uid ?? ''), 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') causes.push(invalid(field, JSON.stringify(ref), '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${String(ref.kind)}/${String(ref.name)}`;
      if (controller) {
        causes.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      } else controller = current;
    }
  }
  return causes;
}

function validateFinalizers(finalizers: unknown, field: string): StatusCause[] {
  if (!Array.isArray(finalizers)) return [];
  const causes: StatusCause[] = [];
  for (const f of finalizers) for (const msg of isQualifiedName(String(f))) causes.push(invalid(field, String(f), msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

export interface MetaRules {
  /** whether objects of the type live in a namespace */
  namespaced: boolean;
  /** the rule the type's names follow (DNS subdomain for most) */
  name?: NameRule;
}

/** ValidateObjectMeta: the metadata of a new object. Causes are under `metadata.`. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: MetaRules): StatusCause[] {
  const m = meta ?? {};
  const rule = rules.name ?? 'subdomain';
  const causes: StatusCause[] = [];
  if (m.generateName) for (const msg of checkName(rule, m.generateName, true)) causes.push(invalid('metadata.generateName', m.generateName, msg));
  if (!m.name) causes.push(required('metadata.name', 'name or generateName is required'));
  else for (const msg of checkName(rule, m.name)) causes.push(invalid('metadata.name', m.name, msg));
  causes.push(...validateCommonMeta(m, rules.namespaced));
  return causes;
}

function validateCommonMeta(m: ObjectMeta, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (namespaced) {
    if (!m.namespace) causes.push(required('metadata.namespace'));
    else for (const msg of checkName('label', m.namespace)) causes.push(invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    causes.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) causes.push(invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  causes.push(...validateLabels(m.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  causes.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return causes;
}

/**
 * ValidateObjectMetaUpdate: name, namespace and uid never change, generation never goes down,
 * and the labels and annotations of the new version are well formed. (The sandbox core restores
 * creationTimestamp and the deletion fields before this runs, as the API server does.)
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined): StatusCause[] {
  const m = meta ?? {};
  const o = old ?? {};
  const causes: StatusCause[] = [];
  if (typeof m.generation === 'number' && typeof o.generation === 'number' && m.generation < o.generation) {
    causes.push(invalid('metadata.generation', m.generation, 'must not be decremented'));
  }
  causes.push(...immutable('metadata.name', m.name ?? '', o.name ?? ''));
  causes.push(...immutable('metadata.namespace', m.namespace ?? '', o.namespace ?? ''));
  causes.push(...immutable('metadata.uid', m.uid ?? '', o.uid ?? ''));
  causes.push(...validateLabels(m.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  return causes;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** ValidateLabelSelector, with label values checked strictly (as Deployments and ReplicaSets do). */
export function validateLabelSelector(selector: LabelSelector | undefined, field: string): StatusCause[] {
  if (!selector) return [];
  const causes: StatusCause[] = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const path = `${field}.matchExpressions[${i}]`;
    const op = req.operator ?? '';
    const values = req.values ?? [];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) causes.push(required(`${path}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbidden(`${path}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else {
      causes.push(invalid(`${path}.operator`, op, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(req.key ?? '')) causes.push(invalid(`${path}.key`, req.key ?? '', msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) causes.push(invalid(`${path}.values[${j}]`, v, msg));
    });
  });
  return causes;
}

/** Does `selector` select an object with `labels`? (An empty selector selects everything.) */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = req.key !== undefined && req.key in l;
    const value = req.key !== undefined ? l[req.key] : undefined;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
