// SPDX-License-Identifier: Apache-2.0
// Server-side defaults of the built-in types, as a Kubernetes 1.30 API server returns them: what
// the versioned defaulters fill in on every write, plus what the create path of each type sets
// (a new Pod is Pending, a new Namespace is Active with the `kubernetes` finalizer, a new Service
// gets its IP family). `kubectl get -o yaml` on the sandbox then shows the same fields as on a
// real cluster, and a controller that compares "what I want" with "what I read back" settles the
// same way on both.
//
// Not here, on purpose: the cluster IP itself. A real API server allocates it while it creates
// the Service, so the POST answer already carries it; the sandbox core does the same (it owns the
// address range). On an update this file keeps the allocated addresses when the new object leaves
// them out, as the Service registry does.
import type { KubeObject, ResourceType } from '../types.js';
import { admitNewPod, defaultPodOnly, defaultPodSpec, defaultPodTemplate, objectAt, qosClass } from './pod-defaults.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function setDefault(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

type Defaulter = (obj: KubeObject, old: KubeObject | undefined) => void;

function defaultDeployment(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = objectAt(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = objectAt(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(objectAt(spec, 'template'));
  if (!old) obj.status = {};
}

function defaultReplicaSet(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultPodTemplate(objectAt(spec, 'template'));
  // ReplicaSetStatus.replicas has no omitempty: a new ReplicaSet shows `replicas: 0`.
  if (!old) obj.status = { replicas: 0 };
}

function defaultPod(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  defaultPodOnly(spec);
  defaultPodSpec(spec);
  if (!old) {
    admitNewPod(spec);
    obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
  }
}

const needsClusterIP = (spec: Json) => spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
const sameList = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function defaultService(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = isObject(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : {};
    if (!isObject(config.clientIP) || config.clientIP.timeoutSeconds === undefined) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
    }
  }
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const externallyAccessible =
    spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(String(spec.type))) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;

  const oldSpec = isObject(old?.spec) ? (old!.spec as Json) : undefined;
  if (oldSpec) {
    // An update that leaves the allocated addresses out keeps them (kubectl replace, a PUT of a
    // manifest without clusterIP); changing them is caught by validation.
    if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
      if (!spec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
      if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) {
        if (Array.isArray(oldSpec.clusterIPs) && spec.clusterIP === oldSpec.clusterIP) spec.clusterIPs = oldSpec.clusterIPs;
      }
      if (spec.clusterIP !== oldSpec.clusterIP && sameList(spec.clusterIPs, oldSpec.clusterIPs) && spec.clusterIP) {
        spec.clusterIPs = [spec.clusterIP];
      }
    }
    if (spec.type !== 'ExternalName') {
      if (spec.ipFamilyPolicy === undefined && oldSpec.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
      if (spec.ipFamilies === undefined && oldSpec.ipFamilies !== undefined) spec.ipFamilies = oldSpec.ipFamilies;
    }
  } else {
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    // The sandbox is a single-stack IPv4 cluster.
    if (spec.type !== 'ExternalName') {
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    }
    obj.status = { loadBalancer: {} };
  }
}

function defaultNamespace(obj: KubeObject, old: KubeObject | undefined): void {
  // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
  if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  if (!old) {
    const spec = objectAt(obj, 'spec');
    const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
    obj.status = { phase: 'Active' };
  }
  setDefault(objectAt(obj, 'status'), 'phase', 'Active');
}

function defaultSecret(obj: KubeObject): void {
  setDefault(obj, 'type', 'Opaque');
}

function defaultEndpoints(obj: KubeObject): void {
  for (const subset of Array.isArray(obj.subsets) ? obj.subsets.filter(isObject) : []) {
    for (const port of Array.isArray(subset.ports) ? subset.ports.filter(isObject) : []) setDefault(port, 'protocol', 'TCP');
  }
}

function defaultBinding(obj: KubeObject): void {
  for (const subject of Array.isArray(obj.subjects) ? obj.subjects.filter(isObject) : []) {
    if (subject.apiGroup === undefined) subject.apiGroup = subject.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io';
  }
}

function defaultCrd(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  const names = objectAt(spec, 'names');
  if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!names.listKind && typeof names.kind === 'string' && names.kind) names.listKind = `${names.kind}List`;
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  if (!old) {
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
    const storage = versions.find((v) => v.storage === true);
    obj.status = { acceptedNames: { kind: '', plural: '' }, storedVersions: storage ? [storage.name] : [] };
  }
}

const defaulters: Record<string, Defaulter> = {
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/Endpoints': defaultEndpoints,
  'rbac.authorization.k8s.io/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultBinding,
  'apiextensions.k8s.io/CustomResourceDefinition': defaultCrd,
};

/**
 * `obj` with the API server's defaults filled in. `old` is the stored object on an update and
 * undefined on a create (create-only fields, such as a new Pod's status, are set only then).
 * `obj` is not modified; types without defaults come back as a plain copy.
 */
export function defaultBuiltin(type: Pick<ResourceType, 'group' | 'kind'>, obj: KubeObject, old?: KubeObject): KubeObject {
  const out = structuredClone(obj);
  if (!isObject(out.metadata)) out.metadata = {};
  defaulters[`${type.group}/${type.kind}`]?.(out, old);
  return out;
}
