// SPDX-License-Identifier: Apache-2.0
// The seed's model server as a pod: Seldon's image runs as `seldon-lab serve`, becomes Ready by
// Seldon's own tcpSocket probe (on the sandbox clock), answers the seed's request on its pod IP,
// and stops gracefully (preStop hook, SIGTERM) when the pod is deleted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refs } from '../apiserver/api.js';
import { condition, containerStatus, startKubeletCluster, waitFor, type KubeletCluster } from './testing/cluster.js';
import { irisPodSpec } from './testing/iris-pod.js';

let c: KubeletCluster;
beforeAll(async () => {
  // The clock lessons use: Seldon's 20 s readiness delay is 0.4 s.
  c = await startKubeletCluster({ timeScale: 0.02 });
});
afterAll(async () => {
  await c?.stop();
});

it("serves the seed's prediction from Seldon's sklearnserver image", async () => {
  await c.createPod('iris', irisPodSpec());
  const pod = await c.waitForPod('iris', 'Ready', (p) => condition(p, 'Ready')?.status === 'True', 30_000);
  expect(containerStatus(pod, 'classifier')).toMatchObject({ image: 'docker.io/seldonio/sklearnserver:1.11.0', ready: true, restartCount: 0 });
  const podIP = (pod.status as { podIP: string }).podIP;
  const res = await fetch(`http://${podIP}:9000/api/v1.0/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: { ndarray: [[1, 2, 3, 4]] } }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { names: string[]; ndarray: number[][] } };
  expect(body.data.names).toEqual(['t:0', 't:1', 't:2']);
  const expected = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447];
  body.data.ndarray[0].forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-12));

  const pids = c.kubelet.pids({ namespace: 'default', name: 'iris' });
  await c.api.delete(refs.pods, 'default', 'iris');
  await waitFor('the pod to be gone', async () => (await c.pod('iris')) === undefined, 20_000);
  const events = await c.events('iris');
  expect(events).toContain('Killing: Stopping container classifier');
  await waitFor('the server process to be gone', () => pids.every((pid) => { try { process.kill(pid, 0); return false; } catch { return true; } }));
});
