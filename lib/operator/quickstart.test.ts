// SPDX-License-Identifier: Apache-2.0
// The seed's Quick Start with real pods: the sandbox's process kubelet runs what the operator
// renders (the storage initializer copying the iris model to /mnt/models, then Seldon's SKLearn
// server image as the kit's model server), the readiness probe decides when it is Available, and
// the address in the status answers the seed's request with the seed's numbers. A modelUri that
// does not exist ends in Failed with the initializer's failure, not in an operator loop.
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubelet, type Kubelet } from '../sandbox/kubelet/index.js';
import { resolveServiceUrl, startNetwork, type Network } from '../sandbox/network/index.js';
import { startOperator, type Operator } from './controller.js';
import { sampleManifest } from './testing/fixtures.js';
import { startTestCluster, waitFor, type TestCluster } from './testing/sandbox-cluster.js';

let cluster: TestCluster;
let kubelet: Kubelet;
let network: Network;
let operator: Operator;

beforeAll(async () => {
  // The API server asks the kubelet for logs, and the kubelet needs the API server: a late binding.
  const late: { kubelet?: Kubelet } = {};
  cluster = await startTestCluster({ controllers: { kubelet: false }, logs: (pod, o) => late.kubelet!.logs(pod, o) });
  // The sandbox clock at 1/50: Seldon-sized probe periods and back-offs pass quickly.
  kubelet = late.kubelet = await startKubelet(cluster.sandbox.api, { timeScale: 0.02, apiServer: { host: '127.0.0.1', port: Number(new URL(cluster.sandbox.url).port) } });
  network = await startNetwork(cluster.sandbox.api);
  operator = startOperator({ kubeConfig: cluster.kc, log: () => {} });
});
afterAll(async () => {
  await operator?.stop();
  await network?.stop();
  await kubelet?.stop();
  await cluster?.stop();
});

describe('the seed\'s Quick Start on the sandbox, with real pods', () => {
  it('serves sample.yaml at the address in its status, with the seed\'s answer', async () => {
    await cluster.createSdep(sampleManifest());
    const status = await waitFor('iris-model to be Available', async () => {
      const s = (await cluster.getSdep('seldon', 'iris-model'))?.status;
      return s?.state === 'Available' && s;
    }, 60_000);
    // http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions, through the
    // predictor Service (8000) to the model container (9000).
    const url = await resolveServiceUrl(status.address!.url!);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { ndarray: [[1, 2, 3, 4]] } }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { names: string[]; ndarray: number[][] }; meta: { requestPath: Record<string, string> } };
    expect(body.data.names).toEqual(['t:0', 't:1', 't:2']);
    const seed = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447];
    body.data.ndarray[0].forEach((p, i) => expect(Math.abs(p - seed[i])).toBeLessThan(1e-12));
    expect(body.meta.requestPath).toEqual({ classifier: 'seldonio/sklearnserver:1.11.0' });
  });

  it('reports a modelUri that does not exist as Failed, naming the initializer, and then stays quiet', async () => {
    const sdep = sampleManifest();
    sdep.metadata.name = 'missing-model';
    sdep.spec.predictors[0].graph.modelUri = 'gs://seldon-models/does-not-exist';
    await cluster.createSdep(sdep);
    const status = await waitFor('missing-model to fail', async () => {
      const s = (await cluster.getSdep('seldon', 'missing-model'))?.status;
      return s?.state === 'Failed' && s;
    }, 60_000);
    expect(status.description).toMatch(/^Deployment missing-model-default-0-classifier: init container "classifier-model-initializer" of pod missing-model-default-0-classifier-\S+ failed \(exit code [1-9]\d*\): /);
    const pods = await cluster.core.listNamespacedPod({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=missing-model' });
    expect((pods.items[0] as V1Pod).status?.containerStatuses?.[0]?.ready ?? false).toBe(false);

    // The pod keeps failing (the kubelet restarts the initializer with back-off) but the status
    // says the same thing each time, so the operator writes nothing more.
    await operator.idle();
    const { writes } = operator.stats();
    operator.resync();
    await operator.idle();
    expect(operator.stats().writes).toBe(writes);
  });
});
