// SPDX-License-Identifier: Apache-2.0
// RBAC at the sandbox's HTTPS face: how requests map to verbs and resources, the exact 403s a
// ServiceAccount gets, what Roles and bindings then allow (and stop allowing), and the same
// refusals seen through a real client (client-node).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';
import { serviceAccountUser, type Attributes } from './authz-rules.js';
import { forbidden, requestAttributes } from './authz-requests.js';

const robot = serviceAccountUser({ namespace: 'default', name: 'robot' });

describe('requestAttributes', () => {
  const attrs = (method: string, url: string) => {
    const a = requestAttributes(robot, method, new URL(url, 'https://127.0.0.1'));
    return a.resourceRequest
      ? { verb: a.verb, group: a.group, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name }
      : { verb: a.verb, path: a.path };
  };
  const res = (verb: string, fields: Partial<Attributes> = {}) => ({ verb, group: '', resource: 'pods', subresource: '', namespace: 'ns', name: '', ...fields });

  it('takes the verb from the method and whether the URL names an object', () => {
    expect(attrs('GET', '/api/v1/namespaces/ns/pods')).toEqual(res('list'));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods?watch=true&resourceVersion=5')).toEqual(res('watch'));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods?watch=0')).toEqual(res('list'));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods/p')).toEqual(res('get', { name: 'p' }));
    expect(attrs('HEAD', '/api/v1/namespaces/ns/pods/p')).toEqual(res('get', { name: 'p' }));
    expect(attrs('POST', '/api/v1/namespaces/ns/pods')).toEqual(res('create'));
    expect(attrs('PUT', '/api/v1/namespaces/ns/pods/p')).toEqual(res('update', { name: 'p' }));
    expect(attrs('PATCH', '/api/v1/namespaces/ns/pods/p')).toEqual(res('patch', { name: 'p' }));
    expect(attrs('DELETE', '/api/v1/namespaces/ns/pods/p')).toEqual(res('delete', { name: 'p' }));
    expect(attrs('DELETE', '/api/v1/namespaces/ns/pods')).toEqual(res('deletecollection'));
  });

  it('reads groups, subresources, all-namespace and cluster-scoped URLs, and the /watch/ prefix', () => {
    expect(attrs('PATCH', '/apis/machinelearning.seldon.io/v1/namespaces/ns/seldondeployments/s/status'))
      .toEqual(res('patch', { group: 'machinelearning.seldon.io', resource: 'seldondeployments', subresource: 'status', name: 's' }));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods/p/log')).toEqual(res('get', { subresource: 'log', name: 'p' }));
    expect(attrs('POST', '/api/v1/namespaces/ns/pods/p/portforward')).toEqual(res('create', { subresource: 'portforward', name: 'p' }));
    expect(attrs('GET', '/apis/apps/v1/deployments')).toEqual(res('list', { group: 'apps', resource: 'deployments', namespace: '' }));
    expect(attrs('GET', '/api/v1/nodes/n')).toEqual(res('get', { resource: 'nodes', namespace: '', name: 'n' }));
    expect(attrs('GET', '/api/v1/watch/namespaces/ns/pods/p')).toEqual(res('watch', { name: 'p' }));
    expect(attrs('GET', '/api/v1/watch/namespaces/ns/pods')).toEqual(res('watch'));
  });

  it('puts a Namespace in itself, with status and finalize as its subresources', () => {
    expect(attrs('GET', '/api/v1/namespaces')).toEqual(res('list', { resource: 'namespaces', namespace: '' }));
    expect(attrs('GET', '/api/v1/namespaces/ns')).toEqual(res('get', { resource: 'namespaces', name: 'ns' }));
    expect(attrs('PUT', '/api/v1/namespaces/ns/finalize')).toEqual(res('update', { resource: 'namespaces', subresource: 'finalize', name: 'ns' }));
    expect(attrs('PATCH', '/api/v1/namespaces/ns/status')).toEqual(res('patch', { resource: 'namespaces', subresource: 'status', name: 'ns' }));
  });

  it('names the object of a list or watch pinned by `fieldSelector=metadata.name=`', () => {
    expect(attrs('GET', '/apis/coordination.k8s.io/v1/namespaces/ns/leases?fieldSelector=metadata.name%3Dleader'))
      .toEqual(res('list', { group: 'coordination.k8s.io', resource: 'leases', name: 'leader' }));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods?watch=1&fieldSelector=status.phase%3DRunning,metadata.name%3D%3Dp')).toEqual(res('watch', { name: 'p' }));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name!%3Dp')).toEqual(res('list'));
    expect(attrs('GET', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Da%2Fb')).toEqual(res('list'));
    // A collection delete names nothing, whatever its selector.
    expect(attrs('DELETE', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp')).toEqual(res('deletecollection'));
  });

  it('treats discovery and everything outside /api and /apis as URL paths', () => {
    for (const p of ['/', '/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3/apis/apps/v1', '/_sandbox/faults']) {
      expect(attrs('GET', p), p).toEqual({ verb: 'get', path: p });
    }
    expect(attrs('POST', '/_sandbox/faults')).toEqual({ verb: 'post', path: '/_sandbox/faults' });
  });
});

describe('forbidden', () => {
  const a = (fields: Partial<Attributes>): Attributes => ({
    user: robot, verb: 'get', resourceRequest: true, group: '', version: 'v1', resource: 'pods', subresource: '', namespace: '', name: '', path: '', ...fields,
  });

  it("words the refusal as kube-apiserver does, with the resource, group and name in details", () => {
    expect(forbidden(a({ verb: 'list', namespace: 'default' }), '').toStatus()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { kind: 'pods' },
    });
    expect(forbidden(a({ group: 'apps', resource: 'deployments', namespace: 'x', name: 'web', subresource: 'scale', verb: 'update' }), '').toStatus()).toMatchObject({
      message: 'deployments.apps "web" is forbidden: User "system:serviceaccount:default:robot" cannot update resource "deployments/scale" in API group "apps" in the namespace "x"',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    expect(forbidden(a({ resource: 'namespaces', verb: 'list' }), '').message)
      .toBe('namespaces is forbidden: User "system:serviceaccount:default:robot" cannot list resource "namespaces" in API group "" at the cluster scope');
    const pathRefusal = forbidden({ ...a({}), resourceRequest: false, resource: '', version: '', path: '/metrics' }, '').toStatus();
    expect(pathRefusal).toMatchObject({ message: 'forbidden: User "system:serviceaccount:default:robot" cannot get path "/metrics"', details: {} });
  });

  it("adds RBAC's reason, and keeps HTML out of the message", () => {
    expect(forbidden(a({ namespace: 'n', name: 'p' }), 'RBAC: role.rbac.authorization.k8s.io "r" not found').message)
      .toBe('pods "p" is forbidden: User "system:serviceaccount:default:robot" cannot get resource "pods" in API group "" in the namespace "n": RBAC: role.rbac.authorization.k8s.io "r" not found');
    expect(forbidden({ ...a({}), resourceRequest: false, path: '/<b>&' }, '').message).toBe('forbidden: User "system:serviceaccount:default:robot" cannot get path "/&lt;b&gt;&amp;"');
  });
});

describe('at the wire', () => {
  let sandbox: Sandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ controllers: false });
    await admin('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
    await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    token = sandbox.serviceAccountToken('default', 'robot')!;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function admin(method: string, path: string, body?: unknown) {
    const res = await raw(sandbox, method, path, { body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res;
  }
  const asRobot = (method: string, path: string, body?: unknown, contentType?: string) => raw(sandbox, method, path, { token, body, contentType });
  const RBAC = '/apis/rbac.authorization.k8s.io/v1';

  it('lets a ServiceAccount without bindings discover the API, and refuses it everything else with the real 403', async () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/readyz', '/openapi/v3']) expect((await asRobot('GET', p)).status, p).toBe(200);

    const list = await asRobot('GET', '/api/v1/namespaces/default/configmaps');
    expect(list.status).toBe(403);
    expect(list.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'configmaps is forbidden: User "system:serviceaccount:default:robot" cannot list resource "configmaps" in API group "" in the namespace "default"',
      reason: 'Forbidden', details: { kind: 'configmaps' }, code: 403,
    });
    expect((await asRobot('GET', '/api/v1/namespaces')).json()).toMatchObject({
      message: 'namespaces is forbidden: User "system:serviceaccount:default:robot" cannot list resource "namespaces" in API group "" at the cluster scope',
    });
    expect((await asRobot('GET', '/api/v1/namespaces/default/pods/web/log')).json()).toMatchObject({
      message: 'pods "web" is forbidden: User "system:serviceaccount:default:robot" cannot get resource "pods/log" in API group "" in the namespace "default"',
      details: { name: 'web', kind: 'pods' },
    });
    expect((await asRobot('GET', '/')).json()).toMatchObject({ code: 403, message: 'forbidden: User "system:serviceaccount:default:robot" cannot get path "/"', details: {} });
    // Authorization comes before the type is looked up: a CRD that does not exist yet is a 403 too.
    expect((await asRobot('GET', '/apis/machinelearning.seldon.io/v1/namespaces/default/seldondeployments')).json()).toMatchObject({
      code: 403, details: { group: 'machinelearning.seldon.io', kind: 'seldondeployments' },
    });
    // The faults API is the admin's.
    expect((await asRobot('POST', '/_sandbox/faults', { drop: 'watches' })).status).toBe(403);
    // ... and the admin may still do anything.
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces')).status).toBe(200);
  });

  it('allows what a Role grants through a RoleBinding, there only, until the binding is deleted', async () => {
    await admin('POST', `${RBAC}/namespaces/default/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    await admin('POST', `${RBAC}/namespaces/default/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'robot-cm' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }],
    });
    expect((await asRobot('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    expect((await asRobot('GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt')).status).toBe(200);
    // Not watch (not granted), not elsewhere, not across namespaces, not writes.
    expect((await asRobot('GET', '/api/v1/namespaces/default/configmaps?watch=true')).json()).toMatchObject({
      message: 'configmaps is forbidden: User "system:serviceaccount:default:robot" cannot watch resource "configmaps" in API group "" in the namespace "default"',
    });
    expect((await asRobot('GET', '/api/v1/namespaces/elsewhere/configmaps')).status).toBe(403);
    expect((await asRobot('GET', '/api/v1/configmaps')).status).toBe(403);
    const write = await asRobot('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' } });
    expect(write.json()).toMatchObject({ code: 403, message: expect.stringContaining('cannot create resource "configmaps"') });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps/mine')).status).toBe(404);

    await admin('DELETE', `${RBAC}/namespaces/default/rolebindings/robot-cm`);
    expect((await asRobot('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(403);
  });

  it('limits a resourceNames rule to its objects: get and update by URL, list by field selector, never create', async () => {
    await admin('POST', `${RBAC}/namespaces/default/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'one-lease' },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['leader'], verbs: ['get', 'list', 'update', 'create'] }],
    });
    await admin('POST', `${RBAC}/namespaces/default/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'robot-lease' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'one-lease' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }],
    });
    const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader' }, spec: { holderIdentity: 'robot' } };
    expect((await asRobot('POST', LEASES, lease)).json()).toMatchObject({ code: 403, message: expect.stringContaining('cannot create resource "leases"') });
    await admin('POST', LEASES, lease);
    expect((await asRobot('GET', `${LEASES}/leader`)).status).toBe(200);
    expect((await asRobot('PUT', `${LEASES}/leader`, lease)).status).toBe(200);
    expect((await asRobot('GET', `${LEASES}/other`)).json()).toMatchObject({ code: 403, details: { name: 'other', group: 'coordination.k8s.io', kind: 'leases' } });
    expect((await asRobot('GET', LEASES)).status).toBe(403);
    expect((await asRobot('GET', `${LEASES}?fieldSelector=metadata.name%3Dleader`)).status).toBe(200);
  });

  it('gives the RBAC reason when a binding names a role that does not exist', async () => {
    await admin('POST', `${RBAC}/namespaces/elsewhere/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dangling' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'not-yet' }, subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }],
    });
    expect((await asRobot('GET', '/api/v1/namespaces/elsewhere/pods')).json()).toMatchObject({
      message: 'pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "elsewhere": RBAC: clusterrole.rbac.authorization.k8s.io "not-yet" not found',
    });
    await admin('POST', `${RBAC}/clusterroles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'not-yet' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    expect((await asRobot('GET', '/api/v1/namespaces/elsewhere/pods')).status).toBe(200);
  });

  it('checks a port-forward upgrade too: it needs create on pods/portforward', async () => {
    const answer = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request(new URL('/api/v1/namespaces/default/pods/web/portforward', sandbox.url), {
        method: 'POST', ca: sandbox.caPem, agent: false,
        headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io' },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        reject(new Error('the upgrade was accepted'));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer).toEqual({
      status: 403,
      body: expect.objectContaining({
        message: 'pods "web" is forbidden: User "system:serviceaccount:default:robot" cannot create resource "pods/portforward" in API group "" in the namespace "default"',
      }),
    });
  });

  it('shows client-node the same refusal: an ApiException with code 403 and the Status', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'sandbox', server: sandbox.url, caData: Buffer.from(sandbox.caPem).toString('base64') }],
      users: [{ name: 'robot', token }],
      contexts: [{ name: 'robot', cluster: 'sandbox', user: 'robot' }],
      currentContext: 'robot',
    });
    const error = await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'default' }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 403 });
    expect(JSON.parse((error as { body: string }).body)).toMatchObject({
      reason: 'Forbidden',
      message: 'secrets is forbidden: User "system:serviceaccount:default:robot" cannot list resource "secrets" in API group "" in the namespace "default"',
    });
  });
});
