// SPDX-License-Identifier: Apache-2.0
// The operator against the sandbox cluster, through HTTPS and @kubernetes/client-node, as it runs
// against minikube: the seed's sample.yaml becomes Available, a deleted child comes back, invalid
// SeldonDeployments fail with Seldon's messages and recover when fixed, an idle reconcile writes
// nothing, deleting the SeldonDeployment collects its children, dropped watches and refused
// requests do not stop it, and of two replicas only the Lease holder works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { CoordinationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startOperator, type Operator } from './controller.js';
import { sampleManifest } from './testing/fixtures.js';
import { SELDON, startTestCluster, waitFor, writesIn, type TestCluster } from './testing/sandbox-cluster.js';
import type { SeldonDeployment } from './types.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function named(name: string, change: (s: SeldonDeployment) => void = () => {}): SeldonDeployment {
  const sdep = sampleManifest();
  sdep.metadata.name = name;
  change(sdep);
  return sdep;
}

async function stateOf(cluster: TestCluster, name: string, ns = 'seldon') {
  return (await cluster.getSdep(ns, name))?.status;
}

describe('the operator on the sandbox', () => {
  let cluster: TestCluster;
  let operator: Operator;
  const lines: string[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    operator = startOperator({ kubeConfig: cluster.kc, log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it('creates Seldon\'s children for sample.yaml and reports Available with the address', async () => {
    await cluster.createSdep(sampleManifest());
    const status = await waitFor('iris-model to be Available', async () => {
      const s = await stateOf(cluster, 'iris-model');
      return s?.state === 'Available' && s;
    });
    expect(status).toMatchObject({
      address: { url: 'http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions' },
      replicas: 1,
      observedGeneration: 1,
      deploymentStatus: { 'iris-model-default-0-classifier': { replicas: 1, availableReplicas: 1 } },
    });
    const d = await cluster.apps.readNamespacedDeployment({ namespace: 'seldon', name: 'iris-model-default-0-classifier' });
    expect(d.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'SeldonDeployment', name: 'iris-model', controller: true, blockOwnerDeletion: true });
    const services = await cluster.core.listNamespacedService({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=iris-model' });
    expect(services.items.map((s) => s.metadata?.name).sort()).toEqual(['iris-model-default', 'iris-model-default-classifier']);
    const mapping = await cluster.custom.getNamespacedCustomObject({ group: 'getambassador.io', version: 'v3alpha1', namespace: 'seldon', plural: 'mappings', name: 'seldon-seldon-iris-model-default-rest' });
    expect((mapping as { spec: unknown }).spec).toMatchObject({ prefix: '/seldon/seldon/iris-model/', service: 'iris-model-default.seldon:8000' });
    const events = await cluster.core.listNamespacedEvent({ namespace: 'seldon', fieldSelector: 'involvedObject.name=iris-model' });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['CreateDeployment', 'CreateService', 'Updated']));
    expect(lines).toContain('seldon/iris-model: created Deployment iris-model-default-0-classifier');
  });

  it('writes nothing when it reconciles an unchanged SeldonDeployment', async () => {
    await operator.idle();
    const before = operator.stats();
    const logged = cluster.requests.length;
    operator.resync();
    await operator.idle();
    const after = operator.stats();
    expect(after.reconciles).toBeGreaterThan(before.reconciles);
    expect(after.writes).toBe(before.writes);
    // The API server's own log agrees: no POST, PUT, PATCH or DELETE arrived meanwhile.
    expect(writesIn(cluster.requests.slice(logged))).toEqual([]);
  });

  it('restores a Deployment deleted by hand', async () => {
    const name = 'iris-model-default-0-classifier';
    const old = await cluster.apps.readNamespacedDeployment({ namespace: 'seldon', name });
    await cluster.apps.deleteNamespacedDeployment({ namespace: 'seldon', name });
    const restored = await waitFor('the Deployment to come back', async () => {
      const d = await cluster.apps.readNamespacedDeployment({ namespace: 'seldon', name }).catch(() => undefined);
      return d && d.metadata?.uid !== old.metadata?.uid && d;
    });
    expect(restored.spec?.template.spec?.containers[0].image).toBe('seldonio/sklearnserver:1.11.0');
    await waitFor('iris-model to be Available again', async () => (await stateOf(cluster, 'iris-model'))?.state === 'Available');
  });

  it('fails an unknown implementation with Seldon\'s message, creating nothing, and recovers once fixed', async () => {
    await cluster.createSdep(named('mlflow', (s) => (s.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER')));
    const status = await waitFor('mlflow to fail', async () => {
      const s = await stateOf(cluster, 'mlflow');
      return s?.state === 'Failed' && s;
    });
    expect(status.description).toBe('spec.predictors[0].graph: Invalid value: "classifier": No entry in predictors map for MLFLOW_SERVER');
    const children = await cluster.apps.listNamespacedDeployment({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=mlflow' });
    expect(children.items).toEqual([]);
    const events = await cluster.core.listNamespacedEvent({ namespace: 'seldon', fieldSelector: 'involvedObject.name=mlflow' });
    expect(events.items.filter((e) => e.type === 'Warning').map((e) => [e.reason, e.message])).toEqual([['InternalError', status.description]]);

    await cluster.custom.patchNamespacedCustomObject(
      { ...SELDON, namespace: 'seldon', name: 'mlflow', body: { spec: { predictors: [{ ...sampleManifest().spec.predictors[0] }] } } },
      mergePatch,
    );
    const fixed = await waitFor('mlflow to recover', async () => {
      const s = await stateOf(cluster, 'mlflow');
      return s?.state === 'Available' && s;
    });
    expect(fixed.description).toBeUndefined();
    expect(fixed.observedGeneration).toBe(2);
  });

  it('fails a node without implementation or container with Seldon\'s message', async () => {
    await cluster.createSdep(named('no-container', (s) => delete s.spec.predictors[0].graph.implementation));
    const status = await waitFor('no-container to fail', async () => {
      const s = await stateOf(cluster, 'no-container');
      return s?.state === 'Failed' && s;
    });
    expect(status.description).toBe('spec.predictors[0].graph: Invalid value: "classifier": Can\'t find container for Predictive Unit');
  });

  it('keeps working through dropped watches, lost history (410) and refused writes', async () => {
    cluster.sandbox.faults.dropWatches();
    cluster.sandbox.faults.compact();
    cluster.sandbox.faults.failNext({ verb: 'create', path: '/deployments', code: 500, count: 2 });
    cluster.sandbox.faults.failNext({ verb: 'patch', path: '/status', code: 409 });
    await cluster.createSdep(named('through-faults'));
    await waitFor('through-faults to be Available', async () => (await stateOf(cluster, 'through-faults'))?.state === 'Available');
    const deployments = await cluster.apps.listNamespacedDeployment({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=through-faults' });
    expect(deployments.items).toHaveLength(1);
  });

  it('leaves deletion to the garbage collector: the children go with the SeldonDeployment', async () => {
    await cluster.custom.deleteNamespacedCustomObject({ ...SELDON, namespace: 'seldon', name: 'iris-model' });
    await waitFor('iris-model\'s children to be collected', async () => {
      const [d, s, m] = await Promise.all([
        cluster.apps.listNamespacedDeployment({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=iris-model' }),
        cluster.core.listNamespacedService({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=iris-model' }),
        cluster.custom.listNamespacedCustomObject({ group: 'getambassador.io', version: 'v3alpha1', namespace: 'seldon', plural: 'mappings', labelSelector: 'seldon-deployment-id=iris-model' }) as Promise<{ items: unknown[] }>,
      ]);
      return d.items.length + s.items.length + m.items.length === 0;
    });
    // No finalizer held it back, as in Seldon.
    expect(await cluster.getSdep('seldon', 'iris-model')).toBeUndefined();
  });
});

describe('a model that cannot be loaded', () => {
  let cluster: TestCluster;
  let operator: Operator;

  beforeAll(async () => {
    // Pods stay Pending here; the test plays the kubelet's part and reports the initializer's failure.
    cluster = await startTestCluster({ controllers: { readyPods: false } });
    operator = startOperator({ kubeConfig: cluster.kc, log: () => {} });
  });
  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it('turns a failing storage initializer into Failed with its reason, without a reconcile loop', async () => {
    await cluster.createSdep(named('missing-model', (s) => (s.spec.predictors[0].graph.modelUri = 'gs://seldon-models/does-not-exist')));
    const pod = await waitFor('the model\'s pod', async () => {
      const pods = await cluster.core.listNamespacedPod({ namespace: 'seldon', labelSelector: 'seldon-deployment-id=missing-model' });
      return pods.items[0];
    });
    const message = 'downloading gs://seldon-models/does-not-exist\nseldon-lab storage-init: gs://seldon-models/does-not-exist: no such object in the model store\n';
    await cluster.core.patchNamespacedPodStatus(
      {
        namespace: 'seldon',
        name: pod.metadata!.name!,
        body: {
          status: {
            phase: 'Pending',
            initContainerStatuses: [{
              name: 'classifier-model-initializer', image: 'seldonio/rclone-storage-initializer:1.11.0', imageID: '', ready: false, restartCount: 2,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', message } },
            }],
          } satisfies V1Pod['status'],
        },
      },
      mergePatch,
    );
    const status = await waitFor('missing-model to fail', async () => {
      const s = await stateOf(cluster, 'missing-model');
      return s?.state === 'Failed' && s;
    });
    expect(status.description).toBe(
      `Deployment missing-model-default-0-classifier: init container "classifier-model-initializer" of pod ${pod.metadata!.name} failed (exit code 1): seldon-lab storage-init: gs://seldon-models/does-not-exist: no such object in the model store`,
    );
    // Failed is a state, not a loop: nothing more is written while nothing changes.
    await operator.idle();
    const { writes, failures } = operator.stats();
    operator.resync();
    await operator.idle();
    expect(operator.stats().writes).toBe(writes);
    expect(operator.stats().failures).toBe(failures);
  });
});

describe('two operator replicas and a Lease', () => {
  let cluster: TestCluster;
  const operators: Operator[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    for (const op of operators) await op.stop();
    await cluster?.stop();
  });

  it('lets only the leader work, and hands over when it stops', async () => {
    const election = { namespace: 'default', leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.2 };
    const a = startOperator({ kubeConfig: cluster.kc, log: () => {}, leaderElection: { ...election, identity: 'replica-a' } });
    operators.push(a);
    await waitFor('replica-a to lead', () => a.stats().leader);
    const b = startOperator({ kubeConfig: cluster.kc, log: () => {}, leaderElection: { ...election, identity: 'replica-b' } });
    operators.push(b);

    await cluster.createSdep(named('led'));
    await waitFor('led to be Available', async () => (await stateOf(cluster, 'led'))?.state === 'Available');
    expect(b.stats().leader).toBe(false);
    expect(b.stats().reconciles).toBe(0);
    const lease = await cluster.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: 'default', name: 'seldon-lab-operator' });
    expect(lease.spec?.holderIdentity).toBe('replica-a');

    await a.stop();
    await waitFor('replica-b to take over', () => b.stats().leader);
    await cluster.createSdep(named('after-handover'));
    await waitFor('after-handover to be Available', async () => (await stateOf(cluster, 'after-handover'))?.state === 'Available');
    expect(b.stats().reconciles).toBeGreaterThan(0);
  });
});

describe('faults during many creates and deletes', () => {
  let cluster: TestCluster;
  let operator: Operator | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it('converges: no orphans, no duplicates, every survivor Available', async () => {
    const { faults } = cluster.sandbox;
    const names = Array.from({ length: 50 }, (_, i) => `fault-${i}`);
    operator = startOperator({ kubeConfig: cluster.kc, log: () => {} });
    faults.failNext({ verb: 'create', path: '/deployments', code: 500, count: 5 });
    faults.failNext({ verb: 'patch', path: '/status', code: 409, count: 5 });
    faults.failNext({ verb: 'list', path: '/services', code: 429, count: 5 });
    for (const [i, name] of names.entries()) {
      await cluster.createSdep(named(name));
      if (i === 10 || i === 30) faults.dropWatches();
      if (i === 20) {
        // The operator is restarted mid-work: whatever it had in hand is picked up by the next one.
        await operator.stop();
        faults.compact();
        operator = startOperator({ kubeConfig: cluster.kc, log: () => {} });
      }
    }
    const doomed = names.filter((_, i) => i % 3 === 0);
    for (const name of doomed) await cluster.custom.deleteNamespacedCustomObject({ ...SELDON, namespace: 'seldon', name });
    const survivors = names.filter((n) => !doomed.includes(n));

    await waitFor('every survivor Available', async () => {
      const list = (await cluster.custom.listNamespacedCustomObject({ ...SELDON, namespace: 'seldon' })) as { items: SeldonDeployment[] };
      return survivors.every((n) => list.items.find((s) => s.metadata.name === n)?.status?.state === 'Available');
    }, 60_000);
    const count = async (labelSelector: string) => {
      const [d, s, m] = await Promise.all([
        cluster.apps.listNamespacedDeployment({ namespace: 'seldon', labelSelector }),
        cluster.core.listNamespacedService({ namespace: 'seldon', labelSelector }),
        cluster.custom.listNamespacedCustomObject({ group: 'getambassador.io', version: 'v3alpha1', namespace: 'seldon', plural: 'mappings', labelSelector }) as Promise<{ items: unknown[] }>,
      ]);
      return [d.items.length, s.items.length, m.items.length];
    };
    for (const name of survivors) expect(await count(`seldon-deployment-id=${name}`), name).toEqual([1, 2, 1]);
    await waitFor('the deleted ones\' children to be collected', async () => {
      for (const name of doomed) if ((await count(`seldon-deployment-id=${name}`)).some((n) => n > 0)) return false;
      return true;
    }, 30_000);
  });
});
