// SPDX-License-Identifier: Apache-2.0
// Bindings at the wire: what a scheduler posts, what the pod looks like afterwards, and the
// answers a real API server gives for every way it can go wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

const PODS = '/api/v1/namespaces/default/pods';
const BINDINGS = '/api/v1/namespaces/default/bindings';

async function createPod(name: string, spec: Record<string, unknown> = {}): Promise<{ uid: string; resourceVersion: string }> {
  const res = await raw(sandbox, 'POST', PODS, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'nginx' }], ...spec } } });
  expect(res.status).toBe(201);
  return res.json<{ metadata: { uid: string; resourceVersion: string } }>().metadata;
}

const binding = (name: string, node = 'sandbox', metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Binding', metadata: { name, ...metadata }, target: { apiVersion: 'v1', kind: 'Node', name: node },
});

interface Pod {
  metadata: { annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status: { conditions?: { type: string; status: string }[] };
}

describe('bindings', () => {
  it('puts a pod on a node: 201 with a Success Status, spec.nodeName and PodScheduled set, nothing stored', async () => {
    await createPod('bound');
    const res = await raw(sandbox, 'POST', BINDINGS, { body: binding('bound', 'sandbox', { annotations: { 'example.com/by': 'test' } }) });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const pod = (await raw(sandbox, 'GET', `${PODS}/bound`)).json<Pod>();
    expect(pod.spec.nodeName).toBe('sandbox');
    expect(pod.metadata.annotations).toEqual({ 'example.com/by': 'test' });
    expect(pod.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    // An action, not storage: no verb but create.
    const list = await raw(sandbox, 'GET', BINDINGS);
    expect(list.status).toBe(405);
    expect(list.json()).toMatchObject({ reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource', details: {} });
  });

  it('answers 409 Conflict on pods/binding when the pod is already on a node', async () => {
    await createPod('twice');
    expect((await raw(sandbox, 'POST', BINDINGS, { body: binding('twice') })).status).toBe(201);
    const again = await raw(sandbox, 'POST', BINDINGS, { body: binding('twice', 'elsewhere') });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on pods/binding "twice": pod twice is already assigned to node "sandbox"',
      details: { name: 'twice', kind: 'pods/binding' },
    });
    expect((await raw(sandbox, 'GET', `${PODS}/twice`)).json<Pod>().spec.nodeName).toBe('sandbox');
  });

  it('serves the pods/{name}/binding subresource kube-scheduler uses, with uid and resourceVersion as preconditions', async () => {
    const { uid } = await createPod('sub');
    const mismatch = await raw(sandbox, 'POST', `${PODS}/sub/binding`, { body: binding('other') });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json()).toMatchObject({ reason: 'BadRequest', message: 'name in URL does not match name in Binding object' });
    const stale = await raw(sandbox, 'POST', `${PODS}/sub/binding`, { body: binding('sub', 'sandbox', { uid: 'not-the-uid' }) });
    expect(stale.status).toBe(409);
    expect(stale.json<{ message: string }>().message).toContain(`Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${uid}`);
    const bound = await raw(sandbox, 'POST', `${PODS}/sub/binding`, { body: binding('sub', 'sandbox', { uid }) });
    expect(bound.status).toBe(201);
    expect((await raw(sandbox, 'GET', `${PODS}/sub`)).json<Pod>().spec.nodeName).toBe('sandbox');
  });

  it('refuses a missing pod, a missing target, a pod being deleted, and changes nothing on a dry run', async () => {
    expect((await raw(sandbox, 'POST', BINDINGS, { body: binding('ghost') })).json()).toMatchObject({ code: 404, message: 'pods "ghost" not found' });
    await createPod('aimless');
    const noTarget = await raw(sandbox, 'POST', BINDINGS, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'aimless' }, target: {} } });
    expect(noTarget.status).toBe(500);
    expect(noTarget.json()).toMatchObject({ message: 'target.name: Required value' });
    const dry = await raw(sandbox, 'POST', `${BINDINGS}?dryRun=All`, { body: binding('aimless') });
    expect(dry.status).toBe(201);
    expect((await raw(sandbox, 'GET', `${PODS}/aimless`)).json<Pod>().spec.nodeName).toBeUndefined();

    await createPod('leaving');
    await raw(sandbox, 'PATCH', `${PODS}/leaving`, { body: { metadata: { finalizers: ['example.com/hold'] } }, contentType: 'application/merge-patch+json' });
    await raw(sandbox, 'DELETE', `${PODS}/leaving`);
    const late = await raw(sandbox, 'POST', BINDINGS, { body: binding('leaving') });
    expect(late.json()).toMatchObject({ code: 409, message: 'Operation cannot be fulfilled on pods/binding "leaving": pod leaving is being deleted, cannot be assigned to a host' });
    await raw(sandbox, 'PATCH', `${PODS}/leaving`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
  });

  it('is in discovery as kubectl and schedulers see it: bindings and pods/binding, create only', async () => {
    const v1 = (await raw(sandbox, 'GET', '/api/v1')).json<{ resources: { name: string; kind: string; verbs: string[]; singularName: string }[] }>();
    expect(v1.resources.find((r) => r.name === 'bindings')).toEqual({ name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] });
    expect(v1.resources.find((r) => r.name === 'pods/binding')).toEqual({ name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
    const openapi = (await raw(sandbox, 'GET', '/openapi/v3/api/v1')).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(openapi.paths['/api/v1/namespaces/{namespace}/bindings'])).toEqual(['post', 'parameters']);
    expect(openapi.paths['/api/v1/namespaces/{namespace}/bindings/{name}']).toBeUndefined();
  });
});
