// SPDX-License-Identifier: Apache-2.0
// The bad days of a cluster, injected into the sandbox (lib/sandbox/faults.ts), and what a client
// built on client-node sees: an informer that resumes after its watch is dropped, a watch from a
// compacted resourceVersion that ends with ERROR 410 Expired and an informer that relists past
// it, and 409 / 429 (with Retry-After) answers a controller must retry. A real cluster offers no
// such switches, so these run only on the sandbox; on a live cluster they are skipped with the
// reason printed.
import { CoreV1Api, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE, skipReason, startContractCluster, type ContractCluster } from './cluster.js';
import { eventually, failure, recordWatch, unique } from './support.js';

let cluster: ContractCluster;
let core: CoreV1Api;
let ns: string;

const reason = skipReason('faults.test.ts');

beforeAll(async () => {
  if (LIVE) return;
  cluster = await startContractCluster('faults');
  core = cluster.kc.makeApiClient(CoreV1Api);
  ns = cluster.namespace;
});
afterAll(async () => {
  await cluster?.stop();
});

const names = (items: readonly V1ConfigMap[]) => items.map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt').sort();

describe.skipIf(reason !== undefined)('faults (sandbox only)', () => {
  it('an informer resumes from its last resourceVersion when its watch is dropped, without relisting', async () => {
    const label = unique('dropped');
    let lists = 0;
    const informer = makeInformer(cluster.kc, `/api/v1/namespaces/${ns}/configmaps`, () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: ns, labelSelector: `test=${label}` });
    }, `test=${label}`);
    const errors: unknown[] = [];
    informer.on('error', (error) => errors.push(error));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before', labels: { test: label } } } });
      await eventually(() => names(informer.list()).includes('before'), 10_000, 'the informer to see "before"');

      expect(cluster.sandbox!.faults.dropWatches()).toBeGreaterThanOrEqual(1);
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after', labels: { test: label } } } });
      await core.deleteNamespacedConfigMap({ name: 'before', namespace: ns });
      await eventually(() => names(informer.list()).join() === 'after', 10_000, 'the informer to see the changes made while it was reconnecting');
      // A clean end of the stream is a reconnect from the last resourceVersion, not an error and not a relist.
      expect(errors).toEqual([]);
      expect(lists).toBe(1);
    } finally {
      await informer.stop();
    }
  });

  it('a watch from a compacted resourceVersion gets 200, then one ERROR 410 Expired event, then the end', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'old-rv' } } });
    await core.deleteNamespacedConfigMap({ name: 'old-rv', namespace: ns });
    cluster.sandbox!.faults.compact();
    const watch = await recordWatch(cluster.kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: created.metadata!.resourceVersion });
    const event = await watch.next();
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect((event.object as { message?: string }).message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    await eventually(() => watch.ended(), 10_000, 'the server to end the watch');
    expect(watch.events).toHaveLength(1);
  });

  it('an informer relists after 410 and reports what vanished while it was away as deletions', async () => {
    const label = unique('relist');
    let lists = 0;
    const informer = makeInformer(cluster.kc, `/api/v1/namespaces/${ns}/configmaps`, () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: ns, labelSelector: `test=${label}` });
    }, `test=${label}`);
    const deleted: string[] = [];
    informer.on('delete', (cm) => deleted.push(cm.metadata!.name!));
    await informer.start();
    try {
      for (const name of ['stays', 'goes']) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { test: label } } } });
      await eventually(() => names(informer.list()).join() === 'goes,stays', 10_000, 'the informer to see both');

      // Hold the informer's re-watch back (a slow network) while an object is deleted and history
      // is compacted: it comes back with a resourceVersion that no longer exists, gets 410, and
      // must relist. The delete and the compaction take milliseconds; the hold is a second.
      cluster.sandbox!.faults.addLatency({ ms: 1000, verb: 'watch', count: 1 });
      cluster.sandbox!.faults.dropWatches();
      await core.deleteNamespacedConfigMap({ name: 'goes', namespace: ns });
      cluster.sandbox!.faults.compact();
      await eventually(() => names(informer.list()).join() === 'stays', 10_000, 'the informer to relist without "goes"');
      expect(deleted).toEqual(['goes']);
      expect(lists).toBe(2);
    } finally {
      await informer.stop();
    }
  });

  it('409 Conflict, injected: the client sees a Status it can switch on, and a retry succeeds', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'contended' }, data: { v: '1' } } });
    cluster.sandbox!.faults.failNext({ code: 409, verb: 'update', path: '/configmaps/contended' });
    const current = await core.readNamespacedConfigMap({ name: 'contended', namespace: ns });
    const failed = await failure(core.replaceNamespacedConfigMap({ name: 'contended', namespace: ns, body: { ...current, data: { v: '2' } } }));
    expect(failed.code).toBe(409);
    expect(failed.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    const retried = await core.replaceNamespacedConfigMap({ name: 'contended', namespace: ns, body: { ...current, data: { v: '2' } } });
    expect(retried.data).toEqual({ v: '2' });
  });

  it('429 TooManyRequests, injected: the client sees Retry-After, and a retry after it succeeds', async () => {
    cluster.sandbox!.faults.failNext({ code: 429, verb: 'list', path: `/namespaces/${ns}/configmaps`, retryAfterSeconds: 2, count: 2 });
    const first = await failure(core.listNamespacedConfigMap({ namespace: ns }));
    expect(first.code).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect(first.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 2 } });
    expect((await failure(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(429);
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    expect(names(list.items)).toContain('contended');
  });
});
