// SPDX-License-Identifier: Apache-2.0
// Impersonation headers at the wire: the admin acting as a ServiceAccount or a user with groups,
// and a ServiceAccount that may impersonate only what RBAC grants it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';

let sandbox: Sandbox;
let token: string;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

async function admin(method: string, path: string, body?: unknown) {
  const res = await raw(sandbox, method, path, { body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res;
}

beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  await admin('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  // Group "ops" may read pods in default.
  await admin('POST', `${RBAC}/clusterroles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  });
  await admin('POST', `${RBAC}/namespaces/default/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ops-read' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'Group', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  token = sandbox.serviceAccountToken('default', 'robot')!;
});
afterAll(async () => {
  await sandbox?.stop();
});

const PODS = '/api/v1/namespaces/default/pods';

describe('impersonation', () => {
  it('lets the admin act as a ServiceAccount, with its groups', async () => {
    const headers = { 'impersonate-user': 'system:serviceaccount:default:robot' };
    expect((await raw(sandbox, 'GET', PODS, { headers })).json()).toMatchObject({
      code: 403, message: 'pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"',
    });
    // system:authenticated came along: discovery is allowed.
    expect((await raw(sandbox, 'GET', '/apis', { headers })).status).toBe(200);
  });

  it('lets the admin act as a user in a group, which then has exactly the group\'s grants', async () => {
    expect((await raw(sandbox, 'GET', PODS, { headers: { 'impersonate-user': 'alice', 'impersonate-group': 'ops' } })).status).toBe(200);
    expect((await raw(sandbox, 'GET', PODS, { headers: { 'impersonate-user': 'alice' } })).status).toBe(403);
    const review = await raw(sandbox, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      headers: { 'impersonate-user': 'alice', 'impersonate-group': 'ops' },
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } } },
    });
    expect(review.json()).toMatchObject({ status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "ops-read/default" of ClusterRole "pod-reader" to Group "ops"' } });
  });

  it('refuses a ServiceAccount that has no impersonate grant, naming what it tried', async () => {
    expect((await raw(sandbox, 'GET', PODS, { token, headers: { 'impersonate-user': 'alice' } })).json()).toMatchObject({
      code: 403, reason: 'Forbidden', details: { name: 'alice', kind: 'users' },
      message: 'users "alice" is forbidden: User "system:serviceaccount:default:robot" cannot impersonate resource "users" in API group "" at the cluster scope',
    });
    expect((await raw(sandbox, 'GET', PODS, { token, headers: { 'impersonate-user': 'system:serviceaccount:kube-system:default' } })).json()).toMatchObject({
      message: 'serviceaccounts "default" is forbidden: User "system:serviceaccount:default:robot" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
    });
  });

  it('lets a ServiceAccount impersonate what it is granted, each group checked on its own', async () => {
    await admin('POST', `${RBAC}/clusterroles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'be-alice' },
      rules: [{ apiGroups: [''], resources: ['users'], resourceNames: ['alice'], verbs: ['impersonate'] }],
    });
    await admin('POST', `${RBAC}/clusterrolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'robot-be-alice' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'be-alice' }, subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }],
    });
    expect((await raw(sandbox, 'GET', PODS, { token, headers: { 'impersonate-user': 'alice' } })).json()).toMatchObject({
      code: 403, message: expect.stringContaining('User "alice" cannot list resource "pods"'),
    });
    expect((await raw(sandbox, 'GET', PODS, { token, headers: { 'impersonate-user': 'alice', 'impersonate-group': 'ops' } })).json()).toMatchObject({
      code: 403, message: 'groups "ops" is forbidden: User "system:serviceaccount:default:robot" cannot impersonate resource "groups" in API group "" at the cluster scope',
    });
  });

  it('refuses groups without a user to impersonate', async () => {
    const res = await raw(sandbox, 'GET', PODS, { headers: { 'impersonate-group': 'ops' } });
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({ message: expect.stringContaining('without impersonating a user') });
  });
});
