// SPDX-License-Identifier: Apache-2.0
// CustomResourceDefinitions: what the apiextensions part of kube-apiserver does with them.
//
// - A CRD is checked before it is stored (names, group, scope, exactly one storage version, a
//   schema that compiles), so a broken one is a 422, never a half-served type.
// - Once stored, its served versions are REST types at once (discovery, OpenAPI, watch).
//   The conditions kubectl waits on (NamesAccepted, Established) are set by the CRD controller.
// - DELETE marks it Terminating with the `customresourcecleanup.apiextensions.k8s.io` finalizer and
//   deletes every object of the type; when the last one is gone (their own finalizers may delay
//   that), the finalizer is removed, the CRD disappears and its types stop being served.
import { compileCrdSchema, type JSONSchemaProps } from '../../kube/index.js';
import type { ApiCore, WriteContext } from './core.js';
import type { Lifecycle } from './lifecycle.js';
import { isPlainObject } from './objects.js';
import { BUILTIN_TYPES, resourceKey, typesOfCrd } from './resources.js';
import type { StatusCause } from './status.js';
import type { KubeObject } from './types.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const asServer = (): WriteContext => ({ warnings: [], fieldManager: 'apiextensions-apiserver' });

interface CrdVersionShape {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: unknown };
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string };
  versions?: CrdVersionShape[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', field, message: 'Required value' };
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` };
}

/** The apiextensions validation rules the sandbox needs to serve a CRD safely. */
export function validateCrd(crd: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (crd.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  if (!spec.group) causes.push(required('spec.group'));
  else if (!spec.group.includes('.')) causes.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  if (!names.plural) causes.push(required('spec.names.plural'));
  else if (!DNS_LABEL.test(names.plural)) causes.push(invalid('spec.names.plural', names.plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  if (names.singular !== undefined && !DNS_LABEL.test(names.singular)) causes.push(invalid('spec.names.singular', names.singular, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''));
  if (!names.kind) causes.push(required('spec.names.kind'));
  else if (!KIND.test(names.kind)) causes.push(invalid('spec.names.kind', names.kind, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  if (spec.group && names.plural && crd.metadata.name !== `${names.plural}.${spec.group}`) {
    causes.push(invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.group && names.plural && BUILTIN_TYPES.some((t) => t.group === spec.group && t.plural === names.plural)) {
    causes.push(invalid('spec.names.plural', names.plural, `a built-in type already serves ${names.plural}.${spec.group}`));
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0) causes.push(required('spec.versions'));
  const storage = versions.filter((v) => v.storage).length;
  if (versions.length > 0 && storage !== 1) causes.push(invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  if (versions.length > 0 && !versions.some((v) => v.served)) causes.push(invalid('spec.versions', versions.map((v) => v.name), 'must have at least one version marked as served'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (!v.name) causes.push(required(`${at}.name`));
    else if (!DNS_LABEL.test(v.name)) causes.push(invalid(`${at}.name`, v.name, 'a DNS-1035 label must consist of lower case alphanumeric characters'));
    else if (seen.has(v.name)) causes.push({ reason: 'FieldValueDuplicate', field: `${at}.name`, message: `Duplicate value: ${JSON.stringify(v.name)}` });
    if (v.name) seen.add(v.name);
    const schema = v.schema?.openAPIV3Schema;
    if (!isPlainObject(schema)) {
      causes.push({ reason: 'FieldValueRequired', field: `${at}.schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
      return;
    }
    if (schema.type !== 'object') causes.push(invalid(`${at}.schema.openAPIV3Schema.type`, schema.type ?? '', 'must be object at the root'));
    try {
      compileCrdSchema(schema as JSONSchemaProps);
    } catch (e) {
      causes.push(invalid(`${at}.schema.openAPIV3Schema`, '', `the schema does not compile: ${(e as Error).message}`));
    }
  });
  if (old) {
    const oldSpec = (old.spec ?? {}) as CrdSpec;
    if (oldSpec.scope && spec.scope && oldSpec.scope !== spec.scope) causes.push(invalid('spec.scope', spec.scope, 'field is immutable'));
    if (oldSpec.group && spec.group && oldSpec.group !== spec.group) causes.push(invalid('spec.group', spec.group, 'field is immutable'));
  }
  return causes;
}

type CrdStatus = { storedVersions?: string[]; conditions?: Record<string, unknown>[]; acceptedNames?: Record<string, unknown> };

function storageVersion(crd: KubeObject): string | undefined {
  return ((crd.spec as CrdSpec | undefined)?.versions ?? []).find((v) => v.storage)?.name;
}

/** Deletes every object of a terminating CRD, then lets the CRD go once none is left. */
function cleanUp(core: ApiCore, crd: KubeObject): void {
  const types = typesOfCrd(crd as Parameters<typeof typesOfCrd>[0]);
  if (types.length > 0) {
    const type = types.find((t) => t.version === t.storageVersion) ?? types[0];
    for (const object of [...core.store.list(resourceKey(type))]) {
      if (object.metadata.deletionTimestamp) continue;
      core.delete(type, object.metadata.namespace, object.metadata.name!, {}, asServer());
    }
  }
  crdLifecycle.onInstanceDeleted!(core, crd.metadata.name!);
}

export const crdLifecycle: Lifecycle = {
  prepareForCreate(_core, _type, crd) {
    const stored = storageVersion(crd);
    crd.status = { acceptedNames: { plural: '', kind: '' }, conditions: [], storedVersions: stored ? [stored] : [] };
  },
  prepareForUpdate(_core, _type, next, _current, subresource) {
    if (subresource !== undefined) return;
    const stored = storageVersion(next);
    const status = (next.status ?? {}) as CrdStatus;
    if (stored && !(status.storedVersions ?? []).includes(stored)) {
      next.status = { ...status, storedVersions: [...(status.storedVersions ?? []), stored] };
    }
  },
  validate(_core, _type, crd, old) {
    return validateCrd(crd, old);
  },
  afterCommit(core, _type, change) {
    const crd = change.object;
    if (change.type === 'DELETED') {
      core.registry.unregisterCrd(crd.metadata.name!);
      return;
    }
    core.registry.registerCrd(crd);
    if (crd.metadata.deletionTimestamp && !change.previous?.metadata.deletionTimestamp) cleanUp(core, crd);
  },
  prepareForDelete(_core, _type, crd) {
    if (crd.metadata.deletionTimestamp) return 0;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) crd.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CLEANUP_FINALIZER];
    const status = (crd.status ?? {}) as CrdStatus;
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'Terminating');
    conditions.push({
      type: 'Terminating', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress',
    });
    crd.status = { ...status, conditions };
    return 0;
  },
  onInstanceDeleted(core, crdName) {
    const crdType = core.resolve('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    const crd = core.store.get(resourceKey(crdType), `/${crdName}`);
    if (!crd?.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    const types = core.registry.typesOfCrdNamed(crdName);
    if (types.length > 0 && core.store.count(resourceKey(types[0])) > 0) return;
    core.write(crdType, undefined, crdName, (current) => {
      const next = structuredClone(current!);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      return next;
    }, asServer(), undefined, { unconditional: true });
  },
};
