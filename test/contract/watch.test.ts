// SPDX-License-Identifier: Apache-2.0
// Watch, as Kubernetes' conformance suite checks it (test/e2e/apimachinery/watch.go, and the
// storage watcher tests): notifications for add, update and delete; starting from a given
// resourceVersion; resuming from the last one seen; ADDED/DELETED when an object starts or stops
// matching a label selector; and one order of events for every watcher. Run through client-node's
// Watch, the way the operator and the lessons watch.
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { eventually, recordWatch, unique, type WatchEvent } from './support.js';

let cluster: ContractCluster;
let core: CoreV1Api;
let path: string;

beforeAll(async () => {
  cluster = await startContractCluster('watch');
  core = cluster.kc.makeApiClient(CoreV1Api);
  path = `/api/v1/namespaces/${cluster.namespace}/configmaps`;
});
afterAll(async () => {
  await cluster?.stop();
});

const configMap = (name: string, labels: Record<string, string>, data: Record<string, string> = {}): V1ConfigMap => ({ metadata: { name, labels }, data });
const summary = (events: WatchEvent<V1ConfigMap>[]) => events.map((e) => ({ type: e.type, name: e.object.metadata?.name, mutation: e.object.data?.mutation }));

async function mutate(name: string, value: string): Promise<V1ConfigMap> {
  const current = await core.readNamespacedConfigMap({ name, namespace: cluster.namespace });
  current.data = { ...current.data, mutation: value };
  return core.replaceNamespacedConfigMap({ name, namespace: cluster.namespace, body: current });
}

describe('watch (conformance: test/e2e/apimachinery/watch.go)', () => {
  it('should observe add, update, and delete watch notifications on configmaps', async () => {
    const key = 'watch-this-configmap';
    const [a, b] = [unique('multiple-watchers-a'), unique('multiple-watchers-b')];
    const ns = cluster.namespace;
    const watchA = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `${key}=${a}` });
    const watchB = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `${key}=${b}` });
    const watchAB = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `${key} in (${a},${b})` });
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap('cm-a', { [key]: a }) });
      await mutate('cm-a', '1');
      await mutate('cm-a', '2');
      await core.deleteNamespacedConfigMap({ name: 'cm-a', namespace: ns });
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap('cm-b', { [key]: b }) });
      await core.deleteNamespacedConfigMap({ name: 'cm-b', namespace: ns });

      const aEvents = [
        { type: 'ADDED', name: 'cm-a', mutation: undefined },
        { type: 'MODIFIED', name: 'cm-a', mutation: '1' },
        { type: 'MODIFIED', name: 'cm-a', mutation: '2' },
        { type: 'DELETED', name: 'cm-a', mutation: '2' },
      ];
      const bEvents = [
        { type: 'ADDED', name: 'cm-b', mutation: undefined },
        { type: 'DELETED', name: 'cm-b', mutation: undefined },
      ];
      expect(summary(await watchA.take(4))).toEqual(aEvents);
      expect(summary(await watchB.take(2))).toEqual(bEvents);
      expect(summary(await watchAB.take(6))).toEqual([...aEvents, ...bEvents]);
      // Nothing more arrived for A than A's events (B's came after A's were all delivered).
      expect(watchA.events).toHaveLength(4);
    } finally {
      for (const w of [watchA, watchB, watchAB]) w.stop();
    }
  });

  it('should be able to start watching from a specific resource version', async () => {
    const ns = cluster.namespace;
    const label = unique('from-rv');
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('from-rv', { test: label }) });
    const first = await mutate('from-rv', '1');
    await mutate('from-rv', '2');
    await mutate('from-rv', '3');
    await core.deleteNamespacedConfigMap({ name: 'from-rv', namespace: ns });

    // Only what happened after the first mutation's resourceVersion is replayed.
    const watch = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}`, resourceVersion: first.metadata!.resourceVersion });
    try {
      const events = await watch.take(3);
      expect(summary(events)).toEqual([
        { type: 'MODIFIED', name: 'from-rv', mutation: '2' },
        { type: 'MODIFIED', name: 'from-rv', mutation: '3' },
        { type: 'DELETED', name: 'from-rv', mutation: '3' },
      ]);
      const rvs = events.map((e) => Number(e.object.metadata!.resourceVersion));
      expect(rvs[0]).toBeGreaterThan(Number(first.metadata!.resourceVersion));
    } finally {
      watch.stop();
    }
  });

  it('should be able to restart watching from the last resource version observed by the previous watch', async () => {
    const ns = cluster.namespace;
    const label = unique('restart');
    const first = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}` });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('restart', { test: label }) });
    await mutate('restart', '1');
    await mutate('restart', '2');
    const seen = await first.take(2);
    first.stop();
    expect(summary(seen)).toEqual([
      { type: 'ADDED', name: 'restart', mutation: undefined },
      { type: 'MODIFIED', name: 'restart', mutation: '1' },
    ]);

    // While nobody watches: one more change, and the delete.
    await mutate('restart', '3');
    await core.deleteNamespacedConfigMap({ name: 'restart', namespace: ns });

    const resumed = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}`, resourceVersion: seen[1].object.metadata!.resourceVersion });
    try {
      expect(summary(await resumed.take(3))).toEqual([
        { type: 'MODIFIED', name: 'restart', mutation: '2' },
        { type: 'MODIFIED', name: 'restart', mutation: '3' },
        { type: 'DELETED', name: 'restart', mutation: '3' },
      ]);
    } finally {
      resumed.stop();
    }
  });

  it('should observe an object deletion if it stops meeting the requirements of the selector', async () => {
    const ns = cluster.namespace;
    const key = 'watch-this-configmap';
    const value = unique('label-changed-and-restored');
    const watch = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `${key}=${value}` });
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap('selector', { [key]: value }) });
      await mutate('selector', '1');
      const relabel = async (to: string) => {
        const current = await core.readNamespacedConfigMap({ name: 'selector', namespace: ns });
        current.metadata!.labels = { [key]: to };
        await core.replaceNamespacedConfigMap({ name: 'selector', namespace: ns, body: current });
      };
      await relabel('wrong-value');
      await mutate('selector', '2'); // invisible: it does not match
      await relabel(value);
      await mutate('selector', '3');
      await core.deleteNamespacedConfigMap({ name: 'selector', namespace: ns });

      const events = await watch.take(6);
      expect(summary(events)).toEqual([
        { type: 'ADDED', name: 'selector', mutation: undefined },
        { type: 'MODIFIED', name: 'selector', mutation: '1' },
        // It stopped matching: the watcher is told it is gone.
        { type: 'DELETED', name: 'selector', mutation: '1' },
        // It matches again: it is new to the watcher, with the change made meanwhile.
        { type: 'ADDED', name: 'selector', mutation: '2' },
        { type: 'MODIFIED', name: 'selector', mutation: '3' },
        { type: 'DELETED', name: 'selector', mutation: '3' },
      ]);
      // kube-apiserver sends the object as it last matched, stamped with the resourceVersion of the
      // change that made it stop matching (cacher's convertToWatchEvent).
      expect(events[2].object.metadata?.labels).toEqual({ [key]: value });
      expect(Number(events[2].object.metadata?.resourceVersion)).toBeGreaterThan(Number(events[1].object.metadata?.resourceVersion));
    } finally {
      watch.stop();
    }
  });

  it('should receive events on concurrent watches in same order', async () => {
    const ns = cluster.namespace;
    const label = unique('order');
    const start = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const watches = await Promise.all(
      Array.from({ length: 4 }, () => recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}`, resourceVersion: start })),
    );
    try {
      // Writes from several clients at once, interleaving creates, updates and deletes.
      const writers = Array.from({ length: 3 }, async (_, w) => {
        for (let i = 0; i < 6; i++) {
          const name = `order-${w}-${i}`;
          await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { test: label }) });
          if (i % 2 === 0) await mutate(name, String(i));
          if (i % 3 === 0) await core.deleteNamespacedConfigMap({ name, namespace: ns });
        }
      });
      await Promise.all(writers);
      const total = 3 * (6 + 3 + 2);
      const key = (e: WatchEvent) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`;
      const sequences = await Promise.all(watches.map(async (w) => (await w.take(total)).map(key)));
      for (const sequence of sequences.slice(1)) expect(sequence).toEqual(sequences[0]);
      // One global order: resourceVersions only grow.
      const rvs = sequences[0].map((line) => Number(line.split(' ')[2]));
      expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
      expect(new Set(rvs).size).toBe(rvs.length);

      // A watch opened later from the same resourceVersion replays the very same sequence.
      const late = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}`, resourceVersion: start });
      try {
        expect((await late.take(total)).map(key)).toEqual(sequences[0]);
      } finally {
        late.stop();
      }
    } finally {
      for (const w of watches) w.stop();
    }
  });

  it('starts with a synthetic ADDED for each existing object when no resourceVersion is given', async () => {
    const ns = cluster.namespace;
    const label = unique('initial');
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('initial-1', { test: label }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('initial-2', { test: label }) });
    const watch = await recordWatch<V1ConfigMap>(cluster.kc, path, { labelSelector: `test=${label}` });
    try {
      const initial = await watch.take(2);
      expect(initial.map((e) => `${e.type} ${e.object.metadata?.name}`).sort()).toEqual(['ADDED initial-1', 'ADDED initial-2']);
      await core.deleteNamespacedConfigMap({ name: 'initial-1', namespace: ns });
      expect(summary([await watch.next()])).toEqual([{ type: 'DELETED', name: 'initial-1', mutation: undefined }]);
    } finally {
      watch.stop();
    }
  });

  it('ends a watch after timeoutSeconds', async () => {
    const watch = await recordWatch(cluster.kc, path, { labelSelector: `test=${unique('timeout')}`, timeoutSeconds: 1 });
    // The server closes the stream cleanly; client-node reports the end without an error.
    await eventually(() => watch.ended(), 10_000, 'the server to end the watch');
    expect(watch.error()).toBeUndefined();
    expect(watch.events).toEqual([]);
  });
});
