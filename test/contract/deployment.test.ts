// SPDX-License-Identifier: Apache-2.0
// Deployments, as the conformance suite checks them (test/e2e/apps/deployment.go): "should run the
// lifecycle of a Deployment" (create, become available, patch, list by label, update and patch
// status, delete the collection) and "should validate Deployment Status endpoints" (get, update
// and patch /status), plus the /scale subresource that `kubectl scale` uses. On the sandbox, pods
// are marked Ready when scheduled (kwok's pod-ready stage); on a real cluster they run busybox.
import {
  AppsV1Api, PatchStrategy, setHeaderOptions,
  type V1Deployment, type V1DeploymentCondition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { eventually, recordWatch, retryOnConflict } from './support.js';

let cluster: ContractCluster;
let apps: AppsV1Api;
let ns: string;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
  cluster = await startContractCluster('deploy');
  apps = cluster.kc.makeApiClient(AppsV1Api);
  ns = cluster.namespace;
});
afterAll(async () => {
  await cluster?.stop();
});

const deployment = (name: string, labels: Record<string, string>, replicas = 1): V1Deployment => ({
  metadata: { name, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } },
  },
});

/** What `kubectl rollout status` checks: the new generation is observed and every replica is updated and available. */
function rolledOut(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && s.readyReplicas === want;
}

const condition = (d: V1Deployment, type: string): V1DeploymentCondition | undefined => d.status?.conditions?.find((c) => c.type === type);

describe('Deployment (conformance: test/e2e/apps/deployment.go)', () => {
  it('should run the lifecycle of a Deployment', async () => {
    const name = 'test-deployment';
    const labels = { 'test-deployment-static': 'true' };
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const watch = await recordWatch<V1Deployment>(cluster.kc, path, { labelSelector: 'test-deployment-static=true' });
    try {
      const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, labels) });
      // Server-set defaults that controllers diff against.
      expect(created.spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
      expect(created.spec?.revisionHistoryLimit).toBe(10);
      expect(created.spec?.progressDeadlineSeconds).toBe(600);
      expect(created.spec?.template.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
      expect(created.metadata?.generation).toBe(1);

      // Watch until it is available, as the e2e test does.
      await eventually(() => watch.events.some((e) => e.type !== 'DELETED' && rolledOut(e.object)), 60_000, 'the Deployment to roll out');
      const available = await apps.readNamespacedDeployment({ name, namespace: ns });
      expect(condition(available, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
      expect(condition(available, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
      expect(available.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

      // Patch: a label on the object, a new image and two replicas (a strategic merge patch, as kubectl sends).
      const patched = await apps.patchNamespacedDeployment({
        name, namespace: ns,
        body: { metadata: { labels: { 'test-deployment': 'patched' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37' }] } } } },
      }, strategic);
      expect(patched.metadata?.labels).toEqual({ ...labels, 'test-deployment': 'patched' });
      // The containers list is merged by name: the command survives the patch.
      expect(patched.spec?.template.spec?.containers).toEqual([expect.objectContaining({ name: 'main', image: 'busybox:1.37', command: ['sleep', '3600'] })]);
      expect(patched.metadata?.generation).toBe(2);
      const rolled = await eventually(async () => {
        const d = await apps.readNamespacedDeployment({ name, namespace: ns });
        return rolledOut(d) && d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' ? d : undefined;
      }, 60_000, 'the patched Deployment to roll out (revision 2)');
      expect(rolled.status?.replicas).toBe(2);

      // List by label.
      const listed = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'test-deployment-static=true' });
      expect(listed.items.map((d) => d.metadata?.name)).toEqual([name]);

      // Update status: add a condition.
      const added = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
      const updated = await retryOnConflict(async () => {
        const current = await apps.readNamespacedDeploymentStatus({ name, namespace: ns });
        current.status!.conditions = [...(current.status!.conditions ?? []), added];
        return apps.replaceNamespacedDeploymentStatus({ name, namespace: ns, body: current });
      });
      expect(condition(updated, 'StatusUpdate')).toMatchObject(added);

      // Patch status with a merge patch: it replaces the conditions list whole.
      const statusPatched = await apps.patchNamespacedDeploymentStatus({
        name, namespace: ns,
        body: { status: { conditions: [{ type: 'StatusPatched', status: 'True', reason: 'E2E', message: 'Patched from e2e test' }] } },
      }, merge);
      expect(statusPatched.status?.conditions?.map((c) => c.type)).toEqual(['StatusPatched']);
      // A /status write does not change the spec, nor the generation.
      expect(statusPatched.metadata?.generation).toBe(2);

      // Delete the collection by label.
      await apps.deleteCollectionNamespacedDeployment({ namespace: ns, labelSelector: 'test-deployment-static=true' });
      await eventually(() => watch.events.some((e) => e.type === 'DELETED' && e.object.metadata?.name === name), 30_000, 'the DELETED event');
      expect((await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'test-deployment-static=true' })).items).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('should validate Deployment Status endpoints', async () => {
    const name = 'status-endpoints';
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, { 'e2e': 'status' }) });
    await eventually(async () => rolledOut(await apps.readNamespacedDeployment({ name, namespace: ns })), 60_000, 'the Deployment to roll out');

    const status = await apps.readNamespacedDeploymentStatus({ name, namespace: ns });
    expect(status.kind).toBe('Deployment');
    expect(status.status?.readyReplicas).toBe(1);

    const updated = await retryOnConflict(async () => {
      const current = await apps.readNamespacedDeploymentStatus({ name, namespace: ns });
      current.status!.conditions = [...(current.status!.conditions ?? []), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }];
      // Changes outside .status are ignored by a /status update.
      current.spec!.replicas = 5;
      return apps.replaceNamespacedDeploymentStatus({ name, namespace: ns, body: current });
    });
    expect(condition(updated, 'StatusUpdate')?.status).toBe('True');
    expect(updated.spec?.replicas).toBe(1);

    // A Deployment's /status keeps the old spec and labels (its status strategy resets just those).
    const patched = await apps.patchNamespacedDeploymentStatus({ name, namespace: ns, body: { metadata: { labels: { patched: 'true' } }, status: { readyReplicas: 1 } } }, merge);
    expect(patched.metadata?.labels).toEqual({ e2e: 'status' });
    await apps.deleteNamespacedDeployment({ name, namespace: ns });
  });

  it('serves the /scale subresource (what kubectl scale uses)', async () => {
    const name = 'scaled';
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, { 'e2e': 'scale' }) });
    const scale = await apps.readNamespacedDeploymentScale({ name, namespace: ns });
    expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: ns }, spec: { replicas: 1 } });

    const replaced = await retryOnConflict(async () => {
      const current = await apps.readNamespacedDeploymentScale({ name, namespace: ns });
      current.spec = { replicas: 3 };
      return apps.replaceNamespacedDeploymentScale({ name, namespace: ns, body: current });
    });
    expect(replaced.spec?.replicas).toBe(3);
    const ready = await eventually(async () => {
      const s = await apps.readNamespacedDeploymentScale({ name, namespace: ns });
      return s.status?.replicas === 3 ? s : undefined;
    }, 60_000, 'status.replicas of the scale to reach 3');
    expect(ready.status?.selector).toBe(`app=${name}`);

    const patched = await apps.patchNamespacedDeploymentScale({ name, namespace: ns, body: { spec: { replicas: 1 } } }, merge);
    expect(patched.spec?.replicas).toBe(1);
    const read = await apps.readNamespacedDeployment({ name, namespace: ns });
    expect(read.spec?.replicas).toBe(1);
    expect(read.metadata?.generation).toBe(3);
    await apps.deleteNamespacedDeployment({ name, namespace: ns });
  });
});
