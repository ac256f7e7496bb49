// SPDX-License-Identifier: Apache-2.0
// startSandbox() as lessons and the operator get it: controllers running, the in-process handle,
// and the faults that act on the server itself (restart, stall).
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refs } from './apiserver/api.js';
import { ApiError } from './apiserver/status.js';
import { startSandbox, type Sandbox } from './index.js';
import { eventually, raw } from './testing.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ readyPods: true });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('startSandbox', () => {
  it('gives in-process callers the same rules as HTTP clients', async () => {
    const created = await sandbox.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'local', namespace: 'default' } });
    await expect(sandbox.api.create(refs.configmaps, created)).rejects.toMatchObject({ code: 500 });
    const copy = { ...created, metadata: { ...created.metadata, resourceVersion: '1' } };
    await expect(sandbox.api.update(refs.configmaps, copy)).rejects.toBeInstanceOf(ApiError);
    const seen = await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps/local');
    expect(seen.json()).toMatchObject({ metadata: { uid: created.metadata.uid } });
  });

  it('runs the controllers: a deleted namespace is emptied and goes away', async () => {
    await sandbox.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'short-lived' } });
    // A finalizer holds one object, and so the namespace, until it is removed.
    await sandbox.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'short-lived', finalizers: ['example.com/hold'] } });
    const deleting = await raw(sandbox, 'DELETE', '/api/v1/namespaces/short-lived');
    expect(deleting.json()).toMatchObject({ status: { phase: 'Terminating' } });
    const refused = await raw(sandbox, 'POST', '/api/v1/namespaces/short-lived/configmaps', { body: { metadata: { name: 'late' } } });
    expect(refused.status).toBe(403);
    expect(refused.json<{ message: string }>().message).toContain('because it is being terminated');
    await eventually(async () => (await sandbox.api.get(refs.configmaps, 'short-lived', 'held')).metadata.deletionTimestamp, 10_000, 'the namespace controller to delete the object');
    await sandbox.api.patch(refs.configmaps, 'short-lived', 'held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await eventually(async () => (await raw(sandbox, 'GET', '/api/v1/namespaces/short-lived')).status === 404, 10_000, 'the namespace to be deleted');
  });

  it('schedules pods and (readyPods) marks them ready; the stand-in kubelet registers its node', async () => {
    await sandbox.api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ready', namespace: 'default' }, spec: { containers: [{ name: 'm', image: 'nginx' }] } });
    const pod = await eventually(async () => {
      const p = await sandbox.api.get(refs.pods, 'default', 'ready');
      return (p.status as { phase?: string }).phase === 'Running' ? p : undefined;
    }, 10_000, 'the pod to run');
    expect((pod!.spec as { nodeName?: string }).nodeName).toBe('sandbox');
    expect((await sandbox.api.list(refs.nodes)).items.map((n) => n.metadata.name)).toEqual(['sandbox']);
  });

  it('with kubelet: false leaves the node to a real kubelet: pods are bound but nothing runs them', async () => {
    const bare = await startSandbox({ kubelet: false, readyPods: true });
    try {
      await bare.api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiting', namespace: 'default' }, spec: { containers: [{ name: 'm', image: 'nginx' }] } });
      const pod = await eventually(async () => {
        const p = await bare.api.get(refs.pods, 'default', 'waiting');
        return (p.spec as { nodeName?: string }).nodeName ? p : undefined;
      }, 10_000, 'the scheduler to bind the pod');
      expect((pod!.status as { phase?: string }).phase).toBe('Pending');
      expect((await bare.api.list(refs.nodes)).items).toEqual([]);
    } finally {
      await bare.stop();
    }
  });

  it('restarts on the same port keeping its objects (a fault)', async () => {
    await sandbox.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'survivor', namespace: 'default' } });
    await sandbox.faults.restart();
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps/survivor')).status).toBe(200);
  });

  it('stalls a request: accepted, never answered (a fault)', async () => {
    sandbox.faults.stallNext({ path: '/api/v1/namespaces/default/secrets' });
    const answered = await new Promise<string>((resolve) => {
      const req = request(new URL('/api/v1/namespaces/default/secrets', sandbox.url), { ca: sandbox.caPem, headers: { authorization: `Bearer ${sandbox.token}` }, timeout: 300, agent: false }, () => resolve('answered'));
      req.on('timeout', () => {
        req.destroy();
        resolve('no answer');
      });
      req.on('error', (e) => resolve(`error: ${e.message}`));
      req.end();
    });
    expect(answered).toBe('no answer');
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(200);
  });
});
