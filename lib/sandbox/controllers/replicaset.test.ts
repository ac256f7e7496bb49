// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { compareForDeletion } from './pods.js';
import { slowStartBatch } from './replicaset.js';
import { eventually, find, listOf, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

const MERGE = 'application/merge-patch+json';
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } } },
  };
}
function pod(name: string, status: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z', ...extra }, spec: { nodeName: 'n' }, status };
}
const ready = (since: string) => ({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] });
const podsOf = async (app: string) => (await listOf(cluster!.api, refs.pods)).filter((p) => p.metadata.labels?.app === app);

describe('ReplicaSet controller', () => {
  it('adopts a matching orphan pod instead of creating one, and releases a pod whose labels stop matching', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'rs' } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } });
    const rs = await cluster.api.create(refs.replicasets, replicaSet('rs', 2));
    const pods = await eventually('2 pods, the stray adopted', async () => {
      const all = await podsOf('rs');
      return all.length === 2 && all.every((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid) ? all : undefined;
    });
    expect(pods.map((p) => p.metadata.name)).toContain('stray');

    await cluster.api.patch(refs.pods, 'default', 'stray', { metadata: { labels: { app: 'debugging' } } }, MERGE);
    await eventually('the stray released and replaced', async () => {
      const stray = await find(cluster!.api, refs.pods, 'default', 'stray');
      return stray?.metadata.ownerReferences === undefined && (await podsOf('rs')).length === 2;
    });
  });

  it('scales down the least advanced pods first', () => {
    const pending = pod('pending', { phase: 'Pending' });
    const unscheduled = { ...pod('unscheduled', { phase: 'Pending' }), spec: {} };
    const notReady = pod('not-ready', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] });
    const readyLong = pod('ready-long', ready('2026-01-01T00:00:00Z'));
    const readyShort = pod('ready-short', ready('2026-01-01T01:00:00Z'));
    const restarted = pod('restarted', { ...ready('2026-01-01T00:00:00Z'), containerStatuses: [{ restartCount: 3 }] });
    const order = [readyLong, restarted, readyShort, notReady, pending, unscheduled].sort(compareForDeletion).map((p) => p.metadata.name);
    expect(order).toEqual(['unscheduled', 'pending', 'not-ready', 'ready-short', 'restarted', 'ready-long']);
  });

  it('creates in slow-start batches and stops after the first failing batch', async () => {
    let calls = 0;
    const result = await slowStartBatch(20, async () => {
      calls++;
      if (calls > 3) throw new Error('quota exceeded');
    });
    // Batches of 1, 2, then 4 (of which one fails): 7 attempts, not 20.
    expect(calls).toBe(7);
    expect(result.succeeded).toBe(3);
    expect((result.error as Error).message).toBe('quota exceeded');
    expect(await slowStartBatch(5, async () => {})).toEqual({ succeeded: 5 });
  });

  it('reports a rejected pod template as ReplicaFailure, and clears it when creation works again', async () => {
    cluster = await startTestCluster();
    const { errors } = await import('../apiserver/status.js');
    const refusal = errors.forbidden('pods "rs-" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10');
    cluster.api.failNext('create', 'pods', refusal, 1_000_000);
    await cluster.api.create(refs.replicasets, replicaSet('rs', 1));
    const failed = await eventually('the ReplicaFailure condition', async () => {
      const rs = await cluster!.api.get(refs.replicasets, 'default', 'rs');
      const cond = ((rs.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'ReplicaFailure');
      return cond;
    });
    expect(failed).toMatchObject({ status: 'True', reason: 'FailedCreate', message: refusal.message });
    cluster.api.clearFaults();
    await eventually('the pod, and the condition cleared', async () => {
      const rs = await cluster!.api.get(refs.replicasets, 'default', 'rs');
      return (await podsOf('rs')).length === 1 && (rs.status as { conditions?: unknown[] }).conditions === undefined;
    });
    const events = await listOf(cluster.api, refs.events);
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['FailedCreate', 'SuccessfulCreate']));
  });
});
