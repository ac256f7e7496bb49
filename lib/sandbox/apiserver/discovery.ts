// SPDX-License-Identifier: Apache-2.0
// Discovery: how clients learn which types exist. kubectl, helm and client-node's
// KubernetesObjectApi all ask before they touch an object, to turn `kind: Deployment` into
// `/apis/apps/v1/namespaces/x/deployments`.
//
// Two dialects, chosen by the client's Accept header:
//   legacy       /api (APIVersions), /apis (APIGroupList), /api/v1 and /apis/{g}/{v} (APIResourceList)
//   aggregated   /api and /apis as one APIGroupDiscoveryList (apidiscovery.k8s.io/v2), which kubectl
//                1.30+ asks for first; the same facts in one round trip
// Both are built from the registry on each request, so a CRD is discoverable as soon as it is stored.
import type { ResourceRegistry } from './resources.js';
import type { ResourceType } from './types.js';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which discovery document an Accept header asks for: the aggregated one when it is listed. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    if (params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList') {
      if (params.get('v') === 'v2') return 'v2';
      if (params.get('v') === 'v2beta1') return 'v2beta1';
    }
  }
  return undefined;
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return version === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1;
}

interface SubresourceInfo {
  name: string;
  verbs: string[];
  group: string;
  version: string;
  kind: string;
}

function subresourcesOf(type: ResourceType): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  if (type.subresources.scale) out.push({ name: 'scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1', kind: 'Scale' });
  if (type.subresources.status) out.push({ name: 'status', verbs: ['get', 'patch', 'update'], group: type.group, version: type.version, kind: type.kind });
  for (const s of type.otherSubresources ?? []) out.push({ name: s.name, verbs: s.verbs, group: s.group ?? type.group, version: s.version ?? type.version, kind: s.kind });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `/api`: the core group's versions. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

/** `/apis`: every named group and its versions, preferred first. */
export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = registry.groups().filter((g) => g.group !== '').map((g) => groupEntry(g.group, g.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/apis/{group}`, or undefined when no such group is served. */
export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const found = registry.groups().find((g) => g.group === group && group !== '');
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found.group, found.versions) } : undefined;
}

/** `/api/v1` or `/apis/{group}/{version}`: the resources and subresources of one group version. */
export function resourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.typesOf(group, version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of [...types].sort((a, b) => a.plural.localeCompare(b.plural))) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories?.length ? { categories: t.categories } : {}),
    });
    for (const s of subresourcesOf(t)) {
      resources.push({
        name: `${t.plural}/${s.name}`,
        singularName: '',
        namespaced: t.namespaced,
        ...(s.group !== t.group || s.version !== t.version ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  const groupVersion = group ? `${group}/${version}` : version;
  return group ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources } : { kind: 'APIResourceList', groupVersion, resources };
}

/** `/api` (core only) or `/apis` (named groups) in the aggregated dialect. */
export function aggregated(registry: ResourceRegistry, core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const items = registry
    .groups()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry
          .typesOf(g.group, v)
          .sort((a, b) => a.plural.localeCompare(b.plural))
          .map((t) => ({
            resource: t.plural,
            responseKind: { group: t.group, version: t.version, kind: t.kind },
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: t.singular,
            verbs: t.verbs,
            ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
            ...(t.categories?.length ? { categories: t.categories } : {}),
            ...(subresourcesOf(t).length
              ? { subresources: subresourcesOf(t).map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs })) }
              : {}),
          })),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
