// SPDX-License-Identifier: Apache-2.0
// The whole chain of a real cluster: Deployment → ReplicaSet → Pods (controllers), Pods → the
// node (scheduler), Pods → processes whose readiness decides the Deployment's status (kubelet).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refs } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { condition, startKubeletCluster, waitFor, type KubeletCluster } from './testing/cluster.js';

let c: KubeletCluster;
beforeAll(async () => {
  c = await startKubeletCluster();
});
afterAll(async () => {
  await c?.stop();
});

const deploymentStatus = async () => ((await c.api.get(refs.deployments, 'default', 'web')).status ?? {}) as { availableReplicas?: number; readyReplicas?: number; replicas?: number };
const webPods = async () => (await c.api.list(refs.pods, { namespace: 'default', labelSelector: 'app=web' })).items;

it('rolls a Deployment out only as fast as its pods become Ready, and stops them when it scales down', async () => {
  await c.api.create(refs.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'web',
            image: 'busybox',
            command: ['sh', '-c', 'mkdir -p /www; hostname > /www/index.html; httpd -f -p 8080 -h /www'],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          }],
        },
      },
    },
  });
  await waitFor('two available replicas', async () => (await deploymentStatus()).availableReplicas === 2, 20_000);
  const pods = await webPods();
  expect(pods.map((p) => (p.spec as { nodeName?: string }).nodeName)).toEqual([c.kubelet.nodeName, c.kubelet.nodeName]);
  expect(pods.every((p: KubeObject) => condition(p, 'Ready')?.status === 'True')).toBe(true);
  for (const pod of pods) {
    const ip = (pod.status as { podIP: string }).podIP;
    expect(await (await fetch(`http://${ip}:8080/`)).text()).toBe(`${pod.metadata.name}\n`);
  }

  await c.api.patch(refs.deployments, 'default', 'web', { spec: { replicas: 1 } }, 'application/merge-patch+json');
  await waitFor('one pod left', async () => (await webPods()).length === 1, 20_000);
  await c.api.patch(refs.deployments, 'default', 'web', { spec: { replicas: 0 } }, 'application/merge-patch+json');
  await waitFor('no pod left', async () => (await webPods()).length === 0, 20_000);
  await waitFor('no process left', () => c.kubelet.pids().length === 0);
});
