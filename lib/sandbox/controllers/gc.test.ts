// SPDX-License-Identifier: Apache-2.0
// The garbage collector, on the cases of upstream's test/e2e/apimachinery/garbage_collector.go
// and test/integration/garbagecollector: the three propagation policies, dangling and
// cross-namespace owners, owners being deleted next to valid ones, and dependency cycles.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../apiserver/types.js';
import { configMap, deployment, eventually, find, listOf, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

const MERGE = 'application/merge-patch+json';
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const ownerRef = (owner: KubeObject, block = true): OwnerReference => ({
  apiVersion: owner.apiVersion, kind: owner.kind, name: String(owner.metadata.name), uid: String(owner.metadata.uid), blockOwnerDeletion: block,
});
const cm = (name: string) => find(cluster!.api, refs.configmaps, 'default', name);
const gone = (what: string, get: () => Promise<KubeObject | undefined>) => eventually(`${what} to be gone`, async () => (await get()) === undefined);

/** An owner ConfigMap and `n` dependents naming it. */
async function family(owner: string, n: number, block = true): Promise<KubeObject> {
  const o = await cluster!.api.create(refs.configmaps, configMap(owner));
  for (let i = 0; i < n; i++) {
    await cluster!.api.create(refs.configmaps, configMap(`${owner}-dep-${i}`, 'default', { ownerReferences: [ownerRef(o, block)] }));
  }
  return o;
}

describe('garbage collector', () => {
  it('Background: the owner goes at once, then its dependents', async () => {
    cluster = await startTestCluster();
    await family('owner', 3);
    await cluster.api.delete(refs.configmaps, 'default', 'owner', { propagationPolicy: 'Background' });
    expect(await cm('owner')).toBeUndefined();
    for (let i = 0; i < 3; i++) await gone(`owner-dep-${i}`, () => cm(`owner-dep-${i}`));
  });

  it('Foreground: the owner stays, with foregroundDeletion, until its blocking dependents are gone', async () => {
    cluster = await startTestCluster();
    const owner = await family('owner', 2);
    // One dependent holds on through a finalizer of its own, as a pod with a slow shutdown would.
    const holder = await cluster.api.create(refs.configmaps, configMap('holder', 'default', {
      ownerReferences: [ownerRef(owner)], finalizers: ['example.com/hold'],
    }));
    await cluster.api.delete(refs.configmaps, 'default', 'owner', { propagationPolicy: 'Foreground' });

    await gone('the free dependents', async () => (await cm('owner-dep-0')) ?? (await cm('owner-dep-1')));
    const waiting = await eventually('the holder to be terminating', async () => {
      const h = await cm('holder');
      return h?.metadata.deletionTimestamp ? h : undefined;
    });
    const stillThere = await cm('owner');
    expect(stillThere?.metadata.deletionTimestamp).toBeDefined();
    expect(stillThere?.metadata.finalizers).toContain('foregroundDeletion');

    await cluster.api.patch(refs.configmaps, 'default', 'holder', { metadata: { finalizers: null, resourceVersion: waiting.metadata.resourceVersion } }, MERGE);
    await gone('the owner', () => cm('owner'));
    expect(holder.metadata.uid).toBeDefined();
  });

  it('Foreground does not wait for dependents without blockOwnerDeletion, but still deletes them', async () => {
    cluster = await startTestCluster();
    const owner = await cluster.api.create(refs.configmaps, configMap('owner'));
    await cluster.api.create(refs.configmaps, configMap('loose', 'default', { ownerReferences: [ownerRef(owner, false)], finalizers: ['example.com/hold'] }));
    await cluster.api.delete(refs.configmaps, 'default', 'owner', { propagationPolicy: 'Foreground' });
    await gone('the owner', () => cm('owner'));
    await eventually('the loose dependent to be terminating', async () => (await cm('loose'))?.metadata.deletionTimestamp !== undefined);
  });

  it('Orphan: the dependents stay, without the owner in their ownerReferences', async () => {
    cluster = await startTestCluster();
    const owner = await family('owner', 2);
    const other = await cluster.api.create(refs.configmaps, configMap('other'));
    await cluster.api.patch(refs.configmaps, 'default', 'owner-dep-0', { metadata: { ownerReferences: [ownerRef(owner), ownerRef(other)] } }, MERGE);

    await cluster.api.delete(refs.configmaps, 'default', 'owner', { propagationPolicy: 'Orphan' });
    await gone('the owner', () => cm('owner'));
    const dep0 = await cm('owner-dep-0');
    const dep1 = await cm('owner-dep-1');
    expect(dep0?.metadata.ownerReferences).toEqual([ownerRef(other)]);
    expect(dep1?.metadata.ownerReferences).toBeUndefined();
    expect(owner.metadata.uid).not.toBe(other.metadata.uid);
  });

  it('collects dependents of an owner uid that never existed (dangling)', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.configmaps, configMap('orphaned', 'default', {
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }],
    }));
    await gone('the dependent of a ghost', () => cm('orphaned'));
  });

  it('collects a dependent whose owner has the right name but another uid (the owner was re-created)', async () => {
    cluster = await startTestCluster();
    const first = await cluster.api.create(refs.configmaps, configMap('owner'));
    await cluster.api.delete(refs.configmaps, 'default', 'owner');
    await cluster.api.create(refs.configmaps, configMap('owner'));
    await cluster.api.create(refs.configmaps, configMap('dep', 'default', { ownerReferences: [ownerRef(first)] }));
    await gone('the dependent of the old owner', () => cm('dep'));
    expect(await cm('owner')).toBeDefined();
  });

  it('treats an owner in another namespace as absent', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const owner = await cluster.api.create(refs.configmaps, configMap('owner', 'other'));
    await cluster.api.create(refs.configmaps, configMap('dep', 'default', { ownerReferences: [ownerRef(owner)] }));
    await gone('the cross-namespace dependent', () => cm('dep'));
    expect(await find(cluster.api, refs.configmaps, 'other', 'owner')).toBeDefined();
  });

  it('keeps a dependent that still has a valid owner, dropping only the reference to the one being deleted', async () => {
    cluster = await startTestCluster();
    const going = await cluster.api.create(refs.configmaps, configMap('going'));
    const staying = await cluster.api.create(refs.configmaps, configMap('staying'));
    await cluster.api.create(refs.configmaps, configMap('shared', 'default', { ownerReferences: [ownerRef(going), ownerRef(staying)] }));
    await cluster.api.delete(refs.configmaps, 'default', 'going', { propagationPolicy: 'Foreground' });
    await gone('the foreground owner', () => cm('going'));
    const shared = await cm('shared');
    expect(shared?.metadata.ownerReferences).toEqual([ownerRef(staying)]);
    expect(shared?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('is not blocked by a dependency cycle (a owns b owns c owns a)', async () => {
    cluster = await startTestCluster();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => cluster!.api.create(refs.configmaps, configMap(n))));
    const own = (name: string, owner: KubeObject) =>
      cluster!.api.patch(refs.configmaps, 'default', name, { metadata: { ownerReferences: [ownerRef(owner)] } }, MERGE);
    await own('b', a);
    await own('c', b);
    await own('a', c);
    await cluster.api.delete(refs.configmaps, 'default', 'a', { propagationPolicy: 'Foreground' });
    for (const name of ['a', 'b', 'c']) await gone(name, () => cm(name));
  });

  it('follows custom resources too, from types defined after it started (a SeldonDeployment owning its children)', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.crds, {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'models.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'models', singular: 'model', kind: 'Model', listKind: 'ModelList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const models = { group: 'example.com', version: 'v1', plural: 'models' };
    const model = await eventually('the new type to be served', () =>
      cluster!.api.create(models, { apiVersion: 'example.com/v1', kind: 'Model', metadata: { name: 'iris', namespace: 'default' } }));
    await cluster.api.create(refs.deployments, { ...deployment('iris', 1), metadata: { name: 'iris', namespace: 'default', ownerReferences: [{ ...ownerRef(model), controller: true }] } });
    await cluster.api.create(refs.configmaps, configMap('iris-config', 'default', { ownerReferences: [ownerRef(model)] }));
    await eventually('the pod', async () => (await listOf(cluster!.api, refs.pods)).length === 1);

    await cluster.api.delete(models, 'default', 'iris');
    await gone('the configmap', () => cm('iris-config'));
    await eventually('the deployment, its ReplicaSet and pod to be gone', async () =>
      (await listOf(cluster!.api, refs.deployments)).length === 0 &&
      (await listOf(cluster!.api, refs.replicasets)).length === 0 &&
      (await listOf(cluster!.api, refs.pods)).length === 0);
  });

  it('deletes the ReplicaSets and pods of a deleted Deployment; with Orphan keeps them, unowned', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 2));
    await eventually('2 pods', async () => (await listOf(cluster!.api, refs.pods)).filter((p) => p.metadata.labels?.app === 'web').length === 2);
    await cluster.api.delete(refs.deployments, 'default', 'web');
    await eventually('no ReplicaSet and no pod left', async () =>
      (await listOf(cluster!.api, refs.replicasets)).length === 0 && (await listOf(cluster!.api, refs.pods)).length === 0);

    await cluster.api.create(refs.deployments, deployment('kept', 2));
    await eventually('2 ready pods', async () => (await listOf(cluster!.api, refs.pods)).filter((p) => (p.status as { phase?: string }).phase === 'Running').length === 2);
    await cluster.api.delete(refs.deployments, 'default', 'kept', { propagationPolicy: 'Orphan' });
    await gone('the deployment', () => find(cluster!.api, refs.deployments, 'default', 'kept'));
    const [rs] = await eventually('the orphaned ReplicaSet', async () => {
      const all = await listOf(cluster!.api, refs.replicasets);
      return all.length === 1 && all[0].metadata.ownerReferences === undefined ? all : undefined;
    });
    expect(rs.spec).toMatchObject({ replicas: 2 });
    expect(await listOf(cluster.api, refs.pods)).toHaveLength(2);
  });

  it('Foreground on a Deployment: it waits for its ReplicaSet, which waits for its pods', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 2));
    await eventually('2 pods', async () => (await listOf(cluster!.api, refs.pods)).length === 2);
    await cluster.api.delete(refs.deployments, 'default', 'web', { propagationPolicy: 'Foreground' });
    const seen = await eventually('the deployment waiting in the foreground', async () => {
      const d = await find(cluster!.api, refs.deployments, 'default', 'web');
      return d === undefined ? 'gone' : d.metadata.finalizers?.includes('foregroundDeletion') ? 'waiting' : undefined;
    });
    expect(['waiting', 'gone']).toContain(seen);
    await gone('the deployment', () => find(cluster!.api, refs.deployments, 'default', 'web'));
    expect(await listOf(cluster.api, refs.replicasets)).toHaveLength(0);
    expect(await listOf(cluster.api, refs.pods)).toHaveLength(0);
  });
});
