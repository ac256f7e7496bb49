// SPDX-License-Identifier: Apache-2.0
// What the API server itself does for Services (pkg/registry/core/service/storage), beyond the
// defaults and validation every built-in type gets:
//
// - Cluster IPs. A new Service gets its address while it is being created, after validation and
//   admission (a refused Service takes no address) and just before it is stored, so the answer to
//   the POST already carries `spec.clusterIP`. An update that turns a Service into an
//   ExternalName gives its address back; one that turns an ExternalName into a ClusterIP Service
//   gets one. Deleting a Service frees its address. The addresses come from ClusterIPAllocator.
// - The `kubernetes` Service in `default`: how programs in pods find the API server. It has the
//   first address of the range (10.96.0.1), port 443 named `https`, no selector, and an Endpoints
//   object of the same name that the API server writes itself, pointing at where it listens (a
//   real apiserver's endpoint reconciler does this at every start).
import type { ApiCore, WriteContext } from './core.js';
import type { Lifecycle } from './lifecycle.js';
import { objectKey } from './store.js';
import type { KubeObject } from './types.js';

type ServiceSpec = Record<string, unknown> & { type?: string; clusterIP?: string; clusterIPs?: string[] };

const specOf = (svc: KubeObject): ServiceSpec => (svc.spec ?? {}) as ServiceSpec;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const serviceLifecycle: Lifecycle = {
  prepareForUpdate(_core, _type, next, current, subresource) {
    if (subresource !== undefined) return;
    // dropTypeDependentFields: a Service becoming an ExternalName drops the addresses it was
    // given (the allocator frees them on commit), unless the request changed them itself, in
    // which case validation says no. Without this, `kubectl patch -p '{"spec":{"type":"ExternalName",...}}'`
    // would always be refused for the cluster IP it still carries.
    const [before, after] = [specOf(current), specOf(next)];
    if (before.type === 'ExternalName' || after.type !== 'ExternalName') return;
    if (before.clusterIP === after.clusterIP && same(before.clusterIPs, after.clusterIPs)) {
      delete after.clusterIP;
      delete after.clusterIPs;
    }
    if (same(before.ipFamilies, after.ipFamilies)) delete after.ipFamilies;
    if (before.ipFamilyPolicy === after.ipFamilyPolicy) delete after.ipFamilyPolicy;
  },
  beforeCommit(core, _type, next, current, ctx) {
    if (!current) core.clusterIPs.allocate(next, { dryRun: ctx.dryRun });
    else core.clusterIPs.update(current, next, { dryRun: ctx.dryRun });
  },
  afterCommit(core, _type, change) {
    if (change.type === 'DELETED') core.clusterIPs.release(change.object);
  },
};

/** Where the API server listens, as pods should reach it. */
export interface ApiServerEndpoint {
  host: string;
  port: number;
}

const KUBERNETES = 'kubernetes';

/**
 * Creates (or brings up to date, after a restart on another port) the `kubernetes` Service in
 * `default` and its Endpoints.
 */
export function ensureKubernetesService(core: ApiCore, endpoint: ApiServerEndpoint): void {
  const ctx = (): WriteContext => ({ warnings: [], fieldManager: 'kube-apiserver' });
  const services = core.resolve('', 'v1', 'services');
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: endpoint.port }];
  const service = core.store.get('/services', objectKey('default', KUBERNETES));
  if (!service) {
    core.create(services, 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: KUBERNETES, labels: { component: 'apiserver', provider: KUBERNETES } },
      spec: { type: 'ClusterIP', clusterIP: core.clusterIPs.firstAddress, ports, sessionAffinity: 'None' },
    }, ctx());
  } else if (!same(specOf(service).ports, ports)) {
    core.update(services, 'default', KUBERNETES, { ...structuredClone(service), spec: { ...specOf(service), ports } }, ctx());
  }

  const endpointsType = core.resolve('', 'v1', 'endpoints');
  const subsets = [{ addresses: [{ ip: endpoint.host }], ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }] }];
  const endpoints = core.store.get('/endpoints', objectKey('default', KUBERNETES));
  if (endpoints && same(endpoints.subsets, subsets)) return;
  // PUT creates Endpoints that do not exist yet (allowCreateOnUpdate).
  core.update(endpointsType, 'default', KUBERNETES, {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: KUBERNETES, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' }, resourceVersion: endpoints?.metadata.resourceVersion },
    subsets,
  }, ctx());
}
