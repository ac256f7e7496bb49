// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { crdVerdict, deploymentVerdict, kubernetesMinor, loadBalancerAddress, nodeVerdict, podVerdict, rolloutVerdict } from './readiness.js';

const deployment = (status: object, generation = 2, replicas = 1) => ({ metadata: { name: 'd', generation }, spec: { replicas }, status });

describe('deploymentVerdict', () => {
  it('is ready when the newest spec is rolled out and every replica is available', () => {
    expect(deploymentVerdict(deployment({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }))).toEqual({ ready: true, summary: '1/1 ready' });
  });

  it('is not ready while the controller has not seen the newest spec', () => {
    expect(deploymentVerdict(deployment({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 })).ready).toBe(false);
  });

  it('is not ready while old pods still run beside new ones, or too few are available', () => {
    expect(deploymentVerdict(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 })).ready).toBe(false);
    expect(deploymentVerdict(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }, 2, 2))).toEqual({ ready: false, summary: '1/2 ready' });
    expect(deploymentVerdict(undefined)).toEqual({ ready: false, summary: 'not created yet' });
  });

  it('gives up when the rollout exceeded its progress deadline', () => {
    const v = deploymentVerdict(deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "d-1" has timed out progressing.' }] }));
    expect(v.blocked).toContain('has timed out progressing');
  });
});

describe('podVerdict and rolloutVerdict', () => {
  const waiting = (reason: string, message?: string) => ({ metadata: { name: 'op-1' }, status: { phase: 'Pending', containerStatuses: [{ name: 'operator', state: { waiting: { reason, message } } }] } });

  it('says a missing image will not fix itself, and what to do', () => {
    const v = podVerdict(waiting('ErrImageNeverPull', 'Container image "seldon-lab/operator:0.1.0" is not present'));
    expect(v.ready).toBe(false);
    expect(v.blocked).toContain('op-1, container operator: ErrImageNeverPull (Container image "seldon-lab/operator:0.1.0" is not present)');
    expect(v.blocked).toContain('npm run cluster:up');
  });

  it('waits through ContainerCreating and reports readiness from the Ready condition', () => {
    expect(podVerdict(waiting('ContainerCreating'))).toEqual({ ready: false, summary: 'op-1: ContainerCreating' });
    expect(podVerdict({ metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toEqual({ ready: true, summary: 'p: ready' });
  });

  it('explains a Deployment that is not ready by its pods, and stops waiting for a hopeless one', () => {
    const d = deployment({ observedGeneration: 2, replicas: 1, updatedReplicas: 1 });
    expect(rolloutVerdict(d, [waiting('ContainerCreating')])).toEqual({ ready: false, summary: '0/1 ready; op-1: ContainerCreating' });
    expect(rolloutVerdict(d, [waiting('CrashLoopBackOff')]).blocked).toContain('kubectl logs --previous');
  });
});

describe('crdVerdict, nodeVerdict, loadBalancerAddress, kubernetesMinor', () => {
  it('reads CRD conditions', () => {
    expect(crdVerdict(undefined)).toEqual({ ready: false, summary: 'not installed' });
    expect(crdVerdict({ status: { conditions: [{ type: 'Established', status: 'True' }] } }).ready).toBe(true);
    expect(crdVerdict({ status: { conditions: [{ type: 'Established', status: 'False' }] } }).ready).toBe(false);
    expect(crdVerdict({ metadata: { name: 'x' }, status: { conditions: [{ type: 'NamesAccepted', status: 'False', message: '"sdep" is already in use' }] } }).blocked).toBe('x: "sdep" is already in use');
  });

  it('reads node readiness', () => {
    expect(nodeVerdict(undefined).ready).toBe(false);
    expect(nodeVerdict({ metadata: { name: 'seldon-lab' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toEqual({ ready: true, summary: 'seldon-lab Ready' });
  });

  it('finds a LoadBalancer address only when one is assigned', () => {
    expect(loadBalancerAddress({ status: { loadBalancer: {} } })).toBeUndefined();
    expect(loadBalancerAddress({ status: { loadBalancer: { ingress: [{ ip: '10.0.0.7' }] } } })).toBe('10.0.0.7');
    expect(loadBalancerAddress({ status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }] } } })).toBe('lb.example');
  });

  it('reads the minor version of Kubernetes, pre-releases included', () => {
    expect(kubernetesMinor('v1.31.2')).toBe(31);
    expect(kubernetesMinor('v1.25.0-rc.1')).toBe(25);
    expect(kubernetesMinor('v2.0.0')).toBeUndefined();
    expect(kubernetesMinor(undefined)).toBeUndefined();
  });
});
