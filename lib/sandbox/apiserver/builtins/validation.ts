// SPDX-License-Identifier: Apache-2.0
// The Go-side validation of the built-in types: the rules an OpenAPI schema cannot express, with
// the field paths and messages of a 1.30 API server. A Deployment whose selector does not match
// its template, a Service port out of range, a changed Deployment selector or Service cluster IP
// are all 422 Invalid here exactly as on a real cluster (the core turns these causes into the
// Status: `Deployment.apps "web" is invalid: spec.selector: Required value`).
//
// Called after defaulting (builtins/defaults.ts), on the object as it would be stored; `old` is
// the stored object on an update. The type's name rule and the metadata rules apply to every
// type; the kind-specific rules follow.
import type { StatusCause } from '../status.js';
import type { KubeObject, ResourceType } from '../types.js';
import { goLabelSelector, goStringMap } from '../patch/go-format.js';
import { forbidden, GoSyntax, immutable, invalid, nonNegative, notSupported, required, duplicate } from './validation/field-errors.js';
import { selectorMatches, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type LabelSelector } from './validation/meta.js';
import { checkName, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isValidPercent, isValidPortName, isValidPortNum, type NameRule } from './validation/names.js';
import { validatePodSpec, validatePodTemplateSpec } from './validation/pod.js';

export { validateObjectMeta, validateObjectMetaUpdate, selectorMatches, type LabelSelector } from './validation/meta.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objectAt = (obj: Json, key: string): Json => (isObject(obj[key]) ? (obj[key] as Json) : {});
const listOf = (v: unknown): Json[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);

/** The name rule of each kind (Go's ValidateXName); DNS subdomain for the rest. */
const NAME_RULES: Record<string, NameRule> = {
  '/Namespace': 'label',
  '/Service': 'dns1035',
  'rbac.authorization.k8s.io/Role': 'pathSegment',
  'rbac.authorization.k8s.io/ClusterRole': 'pathSegment',
  'rbac.authorization.k8s.io/RoleBinding': 'pathSegment',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'pathSegment',
};

/** `Type:1, IntVal:0, StrVal:"25%"`: how Go prints an intstr.IntOrString value in a message. */
function goIntOrString(v: unknown): GoSyntax {
  return typeof v === 'string'
    ? new GoSyntax(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`)
    : new GoSyntax(`intstr.IntOrString{Type:0, IntVal:${Number(v ?? 0)}, StrVal:""}`);
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'string') return isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : 0;
  return typeof v === 'number' ? v : 0;
}

function validatePositiveIntOrPercent(v: unknown, field: string): StatusCause[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(field, goIntOrString(v), m));
  if (typeof v === 'number') return nonNegative(field, v);
  return [];
}

function validateStrategy(strategy: Json, path: string): StatusCause[] {
  const type = strategy.type;
  if (type === 'Recreate') {
    return strategy.rollingUpdate !== undefined ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type !== 'RollingUpdate') return [notSupported(path, new GoSyntax(JSON.stringify(strategy)), ['Recreate', 'RollingUpdate'])];
  const rolling = strategy.rollingUpdate;
  if (!isObject(rolling)) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
  const causes = [
    ...validatePositiveIntOrPercent(rolling.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
    ...validatePositiveIntOrPercent(rolling.maxSurge, `${path}.rollingUpdate.maxSurge`),
  ];
  if (intOrPercentValue(rolling.maxUnavailable) === 0 && intOrPercentValue(rolling.maxSurge) === 0) {
    causes.push(invalid(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(rolling.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  if (typeof rolling.maxUnavailable === 'string' && intOrPercentValue(rolling.maxUnavailable) > 100) {
    causes.push(invalid(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(rolling.maxUnavailable), 'must not be greater than 100%'));
  }
  return causes;
}

/** The spec rules Deployments and ReplicaSets share: replicas, selector, template. */
function validateReplicatedSpec(spec: Json): StatusCause[] {
  const causes = nonNegative('spec.replicas', spec.replicas);
  const selector = isObject(spec.selector) ? (spec.selector as LabelSelector) : undefined;
  const terms = selector ? Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length : 0;
  if (!selector) {
    causes.push(required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector(selector, 'spec.selector'));
    if (terms === 0) causes.push(invalid('spec.selector', new GoSyntax(goLabelSelector(selector)), 'empty selector is invalid for deployment'));
  }
  const template = objectAt(spec, 'template');
  const labels = objectAt(template, 'metadata').labels as Record<string, string> | undefined;
  if (selector && terms > 0 && !selectorMatches(selector, labels)) {
    causes.push(invalid('spec.template.metadata.labels', new GoSyntax(goStringMap(labels)), '`selector` does not match template `labels`'));
  }
  causes.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restart = objectAt(template, 'spec').restartPolicy;
  if (restart !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restart ?? '', ['Always']));
  return causes;
}

function validateDeployment(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = objectAt(obj, 'spec');
  const causes = validateReplicatedSpec(spec);
  causes.push(...validateStrategy(objectAt(spec, 'strategy'), 'spec.strategy'));
  causes.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  causes.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    causes.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= Number(spec.minReadySeconds ?? 0)) {
      causes.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  if (old) causes.push(...selectorImmutable(spec, objectAt(old, 'spec')));
  return causes;
}

function validateReplicaSet(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = objectAt(obj, 'spec');
  const causes = validateReplicatedSpec(spec);
  causes.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  if (old) causes.push(...selectorImmutable(spec, objectAt(old, 'spec')));
  return causes;
}

/** apps/v1 forbids changing a selector: the controller would lose track of its pods. */
function selectorImmutable(spec: Json, oldSpec: Json): StatusCause[] {
  return immutable('spec.selector', spec.selector, oldSpec.selector, new GoSyntax(goLabelSelector(spec.selector as LabelSelector | undefined)));
}

function validatePod(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes = validatePodSpec(obj.spec, 'spec');
  if (old && JSON.stringify(mutablePodSpec(obj.spec)) !== JSON.stringify(mutablePodSpec(old.spec))) {
    causes.push(
      forbidden(
        'spec',
        'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    );
  }
  return causes;
}

/** A pod spec without the fields an update may change, to compare the rest. */
function mutablePodSpec(spec: unknown): unknown {
  const s = structuredClone(isObject(spec) ? spec : {});
  for (const list of ['containers', 'initContainers']) for (const c of listOf(s[list])) delete c.image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  return s;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];

function validateService(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = objectAt(obj, 'spec');
  const causes: StatusCause[] = [];
  if (old) causes.push(...clusterIPsUnchanged(spec, objectAt(old, 'spec')));
  const headless = spec.clusterIP === 'None';
  const ports = listOf(spec.ports);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') causes.push(required('spec.ports'));
  if (spec.type === 'ExternalName') {
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0) causes.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) isDNS1123Subdomain(cname).forEach((m) => causes.push(invalid('spec.externalName', cname, m)));
    else causes.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`;
    const name = String(port.name ?? '');
    if (ports.length > 1 && !name) causes.push(required(`${p}.name`));
    else if (name) {
      isDNS1123Label(name).forEach((m) => causes.push(invalid(`${p}.name`, name, m)));
      if (names.has(name)) causes.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
    isValidPortNum(Number(port.port)).forEach((m) => causes.push(invalid(`${p}.port`, port.port ?? 0, m)));
    const protocol = String(port.protocol ?? '');
    if (!protocol) causes.push(required(`${p}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(protocol)) causes.push(notSupported(`${p}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
    const target = port.targetPort;
    if (typeof target === 'number') isValidPortNum(target).forEach((m) => causes.push(invalid(`${p}.targetPort`, target, m)));
    else if (typeof target === 'string') {
      if (!target) causes.push(required(`${p}.targetPort`));
      else isValidPortName(target).forEach((m) => causes.push(invalid(`${p}.targetPort`, target, m)));
    }
  });
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = String(spec.sessionAffinity ?? '');
  if (!affinity) causes.push(required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(affinity)) causes.push(notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  const type = String(spec.type ?? '');
  if (!type) causes.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) causes.push(notSupported('spec.type', type, SERVICE_TYPES));
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    const key = `${String(port.protocol)}/${String(port.port)}`;
    if (seen.has(key)) {
      causes.push(duplicate(`spec.ports[${i}]`, new GoSyntax(`core.ServicePort{Name:"", Protocol:${JSON.stringify(port.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${Number(port.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    }
    seen.add(key);
  });
  return causes;
}

/** A Service keeps its cluster IPs for life (changing them means deleting the Service). */
function clusterIPsUnchanged(spec: Json, oldSpec: Json): StatusCause[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (spec.clusterIP === 'None' && oldSpec.clusterIP === 'None') return [];
  const now = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as string[]) : [];
  const before = Array.isArray(oldSpec.clusterIPs) ? (oldSpec.clusterIPs as string[]) : [];
  const shown = new GoSyntax(`[]string{${now.map((ip) => JSON.stringify(ip)).join(', ')}}`);
  const causes: StatusCause[] = [];
  if (now.length === before.length) {
    before.forEach((ip, i) => {
      if (ip !== now[i]) causes.push(invalid(`spec.clusterIPs[${i}]`, shown, 'may not change once set'));
    });
  } else if (now.length === 0 && before.length > 0) {
    causes.push(invalid('spec.clusterIPs[0]', shown, 'primary clusterIP can not be unset'));
  } else if (now.length > 0 && before.length > 0 && now[0] !== before[0]) {
    causes.push(invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  }
  return causes;
}

function validateDataKeys(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const field of ['data', 'stringData', 'binaryData']) {
    for (const key of Object.keys(objectAt(obj, field))) {
      isConfigMapKey(key).forEach((m) => causes.push(invalid(`${field}[${key}]`, key, m)));
      if (field === 'binaryData' && seen.has(key)) causes.push(invalid(`${field}[${key}]`, key, 'duplicate of key present in data'));
      seen.add(key);
    }
  }
  return causes;
}

/** Secrets and ConfigMaps marked `immutable: true` keep their data. */
function validateImmutableData(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of ['data', 'binaryData']) {
    if (JSON.stringify(obj[field] ?? {}) !== JSON.stringify(old[field] ?? {})) causes.push(forbidden(field, 'field is immutable when `immutable` is set'));
  }
  return causes;
}

function validateSecret(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes = validateDataKeys(obj);
  if (old) causes.push(...immutable('type', obj.type ?? '', old.type ?? ''), ...validateImmutableData(obj, old));
  return causes;
}

function validateConfigMap(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  return [...validateDataKeys(obj), ...validateImmutableData(obj, old)];
}

function validateCrdName(obj: KubeObject): StatusCause[] {
  const spec = objectAt(obj, 'spec');
  const expected = `${String(objectAt(spec, 'names').plural ?? '')}.${String(spec.group ?? '')}`;
  return obj.metadata.name && obj.metadata.name !== expected ? [invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group')] : [];
}

type KindRule = (obj: KubeObject, old: KubeObject | undefined) => StatusCause[];

const KIND_RULES: Record<string, KindRule> = {
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  '/Pod': validatePod,
  '/Service': validateService,
  '/Secret': validateSecret,
  '/ConfigMap': validateConfigMap,
  'apiextensions.k8s.io/CustomResourceDefinition': validateCrdName,
};

/**
 * The 422 causes for `obj` of a built-in `type` (empty: valid). On create the metadata is
 * checked as new (name rule, namespace); on update (`old` given) as changed (immutable name,
 * namespace, uid) plus the kind's immutable fields.
 */
export function validateBuiltin(type: Pick<ResourceType, 'group' | 'kind' | 'namespaced'>, obj: KubeObject, old?: KubeObject): StatusCause[] {
  const key = `${type.group}/${type.kind}`;
  const causes = old
    ? validateObjectMetaUpdate(obj.metadata, old.metadata)
    : validateObjectMeta(obj.metadata, { namespaced: type.namespaced, name: NAME_RULES[key] });
  causes.push(...(KIND_RULES[key]?.(obj, old) ?? []));
  return causes;
}

/** The name rule a kind's names follow, for callers that check names on their own. */
export function nameRuleOf(type: Pick<ResourceType, 'group' | 'kind'>): NameRule {
  return NAME_RULES[`${type.group}/${type.kind}`] ?? 'subdomain';
}

export { checkName };
