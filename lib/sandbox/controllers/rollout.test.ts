// SPDX-License-Identifier: Apache-2.0
// The rollout arithmetic, against the cases of upstream's deployment/util tests.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { deploymentComplete, maxSurge, maxUnavailable, newReplicaSetReplicas, resolveFenceposts, scaledValue } from './rollout.js';

function d(replicas: number, rollingUpdate?: Record<string, unknown>, type = 'RollingUpdate'): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1 }, spec: { replicas, strategy: { type, rollingUpdate } } };
}
function rs(name: string, replicas: number): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name }, spec: { replicas } };
}

describe('rollout arithmetic', () => {
  it('scales percentages of the replica count, rounding surge up and unavailability down', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue(2, 10, true)).toBe(2);
    expect(scaledValue('5', 10, true)).toBe(5);
    expect(() => scaledValue('lots', 10, true)).toThrowError(/must be an integer or a percentage/);
  });

  it('defaults to 25%/25% and never lets both fenceposts be zero', () => {
    expect(resolveFenceposts(d(4))).toEqual({ maxSurge: 1, maxUnavailable: 1 });
    expect(resolveFenceposts(d(1))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(resolveFenceposts(d(3, { maxSurge: 0, maxUnavailable: 0 }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(maxUnavailable(d(2, { maxUnavailable: 5 }))).toBe(2); // capped at replicas
    expect(maxSurge(d(4, undefined, 'Recreate'))).toBe(0);
    expect(maxUnavailable(d(4, undefined, 'Recreate'))).toBe(0);
  });

  it('grows the new ReplicaSet only into the room maxSurge leaves', () => {
    // 10 replicas, surge 3: old has 10, new 0 -> new may go to 3.
    const deploy = d(10, { maxSurge: 3, maxUnavailable: 2 });
    const old = rs('old', 10);
    const fresh = rs('new', 0);
    expect(newReplicaSetReplicas(deploy, [old, fresh], fresh)).toBe(3);
    // Already at 13 pods in total: no room.
    expect(newReplicaSetReplicas(deploy, [old, rs('new', 3)], rs('new', 3))).toBe(3);
    // Old scaled down to 5, new at 8: 13 pods, still no room.
    const grown = rs('new', 8);
    expect(newReplicaSetReplicas(deploy, [rs('old', 5), grown], grown)).toBe(8);
    // Old down to 2: room for 3 more, but never above replicas.
    expect(newReplicaSetReplicas(deploy, [rs('old', 2), grown], grown)).toBe(10);
    // Recreate: all at once.
    expect(newReplicaSetReplicas(d(4, undefined, 'Recreate'), [fresh], fresh)).toBe(4);
  });

  it('calls a rollout complete only when every replica is updated, exists and is available at the latest generation', () => {
    const deploy = d(3);
    expect(deploymentComplete(deploy, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 })).toBe(true);
    expect(deploymentComplete(deploy, { replicas: 4, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 })).toBe(false);
    expect(deploymentComplete(deploy, { replicas: 3, updatedReplicas: 3, availableReplicas: 2, observedGeneration: 1 })).toBe(false);
    expect(deploymentComplete({ ...deploy, metadata: { ...deploy.metadata, generation: 2 } }, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 })).toBe(false);
  });
});
