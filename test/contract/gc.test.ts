// SPDX-License-Identifier: Apache-2.0
// Garbage collection, as the conformance suite checks it (test/e2e/apimachinery/garbage_collector.go):
// DeleteOptions.propagationPolicy Background, Foreground and Orphan on objects linked by
// ownerReferences, a dependency circle, a dependent with one owner gone and one alive, and the
// ReplicaSets a Deployment creates. Owners and dependents are ConfigMaps where the case is about
// the collector itself: the garbage collector follows ownerReferences of any kind.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Deployment, type V1OwnerReference } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { eventually, failure } from './support.js';

let cluster: ContractCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
let ns: string;

beforeAll(async () => {
  cluster = await startContractCluster('gc');
  core = cluster.kc.makeApiClient(CoreV1Api);
  apps = cluster.kc.makeApiClient(AppsV1Api);
  ns = cluster.namespace;
});
afterAll(async () => {
  await cluster?.stop();
});

/** A finalizer of our own: an object carrying it is not removed until the test takes it off. */
const HOLD = 'contract.seldon-lab.dev/hold';

const ownerRef = (owner: V1ConfigMap, block = false): V1OwnerReference => ({
  apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...(block ? { blockOwnerDeletion: true } : {}),
});

function createConfigMap(name: string, owners: V1OwnerReference[] = [], finalizers?: string[]): Promise<V1ConfigMap> {
  return core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, ownerReferences: owners, finalizers } } });
}

/** The object, or undefined once it is gone (404). */
async function readConfigMap(name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ name, namespace: ns });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

const gone = (name: string) => eventually(async () => (await readConfigMap(name)) === undefined, 20_000, `configmap ${name} to be deleted`);

async function release(name: string): Promise<void> {
  await core.patchNamespacedConfigMap({ name, namespace: ns, body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

describe('garbage collector (conformance: garbage_collector.go)', () => {
  it('should delete dependents when the owner is deleted in the background (the default)', async () => {
    const owner = await createConfigMap('bg-owner');
    await createConfigMap('bg-dep-1', [ownerRef(owner)]);
    await createConfigMap('bg-dep-2', [ownerRef(owner, true)]);
    await core.deleteNamespacedConfigMap({ name: 'bg-owner', namespace: ns });
    // Background: the owner goes at once, the collector removes the dependents afterwards.
    expect(await readConfigMap('bg-owner')).toBeUndefined();
    await gone('bg-dep-1');
    await gone('bg-dep-2');
  });

  it('should orphan dependents if the deleteOptions say so', async () => {
    const owner = await createConfigMap('orphan-owner');
    await createConfigMap('orphan-dep', [ownerRef(owner)]);
    await core.deleteNamespacedConfigMap({ name: 'orphan-owner', namespace: ns, propagationPolicy: 'Orphan' });
    await gone('orphan-owner');
    // The dependent stays, and no longer names the owner.
    const dependent = await eventually(async () => {
      const read = await readConfigMap('orphan-dep');
      return read && (read.metadata?.ownerReferences ?? []).length === 0 ? read : undefined;
    }, 20_000, 'the orphan to lose its ownerReference');
    expect(dependent.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('should keep the owner around until all its blocking dependents are deleted if the deleteOptions say so (foreground)', async () => {
    const owner = await createConfigMap('fg-owner');
    // The held dependent cannot disappear until we release it, so the foreground wait is visible.
    await createConfigMap('fg-dep-held', [ownerRef(owner, true)], [HOLD]);
    await createConfigMap('fg-dep-free', [ownerRef(owner, true)]);
    await core.deleteNamespacedConfigMap({ name: 'fg-owner', namespace: ns, propagationPolicy: 'Foreground' });

    const waiting = await readConfigMap('fg-owner');
    expect(waiting?.metadata?.deletionTimestamp).toBeDefined();
    expect(waiting?.metadata?.finalizers).toContain('foregroundDeletion');
    await gone('fg-dep-free');
    const held = await eventually(async () => {
      const read = await readConfigMap('fg-dep-held');
      return read?.metadata?.deletionTimestamp ? read : undefined;
    }, 20_000, 'the collector to delete the held dependent');
    expect(held.metadata?.finalizers).toEqual([HOLD]);
    // Still waiting for the held dependent.
    expect((await readConfigMap('fg-owner'))?.metadata?.deletionTimestamp).toBeDefined();

    await release('fg-dep-held');
    await gone('fg-dep-held');
    await gone('fg-owner');
  });

  it('should not be blocked by dependency circle', async () => {
    const one = await createConfigMap('circle-1');
    const two = await createConfigMap('circle-2', [ownerRef(one, true)]);
    const three = await createConfigMap('circle-3', [ownerRef(two, true)]);
    await core.patchNamespacedConfigMap(
      { name: 'circle-1', namespace: ns, body: { metadata: { ownerReferences: [ownerRef(three, true)] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'circle-1', namespace: ns });
    await gone('circle-1');
    await gone('circle-2');
    await gone('circle-3');
  });

  it('should not delete dependents that have both a valid owner and an owner waiting for dependents to be deleted', async () => {
    const deleting = await createConfigMap('two-owners-deleting');
    const alive = await createConfigMap('two-owners-alive');
    await createConfigMap('two-owners-dep', [ownerRef(deleting, true), ownerRef(alive)]);
    await core.deleteNamespacedConfigMap({ name: 'two-owners-deleting', namespace: ns, propagationPolicy: 'Foreground' });
    await gone('two-owners-deleting');
    // The dependent survives: it still has a living owner. Only the deleted owner's reference is removed.
    const dependent = await readConfigMap('two-owners-dep');
    expect(dependent?.metadata?.deletionTimestamp).toBeUndefined();
    expect(dependent?.metadata?.ownerReferences?.map((r) => r.name)).toEqual(['two-owners-alive']);
  });

  it('treats an ownerReference whose uid does not match as an absent owner', async () => {
    await createConfigMap('uid-owner');
    await createConfigMap('uid-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'uid-owner', uid: '00000000-0000-4000-8000-000000000000' }]);
    // The named owner exists, but it is not *this* owner: the dependent is collected.
    await gone('uid-dep');
    expect(await readConfigMap('uid-owner')).toBeDefined();
  });
});

describe('garbage collector and Deployments (conformance: garbage_collector.go)', () => {
  const deployment = (name: string): V1Deployment => ({
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } },
    },
  });

  async function replicaSetsOf(name: string) {
    const list = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: `app=${name}` });
    return list.items;
  }

  it('should delete RS created by deployment when not orphaning', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('gc-deploy') });
    const [rs] = await eventually(async () => {
      const sets = await replicaSetsOf('gc-deploy');
      return sets.length > 0 ? sets : undefined;
    }, 20_000, 'the Deployment controller to create a ReplicaSet');
    expect(rs.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gc-deploy', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }),
    ]);
    await apps.deleteNamespacedDeployment({ name: 'gc-deploy', namespace: ns });
    await eventually(async () => (await replicaSetsOf('gc-deploy')).length === 0, 20_000, 'the ReplicaSet to be collected');
    await eventually(async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=gc-deploy' })).items.length === 0, 30_000, 'the pods to be collected');
  });

  it('should orphan RS created by deployment when deleteOptions.PropagationPolicy is Orphan', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('gc-orphan') });
    await eventually(async () => (await replicaSetsOf('gc-orphan')).length > 0, 20_000, 'the Deployment controller to create a ReplicaSet');
    await apps.deleteNamespacedDeployment({ name: 'gc-orphan', namespace: ns, propagationPolicy: 'Orphan' });
    await eventually(async () => (await failure(apps.readNamespacedDeployment({ name: 'gc-orphan', namespace: ns }))).code === 404, 20_000, 'the Deployment to go');
    const [rs] = await eventually(async () => {
      const sets = await replicaSetsOf('gc-orphan');
      return sets.length === 1 && (sets[0].metadata?.ownerReferences ?? []).length === 0 ? sets : undefined;
    }, 20_000, 'the ReplicaSet to be orphaned');
    expect(rs.metadata?.deletionTimestamp).toBeUndefined();
    // Clean up what we orphaned.
    await apps.deleteNamespacedReplicaSet({ name: rs.metadata!.name!, namespace: ns });
  });
});
