// SPDX-License-Identifier: Apache-2.0
// The few types whose life the apiserver itself shapes, beyond the generic rules in core.ts:
//
// - Namespace: born Active with the `kubernetes` finalizer in spec.finalizers; DELETE only marks
//   it Terminating; the namespace controller empties it and then clears spec.finalizers through
//   `/finalize`, and only then is it gone. Each new namespace gets its `default` ServiceAccount
//   and the `kube-root-ca.crt` ConfigMap (in a cluster, two small controllers do that).
// - Pod: born Pending, with its ServiceAccount's credentials mounted (serviceaccounts.ts, the
//   ServiceAccount admission plugin); a pod on a node is deleted gracefully (its kubelet gets the
//   grace period). Its node is set only by a Binding (binding.ts).
// - Service: cluster IPs and the `kubernetes` Service, see services.ts.
// - CustomResourceDefinition: see crds.ts.
import type { DeleteOptions } from './api.js';
import type { ApiCore, WriteContext } from './core.js';
import { crdLifecycle } from './crds.js';
import { admitServiceAccount } from './serviceaccounts.js';
import { serviceLifecycle } from './services.js';
import type { StatusCause } from './status.js';
import type { Change } from './store.js';
import type { KubeObject, ResourceType } from './types.js';

export interface Lifecycle {
  /** fills server-owned fields of a new object (before validation) */
  prepareForCreate?(core: ApiCore, type: ResourceType, obj: KubeObject): void;
  /** restricts what an update may change (before validation) */
  prepareForUpdate?(core: ApiCore, type: ResourceType, next: KubeObject, current: KubeObject, subresource: string | undefined): void;
  /** type rules the generic validation does not know */
  validate?(core: ApiCore, type: ResourceType, obj: KubeObject, old: KubeObject | undefined): StatusCause[];
  /**
   * after validation and admission, just before the object is stored (or, in a dry run, would
   * be): takes what the object needs from the server, such as a Service's cluster IP. Throwing
   * refuses the write with nothing stored. `current` is undefined on create.
   */
  beforeCommit?(core: ApiCore, type: ResourceType, next: KubeObject, current: KubeObject | undefined, ctx: WriteContext): void;
  /** after a committed change of an object of this type (DELETED included) */
  afterCommit?(core: ApiCore, type: ResourceType, change: Change): void;
  /** marks an object being deleted; returns the grace period in seconds (0: no waiting for a kubelet) */
  prepareForDelete?(core: ApiCore, type: ResourceType, next: KubeObject, options: DeleteOptions): number;
  /** whether an object without finalizers may go now (a namespace waits for spec.finalizers) */
  readyToDelete?(obj: KubeObject): boolean;
  /** CRDs: one of the CRD's objects is gone */
  onInstanceDeleted?(core: ApiCore, crdName: string): void;
}

type Spec = Record<string, unknown> & { finalizers?: string[] };

const namespaceLifecycle: Lifecycle = {
  prepareForCreate(_core, _type, ns) {
    const spec = ((ns.spec ??= {}) as Spec);
    if (!(spec.finalizers ?? []).includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
    ns.status = { phase: 'Active' };
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name ?? '' };
  },
  prepareForUpdate(_core, _type, next, current, subresource) {
    const currentSpec = (current.spec ?? {}) as Spec;
    if (subresource === 'finalize') {
      // Only spec.finalizers may change through /finalize.
      const finalizers = ((next.spec ?? {}) as Spec).finalizers;
      const copy = structuredClone(current);
      next.metadata = { ...copy.metadata, resourceVersion: next.metadata.resourceVersion };
      next.spec = { ...copy.spec as Spec, finalizers };
      if (!finalizers) delete (next.spec as Spec).finalizers;
      return;
    }
    if (subresource === undefined) {
      next.spec = { ...(next.spec as Spec | undefined) };
      if (currentSpec.finalizers) (next.spec as Spec).finalizers = [...currentSpec.finalizers];
      else delete (next.spec as Spec).finalizers;
    }
    next.metadata.labels = { ...next.metadata.labels, 'kubernetes.io/metadata.name': next.metadata.name ?? '' };
  },
  afterCommit(core, _type, change) {
    if (change.type === 'ADDED') populateNamespace(core, change.object.metadata.name!);
  },
  prepareForDelete(_core, _type, ns) {
    if (!ns.metadata.deletionTimestamp) ns.status = { ...(ns.status as object), phase: 'Terminating' };
    return 0;
  },
  readyToDelete(ns) {
    return (((ns.spec ?? {}) as Spec).finalizers ?? []).length === 0;
  },
};

/** What a new namespace gets from the ServiceAccount and root-CA controllers. */
function populateNamespace(core: ApiCore, namespace: string): void {
  const ctx = { warnings: [], fieldManager: 'kube-controller-manager' };
  const sa = core.resolve('', 'v1', 'serviceaccounts');
  if (!core.store.get('/serviceaccounts', `${namespace}/default`)) {
    core.create(sa, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }, ctx);
  }
  const caPem = core.options.caPem;
  if (caPem && !core.store.get('/configmaps', `${namespace}/kube-root-ca.crt`)) {
    const cm = core.resolve('', 'v1', 'configmaps');
    core.create(cm, namespace, {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
      data: { 'ca.crt': caPem },
    }, ctx);
  }
}

const podLifecycle: Lifecycle = {
  prepareForCreate(core, _type, pod) {
    pod.status = { phase: 'Pending' };
    admitServiceAccount(core, pod);
  },
  prepareForDelete(_core, _type, pod, options) {
    const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    // A pod no kubelet runs (not scheduled, or finished) has nothing to stop: it goes at once.
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  },
};

const NONE: Lifecycle = {};

export function lifecycleOf(type: ResourceType): Lifecycle {
  if (type.group === '' && type.plural === 'namespaces') return namespaceLifecycle;
  if (type.group === '' && type.plural === 'pods') return podLifecycle;
  if (type.group === '' && type.plural === 'services') return serviceLifecycle;
  if (type.group === 'apiextensions.k8s.io' && type.plural === 'customresourcedefinitions') return crdLifecycle;
  return NONE;
}
