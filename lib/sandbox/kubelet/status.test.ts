// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { mergeConditions, podConditions, podPhase, qosClass, type ContainerState, type ContainerStatus } from './status.js';

const pod = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const status = (name: string, state: ContainerState, lastState: ContainerState = {}, ready = false): ContainerStatus => ({
  name, state, lastState, ready, restartCount: 0, image: 'busybox', imageID: '',
});
const running: ContainerState = { running: { startedAt: 't' } };
const exited = (exitCode: number): ContainerState => ({ terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: 't' } });
const waiting = (reason: string): ContainerState => ({ waiting: { reason } });

describe('podPhase', () => {
  const one = pod({ containers: [{ name: 'a' }] });
  it('is Pending until every container has started', () => {
    expect(podPhase(one, [], [status('a', waiting('ContainerCreating'))])).toBe('Pending');
    expect(podPhase(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), [], [status('a', running), status('b', waiting('ErrImagePull'))])).toBe('Pending');
  });

  it('is Running while a container runs or restarts', () => {
    expect(podPhase(one, [], [status('a', running)])).toBe('Running');
    expect(podPhase(one, [], [status('a', waiting('CrashLoopBackOff'), exited(1))])).toBe('Running');
  });

  it('follows the restart policy once every container has stopped', () => {
    expect(podPhase(pod({ containers: [{ name: 'a' }], restartPolicy: 'Never' }), [], [status('a', exited(0))])).toBe('Succeeded');
    expect(podPhase(pod({ containers: [{ name: 'a' }], restartPolicy: 'Never' }), [], [status('a', exited(2))])).toBe('Failed');
    expect(podPhase(pod({ containers: [{ name: 'a' }], restartPolicy: 'OnFailure' }), [], [status('a', exited(2))])).toBe('Running');
  });

  it('stays Pending while init containers run, and fails under Never when one fails', () => {
    const withInit = (restartPolicy: string) => pod({ initContainers: [{ name: 'i' }], containers: [{ name: 'a' }], restartPolicy });
    expect(podPhase(withInit('Always'), [status('i', running)], [status('a', waiting('PodInitializing'))])).toBe('Pending');
    expect(podPhase(withInit('Always'), [status('i', waiting('CrashLoopBackOff'), exited(1))], [status('a', waiting('PodInitializing'))])).toBe('Pending');
    expect(podPhase(withInit('Never'), [status('i', exited(1))], [status('a', waiting('PodInitializing'))])).toBe('Failed');
  });
});

describe('podConditions', () => {
  it('says which containers are not ready or not initialized', () => {
    const p = pod({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] });
    const conditions = podConditions(p, 'Pending', true, [status('init', running)], [status('a', waiting('PodInitializing')), status('b', waiting('PodInitializing'))]);
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['PodReadyToStartContainers', 'True', undefined, undefined],
      ['Initialized', 'False', 'ContainersNotInitialized', 'containers with incomplete status: [init]'],
      ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [a b]'],
      ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [a b]'],
    ]);
  });

  it('is Ready when every container is, unless a readiness gate says otherwise', () => {
    const statuses = [status('a', running, {}, true)];
    expect(podConditions(pod({ containers: [{ name: 'a' }] }), 'Running', true, [], statuses).find((c) => c.type === 'Ready')?.status).toBe('True');
    const gated = podConditions(pod({ containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'example.com/lb' }] }), 'Running', true, [], statuses);
    expect(gated.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });
  });

  it('marks a completed pod PodCompleted', () => {
    const conditions = podConditions(pod({ containers: [{ name: 'a' }], restartPolicy: 'Never' }), 'Succeeded', true, [], [status('a', exited(0))]);
    expect(conditions.find((c) => c.type === 'ContainersReady')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('moves lastTransitionTime only when a status flips, and keeps conditions it does not own', () => {
    const before = [
      { type: 'Ready', status: 'False' as const, lastProbeTime: null, lastTransitionTime: 'T1' },
      { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: 'T0' },
    ];
    const same = mergeConditions(before, [{ type: 'Ready', status: 'False', lastProbeTime: null, reason: 'ContainersNotReady' }], 'T2');
    expect(same.map((c) => [c.type, c.lastTransitionTime])).toEqual([['Ready', 'T1'], ['PodScheduled', 'T0']]);
    const flipped = mergeConditions(before, [{ type: 'Ready', status: 'True', lastProbeTime: null }], 'T2');
    expect(flipped[0].lastTransitionTime).toBe('T2');
  });
});

it('computes the QoS class', () => {
  expect(qosClass(pod({ containers: [{ name: 'a' }] }))).toBe('BestEffort');
  expect(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] }))).toBe('Burstable');
  expect(qosClass(pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('Guaranteed');
});
