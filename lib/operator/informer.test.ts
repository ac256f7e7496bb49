// SPDX-License-Identifier: Apache-2.0
// The resilient informer against the sandbox API server: it hears adds, updates and deletes; it
// comes back after an error that client-node's own informer gives up on; it relists on schedule.
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { withKeepAlive } from './connection.js';
import { keepMetadataOnly, ResilientInformer } from './informer.js';
import { waitFor } from './testing/sandbox-cluster.js';

let sandbox: Sandbox;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  const loaded = new KubeConfig();
  loaded.loadFromFile(sandbox.kubeconfigPath);
  kc = withKeepAlive(loaded);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await sandbox?.stop();
});

function watchConfigMaps(seen: string[], logs: string[] = [], relistIntervalMs?: number, transform?: (obj: V1ConfigMap) => void): ResilientInformer<V1ConfigMap> {
  return new ResilientInformer<V1ConfigMap>(
    kc,
    { what: 'ConfigMaps', path: '/api/v1/namespaces/default/configmaps', list: () => core.listNamespacedConfigMap({ namespace: 'default' }) },
    (obj, change) => seen.push(`${change} ${obj.metadata?.name}`),
    { log: (line) => logs.push(line), relistIntervalMs, transform },
  );
}

const configMap = (name: string, value = '1') => ({ metadata: { name }, data: { value } });

describe('ResilientInformer', () => {
  it('lists what exists, then hears adds, updates and deletes', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('before') });
    const seen: string[] = [];
    const informer = watchConfigMaps(seen);
    informer.start();
    try {
      await waitFor('the first list', () => informer.hasSynced() && seen.includes('add before'));
      await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after') });
      await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'after', body: configMap('after', '2') });
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'after' });
      await waitFor('add, update and delete of "after"', () => ['add after', 'update after', 'delete after'].every((e) => seen.includes(e)));
    } finally {
      informer.stop();
    }
  });

  it('watches again after an error that client-node\'s informer would stop on', async () => {
    const seen: string[] = [];
    const logs: string[] = [];
    const informer = watchConfigMaps(seen, logs);
    informer.start();
    try {
      await waitFor('the first list', () => informer.hasSynced());
      // The current watch ends, and the next watch request fails with 500: client-node reports
      // the error and stops; the wrapper waits a moment and watches again.
      sandbox.faults.failNext({ verb: 'watch', path: '/configmaps', code: 500 });
      sandbox.faults.dropWatches();
      await waitFor('the failure to be reported', () => logs.some((l) => l.startsWith('watch of ConfigMaps failed')));
      await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after-error') });
      await waitFor('the change after the error', () => seen.includes('add after-error'));
    } finally {
      informer.stop();
    }
  });

  it('lists everything again on schedule, delivering each object once more', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('relisted') });
    const seen: string[] = [];
    const informer = watchConfigMaps(seen, [], 300);
    informer.start();
    try {
      await waitFor('two lists', () => seen.filter((e) => e === 'add relisted').length >= 2, 10_000);
    } finally {
      informer.stop();
    }
  });

  it('delivers nothing after stop()', async () => {
    const seen: string[] = [];
    const informer = watchConfigMaps(seen);
    informer.start();
    await waitFor('the first list', () => informer.hasSynced());
    informer.stop();
    const count = seen.length;
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after-stop') });
    // Give a delivery a chance to (wrongly) happen: a second, independent watch sees the object.
    const control: string[] = [];
    const other = watchConfigMaps(control);
    other.start();
    await waitFor('the control watch to see it', () => control.includes('add after-stop'));
    other.stop();
    expect(seen).toHaveLength(count);
  });

  it('keeps in its cache only what the transform leaves, and still hears updates', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('trimmed', 'x'.repeat(10_000)) });
    const seen: string[] = [];
    const handed: V1ConfigMap[] = [];
    const informer = watchConfigMaps(seen, [], undefined, (obj) => {
      keepMetadataOnly(obj);
      handed.push(obj);
    });
    informer.start();
    try {
      await waitFor('the first list', () => informer.hasSynced() && seen.includes('add trimmed'));
      const cached = informer.cached().find((o) => o.metadata?.name === 'trimmed');
      expect(cached?.metadata?.resourceVersion).toBeTruthy();
      expect(cached?.data).toBeUndefined();
      expect(handed.every((o) => o.data === undefined && o.metadata?.managedFields === undefined)).toBe(true);
      // The resourceVersion stayed, so the cache still tells a changed object from a repeated one.
      await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'trimmed', body: configMap('trimmed', 'y') });
      await waitFor('the update', () => seen.includes('update trimmed'));
      expect(informer.cached().find((o) => o.metadata?.name === 'trimmed')?.data).toBeUndefined();
    } finally {
      informer.stop();
    }
  });
});

describe('keepMetadataOnly', () => {
  it('drops everything but apiVersion, kind and metadata, and the managedFields', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p', namespace: 'seldon', uid: 'u1', resourceVersion: '7', labels: { 'seldon-deployment-id': 'iris' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u0', controller: true }],
        managedFields: [{ manager: 'kubelet', operation: 'Update' }],
      },
      spec: { containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Running' },
    };
    keepMetadataOnly(pod);
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p', namespace: 'seldon', uid: 'u1', resourceVersion: '7', labels: { 'seldon-deployment-id': 'iris' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u0', controller: true }],
      },
    });
  });
});
