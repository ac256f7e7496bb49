// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { findCondition, type Condition } from './objects.js';
import { configMap, deployment, eventually, find, listOf, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

const MERGE = 'application/merge-patch+json';
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const widgets = { group: 'example.com', version: 'v1', plural: 'widgets' };
const widgetCrd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

async function namespaceWithContent(name: string): Promise<void> {
  const api = cluster!.api;
  await api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await api.create(refs.deployments, { ...deployment('web', 2), metadata: { name: 'web', namespace: name } });
  await api.create(refs.configmaps, configMap('settings', name));
  await api.create(refs.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  await eventually('the pods', async () => (await listOf(api, refs.pods, name)).length === 2);
}

describe('namespace controller', () => {
  it('deletes everything in a deleted namespace, of every type, then the namespace itself', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.crds, widgetCrd);
    await namespaceWithContent('demo');
    await cluster.api.create(widgets, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' } });

    const marked = await cluster.api.delete(refs.namespaces, undefined, 'demo');
    expect((marked?.status as { phase: string }).phase).toBe('Terminating');
    await eventually('the namespace to be gone', async () => (await find(cluster!.api, refs.namespaces, undefined, 'demo')) === undefined);
    for (const ref of [refs.deployments, refs.replicasets, refs.pods, refs.services, refs.endpoints, refs.configmaps, widgets]) {
      expect(await listOf(cluster.api, ref, 'demo'), ref.plural).toEqual([]);
    }
    // Other namespaces are untouched.
    expect(await find(cluster.api, refs.namespaces, undefined, 'default')).toBeDefined();
  });

  it('waits for content held by finalizers, and says so in its conditions', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    await cluster.api.create(refs.configmaps, configMap('stuck', 'held', { finalizers: ['example.com/hold'] }));
    await cluster.api.delete(refs.namespaces, undefined, 'held');

    const ns = await eventually('the remaining-content conditions', async () => {
      const got = await find(cluster!.api, refs.namespaces, undefined, 'held');
      const conditions = (got?.status as { conditions?: Condition[] } | undefined)?.conditions;
      return findCondition(conditions, 'NamespaceFinalizersRemaining')?.status === 'True' ? got : undefined;
    });
    const conditions = (ns.status as { conditions: Condition[] }).conditions;
    expect(findCondition(conditions, 'NamespaceContentRemaining')).toMatchObject({
      status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances',
    });
    expect(findCondition(conditions, 'NamespaceFinalizersRemaining')).toMatchObject({
      reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect(findCondition(conditions, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered' });
    expect((ns.spec as { finalizers: string[] }).finalizers).toEqual(['kubernetes']);

    const stuck = await cluster.api.get(refs.configmaps, 'held', 'stuck');
    await cluster.api.patch(refs.configmaps, 'held', 'stuck', { metadata: { finalizers: null, resourceVersion: stuck.metadata.resourceVersion } }, MERGE);
    await eventually('the namespace to be gone', async () => (await find(cluster!.api, refs.namespaces, undefined, 'held')) === undefined);
  });
});
