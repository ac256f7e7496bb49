// SPDX-License-Identifier: Apache-2.0
// The sandbox through @kubernetes/client-node 1.4, the client the operator and the lessons use:
// typed APIs, custom objects, KubernetesObjectApi, Watch and informers (including the relist after
// a 410), over verified HTTPS with the kubeconfig the sandbox wrote.
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch,
  makeInformer, setHeaderOptions, type KubernetesObject, type V1ConfigMap,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';
import { eventually, exampleCrd } from './testing.js';

let sandbox: Sandbox;
let kc: KubeConfig;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
});
afterAll(async () => {
  await sandbox?.stop();
});

const CRD = exampleCrd('Gadget', [{
  name: 'v1', subresources: { status: {} },
  schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', properties: { state: { type: 'string' } } } } },
}]);

describe('@kubernetes/client-node', () => {
  it('uses the kubeconfig context over verified HTTPS', () => {
    expect(kc.getCurrentContext()).toBe('seldon-lab-sandbox');
    expect(kc.getCurrentCluster()?.server).toBe(sandbox.url);
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
  });

  it('creates, reads, lists, replaces and deletes through CoreV1Api', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'client' } } });
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('client');
    const created = await core.createNamespacedConfigMap({ namespace: 'client', body: { metadata: { name: 'c1' }, data: { a: '1' } } });
    const read = await core.readNamespacedConfigMap({ namespace: 'client', name: 'c1' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'client', name: 'c1', body: read });
    expect(replaced.data).toEqual({ a: '2' });
    // The stale copy now conflicts.
    await expect(core.replaceNamespacedConfigMap({ namespace: 'client', name: 'c1', body: created })).rejects.toMatchObject({ code: 409 });
    await core.deleteNamespacedConfigMap({ namespace: 'client', name: 'c1' });
    const missing = await core.readNamespacedConfigMap({ namespace: 'client', name: 'c1' }).catch((e: { code: number; body: string }) => e);
    expect((missing as { code: number }).code).toBe(404);
    expect(JSON.parse((missing as { body: string }).body)).toMatchObject({ reason: 'NotFound', message: 'configmaps "c1" not found' });
  });

  it('creates Deployments through AppsV1Api and patches them by content type', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    });
    const patched = await apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'web', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(3);
    expect(patched.metadata?.generation).toBe(2);
  });

  it('serves custom objects and their status subresource', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.create(CRD as KubernetesObject);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const base = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'gadgets' };
    await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 1 } } });
    const withStatus = await custom.patchNamespacedCustomObjectStatus(
      { ...base, name: 'g1', body: { status: { state: 'Ready' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as { status: { state: string }; metadata: { generation: number } };
    expect(withStatus.status.state).toBe('Ready');
    expect(withStatus.metadata.generation).toBe(1);
    const list = await custom.listNamespacedCustomObject(base) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });

  it('drives KubernetesObjectApi by apiVersion and kind (discovery)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'obj-1', namespace: 'default' }, data: { x: '1' } };
    await objects.create(spec);
    const read = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'obj-1', namespace: 'default' } }) as V1ConfigMap;
    expect(read.data).toEqual({ x: '1' });
    const patched = await objects.patch({ ...spec, data: { x: '2' } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch) as V1ConfigMap;
    expect(patched.data).toEqual({ x: '2' });
    await objects.delete(spec);
  });

  it('watches with Watch: events in order, then done when the server drops the watch', async () => {
    const events: string[] = [];
    let ended = false;
    const watch = new Watch(kc);
    const rv = (await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: rv }, (type, obj: V1ConfigMap) => events.push(`${type} ${obj.metadata?.name}`), () => {
      ended = true;
    });
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
    await eventually(() => events.length === 2, 5000, 'two watch events');
    expect(events).toEqual(['ADDED watched', 'DELETED watched']);
    sandbox.faults.dropWatches();
    await eventually(() => ended, 5000, 'the watch to end');
  });

  it('keeps an informer right across a 410: it relists and sees what changed meanwhile', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    const informer = makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'before' } } });
    await eventually(() => informer.list().some((c) => c.metadata?.name === 'before'), 5000, 'the informer to see "before"');
    // Cut the watch and hold the informer's re-watch at the door while an object changes and history
    // is compacted: it re-watches from a resourceVersion that is gone, gets 410, and relists.
    let errors = 0;
    informer.on('error', () => errors++);
    sandbox.faults.addLatency({ ms: 1000, verb: 'watch', count: 1 });
    sandbox.faults.dropWatches();
    await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'during' } } });
    sandbox.faults.compact();
    await eventually(() => informer.list().some((c) => c.metadata?.name === 'during'), 8000, 'the informer to relist and see "during"');
    await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'after' } } });
    await eventually(() => informer.list().some((c) => c.metadata?.name === 'after'), 5000, 'the informer to watch again after relisting');
    expect(errors).toBe(0);
    expect(informer.list().map((c) => c.metadata?.name).sort()).toEqual(['after', 'before', 'during', 'kube-root-ca.crt']);
    await informer.stop();
  });
});
