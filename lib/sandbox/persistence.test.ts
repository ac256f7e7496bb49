// SPDX-License-Identifier: Apache-2.0
// `--data-dir`: objects, revisions, the CA and the token survive a stop and a start, and a write
// torn by a crash is dropped on load instead of breaking the store.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refs } from './apiserver/api.js';
import { Persistence } from './apiserver/persistence.js';
import { Store } from './apiserver/store.js';
import { startSandbox, type Sandbox } from './index.js';

const dirs: string[] = [];
const running: Sandbox[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-data-'));
  dirs.push(dir);
  return dir;
}

describe('a sandbox with --data-dir', () => {
  it('finds its objects, revision, CA and token again after a restart', async () => {
    const dataDir = tempDir();
    const first = await startSandbox({ dataDir, controllers: false });
    running.push(first);
    const kc = new KubeConfig();
    kc.loadFromFile(first.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kept' } } });
    const cm = await core.createNamespacedConfigMap({ namespace: 'kept', body: { metadata: { name: 'c' }, data: { v: '1' } } });
    const kubeconfig = readFileSync(first.kubeconfigPath, 'utf8');
    await first.stop();
    running.pop();

    const second = await startSandbox({ dataDir, controllers: false, port: Number(new URL(first.url).port) });
    running.push(second);
    expect(readFileSync(second.kubeconfigPath, 'utf8')).toBe(kubeconfig);
    // The kubeconfig written before the restart still verifies the server and authenticates.
    const again = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: 'kept', name: 'c' });
    expect(again.metadata?.uid).toBe(cm.metadata?.uid);
    expect(again.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
    const next = await core.createNamespacedConfigMap({ namespace: 'kept', body: { metadata: { name: 'd' } } });
    expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
  });


  it('keeps stored Services\' cluster IPs taken, and points the kubernetes Service at the new port', async () => {
    const dataDir = tempDir();
    const service = (name: string) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: '10.96.0.77', ports: [{ port: 80 }] },
    });
    const first = await startSandbox({ dataDir, controllers: false });
    running.push(first);
    await first.api.create(refs.services, service('kept'));
    await first.stop();
    running.pop();

    const second = await startSandbox({ dataDir, controllers: false });
    running.push(second);
    await expect(second.api.create(refs.services, service('clash'))).rejects.toMatchObject({ code: 422 });
    const port = Number(new URL(second.url).port);
    const endpoints = await second.api.get(refs.endpoints, 'default', 'kubernetes');
    expect(endpoints.subsets).toEqual([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
    const kubernetes = await second.api.get(refs.services, 'default', 'kubernetes');
    expect(kubernetes.spec).toMatchObject({ clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] });
  });
});

describe('Persistence', () => {
  it('replays the log after the snapshot and drops a torn last line', () => {
    const dir = tempDir();
    const disk = new Persistence(dir);
    const store = new Store();
    store.onChange((c) => disk.append(c, store));
    store.commit('/configmaps', 'ns/a', 'ADDED', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } });
    disk.checkpoint(store);
    store.commit('/configmaps', 'ns/b', 'ADDED', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns' } });
    store.commit('/configmaps', 'ns/a', 'DELETED', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } });
    appendFileSync(join(dir, 'wal.jsonl'), '{"revision":4,"type":"ADDED","resou');

    const loaded = new Persistence(dir).load();
    expect(loaded.revision).toBe(3);
    expect(loaded.objects.map((o) => o.key)).toEqual(['ns/b']);
    expect(readFileSync(join(dir, 'wal.jsonl'), 'utf8').endsWith('\n')).toBe(true);
  });
});
