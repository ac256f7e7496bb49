// SPDX-License-Identifier: Apache-2.0
// Deployment -> ReplicaSet -> Pods, end to end on the in-memory API with every controller
// running. Mirrors test/e2e/apps/deployment.go: lifecycle, rolling update, Recreate, scaling,
// revision history clean-up, and the status `kubectl rollout status` reads.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { NODE_NAME } from './index.js';
import { findCondition, type Condition } from './objects.js';
import { deployment, eventually, find, listOf, quiet, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

const MERGE = 'application/merge-patch+json';
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const statusOf = (d: KubeObject) => (d.status ?? {}) as Record<string, number | undefined> & { conditions?: Condition[] };
const replicaSetsOf = async (name: string) => (await listOf(cluster!.api, refs.replicasets)).filter((rs) => rs.metadata.name!.startsWith(`${name}-`));
const podsOf = async (name: string) => (await listOf(cluster!.api, refs.pods)).filter((p) => p.metadata.labels?.app === name);
const imageOf = (pod: KubeObject) => (pod.spec as { containers: { image: string }[] }).containers[0].image;

/** `kubectl rollout status`: exactly the checks it makes (kubectl/pkg/polymorphichelpers/rollout_status.go). */
function rolloutDone(d: KubeObject): boolean {
  const s = statusOf(d);
  const replicas = (d.spec as { replicas: number }).replicas;
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  if (findCondition(s.conditions, 'Progressing')?.reason === 'ProgressDeadlineExceeded') throw new Error('deployment exceeded its progress deadline');
  return (s.updatedReplicas ?? 0) >= replicas && (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
}

async function rolledOut(name: string): Promise<KubeObject> {
  return eventually(`deployment ${name} to roll out`, async () => {
    const d = await cluster!.api.get(refs.deployments, 'default', name);
    return rolloutDone(d) ? d : undefined;
  });
}

async function setImage(name: string, image: string): Promise<void> {
  const d = await cluster!.api.get(refs.deployments, 'default', name);
  const template = structuredClone((d.spec as { template: { spec: { containers: { image: string }[] } } }).template);
  template.spec.containers[0].image = image;
  await cluster!.api.patch(refs.deployments, 'default', name, { spec: { template } }, MERGE);
}

describe('Deployment controller', () => {
  it('creates a ReplicaSet <deployment>-<pod-template-hash> with its pods, and reports the rollout complete', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 3));
    const d = await rolledOut('web');

    const [rs] = await replicaSetsOf('web');
    const hash = rs.metadata.labels!['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs.spec).toMatchObject({ replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } } });
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });

    const pods = await podsOf('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true });
      expect(pod.metadata.labels).toMatchObject({ app: 'web', 'pod-template-hash': hash });
      expect((pod.spec as { nodeName: string }).nodeName).toBe(NODE_NAME);
      expect(pod.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1' });
      expect((pod.status as { podIP: string }).podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(findCondition((pod.status as { conditions: Condition[] }).conditions, 'Ready')?.status).toBe('True');
    }
    expect(new Set(pods.map((p) => (p.status as { podIP: string }).podIP)).size).toBe(3);

    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.metadata.generation).toBe(1);
    expect(statusOf(d)).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(statusOf(d).unavailableReplicas).toBeUndefined();
    expect(findCondition(statusOf(d).conditions, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(findCondition(statusOf(d).conditions, 'Progressing')).toMatchObject({
      status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
    });
  });

  it('rolls a new image out: a second ReplicaSet at revision 2, the old one scaled to 0, never above replicas + maxSurge', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 4));
    await rolledOut('web');
    const [first] = await replicaSetsOf('web');

    // Watch the ReplicaSets' sizes throughout: with 4 replicas and 25% surge, at most 5 pods are asked for.
    const sizes = new Map<string, number>();
    let peak = 0;
    const watch = cluster.api.watch(refs.replicasets, { namespace: 'default' }, (event) => {
      const rs = event.object as KubeObject;
      if (event.type === 'DELETED') sizes.delete(String(rs.metadata.name));
      else sizes.set(String(rs.metadata.name), (rs.spec as { replicas: number }).replicas);
      peak = Math.max(peak, [...sizes.values()].reduce((a, b) => a + b, 0));
    });
    await setImage('web', 'nginx:1.26');
    const d = await eventually('the new revision to roll out', async () => {
      const current = await cluster!.api.get(refs.deployments, 'default', 'web');
      return current.metadata.generation === 2 && rolloutDone(current) ? current : undefined;
    });
    watch.stop();

    const all = await replicaSetsOf('web');
    const second = all.find((rs) => rs.metadata.uid !== first.metadata.uid)!;
    expect(all).toHaveLength(2);
    expect(second.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(second.spec).toMatchObject({ replicas: 4 });
    expect((await cluster.api.get(refs.replicasets, 'default', first.metadata.name!)).spec).toMatchObject({ replicas: 0 });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(statusOf(d)).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(peak).toBeLessThanOrEqual(5);
    await eventually('only new pods', async () => {
      const pods = await podsOf('web');
      return pods.length === 4 && pods.every((p) => imageOf(p) === 'nginx:1.26');
    });
  });

  it('Recreate: the new ReplicaSet starts only after every old pod is gone', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('batch', 2, 'app:1', { strategy: { type: 'Recreate' } }));
    await rolledOut('batch');
    let overlap = false;
    const watch = cluster.api.watch(refs.pods, { namespace: 'default' }, () => {
      void podsOf('batch').then((pods) => {
        const images = new Set(pods.map(imageOf));
        if (images.size > 1) overlap = true;
      });
    });
    await setImage('batch', 'app:2');
    await eventually('app:2 rolled out', async () => {
      const d = await cluster!.api.get(refs.deployments, 'default', 'batch');
      const pods = await podsOf('batch');
      return d.metadata.generation === 2 && rolloutDone(d) && pods.length === 2 && pods.every((p) => imageOf(p) === 'app:2');
    });
    watch.stop();
    expect(overlap).toBe(false);
  });

  it('scales through /scale, up and down, by resizing the ReplicaSet', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 2));
    await rolledOut('web');
    const scale = (replicas: number) => cluster!.api.update(refs.deployments, {
      apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas },
    }, { subresource: 'scale' });

    await scale(5);
    await rolledOut('web');
    await eventually('5 pods', async () => (await podsOf('web')).length === 5);
    const [rs] = await replicaSetsOf('web');
    expect(rs.spec).toMatchObject({ replicas: 5 });
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('5');

    await scale(1);
    await eventually('1 pod left', async () => (await podsOf('web')).length === 1);
    const d = await rolledOut('web');
    expect(statusOf(d)).toMatchObject({ replicas: 1, availableReplicas: 1 });
    expect(await replicaSetsOf('web')).toHaveLength(1); // scaling is no rollout
  });

  it('recreates a deleted pod, under a new name', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 2));
    await rolledOut('web');
    const [victim, survivor] = await podsOf('web');
    await cluster.api.delete(refs.pods, 'default', victim.metadata.name!);
    const pods = await eventually('a replacement pod', async () => {
      const now = await podsOf('web');
      return now.length === 2 && !now.some((p) => p.metadata.name === victim.metadata.name) ? now : undefined;
    });
    expect(pods.map((p) => p.metadata.name)).toContain(survivor.metadata.name);
  });

  it('keeps at most revisionHistoryLimit old ReplicaSets', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 1, 'app:1', { revisionHistoryLimit: 1 }));
    await rolledOut('web');
    for (const [generation, image] of [[2, 'app:2'], [3, 'app:3'], [4, 'app:4']] as const) {
      await setImage('web', image);
      await eventually(`${image} rolled out`, async () => {
        const d = await cluster!.api.get(refs.deployments, 'default', 'web');
        return d.metadata.generation === generation && rolloutDone(d);
      });
    }
    const revisions = await eventually('old revisions cleaned up', async () => {
      const all = await replicaSetsOf('web');
      return all.length === 2 ? all.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort() : undefined;
    });
    expect(revisions).toEqual(['3', '4']);
  });

  it('without a kubelet running the pods: Pending, scheduled, unavailable, and ProgressDeadlineExceeded after the deadline', async () => {
    cluster = await startTestCluster({ readyPods: false });
    await cluster.api.create(refs.deployments, deployment('stuck', 2, 'nginx:1.25', { progressDeadlineSeconds: 1 }));
    const pods = await eventually('2 scheduled pods', async () => {
      const all = await podsOf('stuck');
      return all.length === 2 && all.every((p) => (p.spec as { nodeName?: string }).nodeName === NODE_NAME) ? all : undefined;
    });
    for (const pod of pods) {
      expect((pod.status as { phase: string }).phase).toBe('Pending');
      expect(findCondition((pod.status as { conditions: Condition[] }).conditions, 'PodScheduled')?.status).toBe('True');
    }
    const early = await cluster.api.get(refs.deployments, 'default', 'stuck');
    expect(findCondition(statusOf(early).conditions, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(statusOf(early)).toMatchObject({ replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 });

    const d = await eventually('the progress deadline', async () => {
      const current = await cluster!.api.get(refs.deployments, 'default', 'stuck');
      return findCondition(statusOf(current).conditions, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? current : undefined;
    }, 5_000);
    const rs = (await replicaSetsOf('stuck'))[0];
    expect(findCondition(statusOf(d).conditions, 'Progressing')).toMatchObject({ status: 'False', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
    expect(() => rolloutDone(d)).toThrowError(/exceeded its progress deadline/);
  });

  it('writes nothing when nothing changed', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.deployments, deployment('web', 3));
    await rolledOut('web');
    await quiet(cluster.controllers);
    const before = cluster.api.writes.length;

    // Touch every object without changing anything the controllers care about: each change
    // wakes the Deployment, ReplicaSet, endpoints and garbage-collector controllers up.
    const touch = { metadata: { labels: { touched: 'yes', app: 'web' } } };
    await cluster.api.patch(refs.deployments, 'default', 'web', touch, MERGE);
    for (const rs of await replicaSetsOf('web')) {
      await cluster.api.patch(refs.replicasets, 'default', rs.metadata.name!, { metadata: { labels: { touched: 'yes' } } }, MERGE);
    }
    for (const pod of await podsOf('web')) await cluster.api.patch(refs.pods, 'default', pod.metadata.name!, touch, MERGE);
    await quiet(cluster.controllers);
    const touches = 1 + 1 + 3;
    expect(cluster.api.writes.slice(before)).toHaveLength(touches);
  });

  it('retries after a Conflict and still converges', async () => {
    cluster = await startTestCluster();
    const { ApiError } = await import('../apiserver/status.js');
    const conflict = new ApiError(409, 'Conflict', 'Operation cannot be fulfilled on replicasets.apps "x": the object has been modified; please apply your changes to the latest version and try again');
    cluster.api.failNext('update', 'replicasets', conflict, 3);
    cluster.api.failNext('create', 'pods', new ApiError(500, 'InternalError', 'Internal error occurred: injected'), 2);
    await cluster.api.create(refs.deployments, deployment('web', 3));
    await rolledOut('web');
    expect(await podsOf('web')).toHaveLength(3);
    expect(await find(cluster.api, refs.deployments, 'default', 'web')).toBeDefined();
  });
});
