// SPDX-License-Identifier: Apache-2.0
// The status from what exists: Creating while Deployments roll out, Available once they are ready,
// Failed with the reason when a pod cannot start (a bad modelUri, an image that cannot be pulled).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { defaultOperatorConfig } from './config.js';
import { render } from './render.js';
import { computeStatus, deploymentReady, failedStatus, podProblem, type ObservedState } from './status.js';
import { sampleManifest, stored } from './testing/fixtures.js';

const config = defaultOperatorConfig();
const sdep = stored(sampleManifest());
const desired = render(sdep, config);
const NOW = '2026-01-01T00:00:00Z';
const LATER = '2026-01-01T00:05:00Z';

function deployment(status: V1Deployment['status'], generation = 1): V1Deployment {
  const d = structuredClone(desired.deployments[0]);
  d.metadata!.generation = generation;
  d.status = status;
  return d;
}

const rolledOut = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 };

function pod(status: V1Pod['status']): V1Pod {
  return { metadata: { name: 'iris-model-default-0-classifier-abc-x1', labels: desired.deployments[0].spec!.template.metadata!.labels }, status };
}

function observed(d: V1Deployment | undefined, pods: V1Pod[] = []): ObservedState {
  return {
    deployments: new Map(d ? [[d.metadata!.name!, d]] : []),
    services: new Set(desired.services.map((s) => s.metadata!.name!)),
    pods,
  };
}

describe('deploymentReady: as kubectl rollout status decides', () => {
  it('is ready when every replica is updated and available', () => {
    expect(deploymentReady(deployment(rolledOut))).toBe(true);
  });
  it('is not ready while the controller has not seen the latest spec', () => {
    expect(deploymentReady(deployment(rolledOut, 2))).toBe(false);
  });
  it('is not ready while old replicas remain or new ones are unavailable', () => {
    expect(deploymentReady(deployment({ ...rolledOut, replicas: 2 }))).toBe(false);
    expect(deploymentReady(deployment({ ...rolledOut, availableReplicas: 0, unavailableReplicas: 1 }))).toBe(false);
    expect(deploymentReady(deployment({}))).toBe(false);
  });
});

describe('podProblem: why a pod will not start by itself', () => {
  it('reports a failed storage initializer with the last line of its message', () => {
    const problem = podProblem(pod({
      initContainerStatuses: [{
        name: 'classifier-model-initializer', image: 'i', imageID: '', ready: false, restartCount: 0,
        state: { terminated: { exitCode: 1, reason: 'Error', message: '  downloading\nseldon-lab storage-init: gs://seldon-models/nope: not found\n' } },
      }],
    }));
    expect(problem).toBe('init container "classifier-model-initializer" of pod iris-model-default-0-classifier-abc-x1 failed (exit code 1): seldon-lab storage-init: gs://seldon-models/nope: not found');
  });

  it('reports a crash loop with the last termination message', () => {
    const problem = podProblem(pod({
      initContainerStatuses: [{
        name: 'classifier-model-initializer', image: 'i', imageID: '', ready: false, restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, message: 'Failed to copy: directory not found' } },
      }],
    }));
    expect(problem).toBe('init container "classifier-model-initializer" of pod iris-model-default-0-classifier-abc-x1 failed (exit code 1): Failed to copy: directory not found');
  });

  it('points at the logs when the container left no termination message', () => {
    const problem = podProblem({ ...pod({
      initContainerStatuses: [{
        name: 'classifier-model-initializer', image: 'i', imageID: '', ready: false, restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1 } },
      }],
    }), metadata: { name: 'p-1', namespace: 'seldon' } });
    expect(problem).toBe('init container "classifier-model-initializer" of pod p-1 failed (exit code 1): see kubectl logs -n seldon p-1 -c classifier-model-initializer');
  });

  it('reports an image that cannot be pulled, in the same words while the kubelet keeps trying', () => {
    const waiting = (reason: string, message: string) => podProblem(pod({
      containerStatuses: [{ name: 'classifier', image: 'seldonio/sklearnserver:9.9', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }],
    }));
    const problem = waiting('ImagePullBackOff', 'Back-off pulling image "seldonio/sklearnserver:9.9"');
    expect(problem).toBe('container "classifier" of pod iris-model-default-0-classifier-abc-x1 cannot pull its image "seldonio/sklearnserver:9.9"');
    expect(waiting('ErrImagePull', 'rpc error: code = NotFound')).toBe(problem);
  });

  it('says the same while a crash loops between terminated and waiting', () => {
    const message = 'seldon-lab storage-init: not found';
    const terminated = podProblem(pod({ initContainerStatuses: [{ name: 'init', image: 'i', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 1, message } } }] }));
    const waiting = podProblem(pod({ initContainerStatuses: [{ name: 'init', image: 'i', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } }, lastState: { terminated: { exitCode: 1, message } } }] }));
    expect(waiting).toBe(terminated);
  });

  it('says nothing about a pod that is merely starting', () => {
    expect(podProblem(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'x', image: 'i', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] }))).toBeUndefined();
    expect(podProblem(pod({ containerStatuses: [{ name: 'x', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }))).toBeUndefined();
  });
});

describe('computeStatus', () => {
  it('is Creating while the Deployment rolls out', () => {
    const status = computeStatus(sdep, desired, observed(deployment({ replicas: 1, updatedReplicas: 1, unavailableReplicas: 1, observedGeneration: 1 })), NOW);
    expect(status.state).toBe('Creating');
    expect(status.description).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    expect(status.observedGeneration).toBe(1);
  });

  it('is Available, with Seldon\'s fields, once it is ready', () => {
    const status = computeStatus(sdep, desired, observed(deployment(rolledOut)), NOW);
    expect(status).toMatchObject({
      state: 'Available',
      replicas: 1,
      address: { url: 'http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions' },
      deploymentStatus: { 'iris-model-default-0-classifier': { replicas: 1, availableReplicas: 1 } },
      serviceStatus: {
        'iris-model-default': { svcName: 'iris-model-default', httpEndpoint: 'iris-model-default.seldon:8000' },
        'iris-model-default-classifier': { svcName: 'iris-model-default-classifier', httpEndpoint: 'iris-model-default-classifier.seldon:9000' },
      },
      observedGeneration: 1,
    });
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual([['DeploymentsReady', 'True'], ['Ready', 'True'], ['ServicesReady', 'True']]);
  });

  it('is Failed, with the pod\'s reason, when the storage initializer fails', () => {
    const failing = pod({ initContainerStatuses: [{ name: 'classifier-model-initializer', image: 'i', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 1, message: 'not found' } } }] });
    const status = computeStatus(sdep, desired, observed(deployment({ replicas: 1, updatedReplicas: 1, unavailableReplicas: 1, observedGeneration: 1 }), [failing]), NOW);
    expect(status.state).toBe('Failed');
    expect(status.description).toBe('Deployment iris-model-default-0-classifier: init container "classifier-model-initializer" of pod iris-model-default-0-classifier-abc-x1 failed (exit code 1): not found');
    expect(status.deploymentStatus!['iris-model-default-0-classifier']).toMatchObject({ status: 'Failed' });
  });

  it('keeps a condition\'s lastTransitionTime while its status stays, so an unchanged world writes nothing', () => {
    const first = computeStatus(sdep, desired, observed(deployment(rolledOut)), NOW);
    const again = computeStatus({ ...sdep, status: first }, desired, observed(deployment(rolledOut)), LATER);
    expect(again).toEqual(first);
  });

  it('keeps what it knew when the spec becomes invalid, and says why in description', () => {
    const available = computeStatus(sdep, desired, observed(deployment(rolledOut)), NOW);
    const failed = failedStatus({ ...sdep, status: available }, 'spec: Invalid value: "x": Invalid protocol', 'InternalError', LATER);
    expect(failed).toMatchObject({ state: 'Failed', description: 'spec: Invalid value: "x": Invalid protocol', address: available.address });
    expect(failed.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InternalError', lastTransitionTime: LATER });
  });
});
