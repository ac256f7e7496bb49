// SPDX-License-Identifier: Apache-2.0
// The RBAC authorizer on its own, over a bare store: which bindings apply where, the reasons it
// gives, the bootstrap policy, and that it follows changes to bindings.
import { describe, expect, it } from 'vitest';
import { RbacAuthorizer } from './authz.js';
import { ADMIN_USER, serviceAccountUser, type Attributes, type PolicyRule, type UserInfo } from './authz-rules.js';
import { objectKey, Store } from './store.js';
import type { KubeObject } from './types.js';

const RBAC = 'rbac.authorization.k8s.io';
const robot = serviceAccountUser({ namespace: 'seldon', name: 'robot' });

/** Attributes of a resource request (defaults: core group, no namespace, no name). */
function resource(user: UserInfo, verb: string, fields: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, group: '', version: 'v1', resource: 'pods', subresource: '', namespace: '', name: '', path: '', ...fields };
}

function path(user: UserInfo, p: string, verb = 'get'): Attributes {
  return { user, verb, resourceRequest: false, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', path: p };
}

/** A store with RBAC objects, written as the API server writes them. */
function storeWith(...objects: KubeObject[]): Store {
  const store = new Store();
  for (const o of objects) put(store, o);
  return store;
}

function plural(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

function put(store: Store, object: KubeObject): void {
  const key = objectKey(object.metadata.namespace, object.metadata.name!);
  const resource = `${RBAC}/${plural(object.kind)}`;
  store.commit(resource, key, store.get(resource, key) ? 'MODIFIED' : 'ADDED', structuredClone(object));
}

function remove(store: Store, kind: string, namespace: string | undefined, name: string): void {
  const resource = `${RBAC}/${plural(kind)}`;
  const key = objectKey(namespace, name);
  store.commit(resource, key, 'DELETED', structuredClone(store.get(resource, key)!));
}

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: PolicyRule[], namespace?: string): KubeObject => ({
  apiVersion: `${RBAC}/v1`, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules,
});

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleRef: { kind: string; name: string }, subjects: Record<string, string>[], namespace?: string): KubeObject => ({
  apiVersion: `${RBAC}/v1`, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects,
});

const robotSubject = { kind: 'ServiceAccount', name: 'robot', namespace: 'seldon' };

describe('RbacAuthorizer', () => {
  const podReader = role('ClusterRole', 'pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]);

  it('grants a Role through a RoleBinding in the binding namespace only', () => {
    const authz = new RbacAuthorizer(storeWith(
      role('Role', 'cm-writer', [{ verbs: ['create'], apiGroups: [''], resources: ['configmaps'] }], 'seldon'),
      binding('RoleBinding', 'robot-cm', { kind: 'Role', name: 'cm-writer' }, [robotSubject], 'seldon'),
    ));
    expect(authz.authorize(resource(robot, 'create', { resource: 'configmaps', namespace: 'seldon' })).allowed).toBe(true);
    expect(authz.authorize(resource(robot, 'create', { resource: 'configmaps', namespace: 'default' })).allowed).toBe(false);
    // Across all namespaces is the cluster scope: a RoleBinding never reaches it.
    expect(authz.authorize(resource(robot, 'create', { resource: 'configmaps' })).allowed).toBe(false);
  });

  it('grants a ClusterRole in one namespace through a RoleBinding, everywhere through a ClusterRoleBinding', () => {
    const store = storeWith(podReader, binding('RoleBinding', 'read-here', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject], 'seldon'));
    const authz = new RbacAuthorizer(store);
    expect(authz.authorize(resource(robot, 'list', { namespace: 'seldon' })).allowed).toBe(true);
    expect(authz.authorize(resource(robot, 'list', { namespace: 'default' })).allowed).toBe(false);
    expect(authz.authorize(resource(robot, 'list')).allowed).toBe(false);

    put(store, binding('ClusterRoleBinding', 'read-all', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject]));
    expect(authz.authorize(resource(robot, 'list', { namespace: 'default' })).allowed).toBe(true);
    expect(authz.authorize(resource(robot, 'list')).allowed).toBe(true);
  });

  it('matches subjects by user, by group, and by ServiceAccount (namespace defaulting to the RoleBinding one)', () => {
    const authz = new RbacAuthorizer(storeWith(
      podReader,
      binding('RoleBinding', 'local-sa', { kind: 'ClusterRole', name: 'pod-reader' }, [{ kind: 'ServiceAccount', name: 'robot' }], 'seldon'),
      binding('RoleBinding', 'all-sas', { kind: 'ClusterRole', name: 'pod-reader' }, [{ kind: 'Group', name: 'system:serviceaccounts:seldon', apiGroup: RBAC }], 'models'),
      binding('RoleBinding', 'alice', { kind: 'ClusterRole', name: 'pod-reader' }, [{ kind: 'User', name: 'alice', apiGroup: RBAC }], 'alice'),
      // A ClusterRoleBinding's ServiceAccount must say its namespace: without one it stands for nobody.
      binding('ClusterRoleBinding', 'nobody', { kind: 'ClusterRole', name: 'pod-reader' }, [{ kind: 'ServiceAccount', name: 'robot' }]),
    ));
    expect(authz.authorize(resource(robot, 'get', { namespace: 'seldon', name: 'p' })).allowed).toBe(true);
    expect(authz.authorize(resource(robot, 'get', { namespace: 'models', name: 'p' })).allowed).toBe(true);
    expect(authz.authorize(resource(serviceAccountUser({ namespace: 'other', name: 'robot' }), 'get', { namespace: 'models', name: 'p' })).allowed).toBe(false);
    expect(authz.authorize(resource({ name: 'alice', groups: [] }, 'get', { namespace: 'alice', name: 'p' })).allowed).toBe(true);
    expect(authz.authorize(resource(robot, 'get', { namespace: 'alice', name: 'p' })).allowed).toBe(false);
    expect(authz.authorize(resource(robot, 'get', { name: 'p' })).allowed).toBe(false);
  });

  it('names the binding that allowed a request, and the roles it could not find', () => {
    const store = storeWith(
      podReader,
      binding('RoleBinding', 'reader', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject], 'seldon'),
      binding('RoleBinding', 'broken', { kind: 'Role', name: 'gone' }, [robotSubject], 'seldon'),
      binding('ClusterRoleBinding', 'broken-too', { kind: 'ClusterRole', name: 'also-gone' }, [robotSubject]),
    );
    const authz = new RbacAuthorizer(store);
    expect(authz.authorize(resource(robot, 'list', { namespace: 'seldon' }))).toEqual({
      allowed: true, reason: 'RBAC: allowed by RoleBinding "reader/seldon" of ClusterRole "pod-reader" to ServiceAccount "robot/seldon"',
    });
    expect(authz.authorize(resource(robot, 'delete', { namespace: 'seldon', name: 'p' }))).toEqual({
      allowed: false,
      reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "also-gone" not found, role.rbac.authorization.k8s.io "gone" not found]',
    });
    // Out of the namespace only the ClusterRoleBinding is looked at.
    expect(authz.authorize(resource(robot, 'delete', { namespace: 'default', name: 'p' })).reason).toBe('RBAC: clusterrole.rbac.authorization.k8s.io "also-gone" not found');
    expect(authz.authorize(resource({ name: 'someone', groups: [] }, 'delete', { namespace: 'seldon', name: 'p' }))).toEqual({ allowed: false, reason: '' });
  });

  it('follows bindings and roles as they are created, changed and deleted', () => {
    const store = storeWith(podReader);
    const authz = new RbacAuthorizer(store);
    const list = () => authz.authorize(resource(robot, 'list', { namespace: 'seldon' })).allowed;
    expect(list()).toBe(false);
    put(store, binding('RoleBinding', 'b', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject], 'seldon'));
    expect(list()).toBe(true);
    put(store, role('ClusterRole', 'pod-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]));
    expect(list()).toBe(false);
    put(store, podReader);
    expect(list()).toBe(true);
    // A binding edited to name someone else no longer grants anything to the robot.
    put(store, binding('RoleBinding', 'b', { kind: 'ClusterRole', name: 'pod-reader' }, [{ kind: 'User', name: 'alice' }], 'seldon'));
    expect(list()).toBe(false);
    put(store, binding('RoleBinding', 'b', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject], 'seldon'));
    remove(store, 'RoleBinding', 'seldon', 'b');
    expect(list()).toBe(false);
  });

  it('reads bindings stored before it started (a sandbox loaded from its data directory)', () => {
    const store = storeWith(podReader, binding('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject]));
    expect(new RbacAuthorizer(store).authorize(resource(robot, 'watch')).allowed).toBe(true);
  });

  it('has the bootstrap policy: discovery, version, health checks and self reviews for every authenticated user', () => {
    const authz = new RbacAuthorizer(new Store());
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/openapi/v2', '/openapi/v3/apis/apps/v1', '/version', '/healthz', '/livez', '/readyz']) {
      expect(authz.authorize(path(robot, p)).allowed, p).toBe(true);
    }
    for (const p of ['/', '/metrics', '/healthz/etcd', '/logs']) expect(authz.authorize(path(robot, p)).allowed, p).toBe(false);
    expect(authz.authorize(resource(robot, 'create', { group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }))).toEqual({
      allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"',
    });
    expect(authz.authorize(resource(robot, 'create', { group: 'authorization.k8s.io', resource: 'subjectaccessreviews' })).allowed).toBe(false);
    // Not for a user outside system:authenticated.
    expect(authz.authorize(path({ name: 'x', groups: [] }, '/apis')).allowed).toBe(false);
    expect(authz.authorize(path({ name: 'x', groups: ['system:unauthenticated'] }, '/version')).allowed).toBe(true);
  });

  it('lets a stored ClusterRole or ClusterRoleBinding of a bootstrap name take the built-in one\'s place', () => {
    const store = new Store();
    const authz = new RbacAuthorizer(store);
    put(store, binding('ClusterRoleBinding', 'system:discovery', { kind: 'ClusterRole', name: 'system:discovery' }, [{ kind: 'Group', name: 'ops' }]));
    expect(authz.authorize(path(robot, '/apis')).allowed).toBe(false);
    expect(authz.authorize(path({ name: 'o', groups: ['ops'] }, '/apis')).allowed).toBe(true);
    put(store, role('ClusterRole', 'system:discovery', [{ verbs: ['get'], nonResourceURLs: ['/version'] }]));
    expect(authz.authorize(path({ name: 'o', groups: ['ops'] }, '/apis')).allowed).toBe(false);
    // cluster-admin exists for bindings to name, as on every cluster.
    put(store, binding('ClusterRoleBinding', 'robot-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [robotSubject]));
    expect(authz.authorize(resource(robot, 'delete', { group: 'apps', resource: 'deployments', namespace: 'x', name: 'y' })).allowed).toBe(true);
  });

  it('lets system:masters (the kubeconfig admin) do anything, without consulting RBAC', () => {
    const authz = new RbacAuthorizer(new Store());
    expect(authz.authorize(resource(ADMIN_USER, 'deletecollection', { group: 'anything.io', resource: 'things' }))).toEqual({ allowed: true, reason: '' });
    expect(authz.authorize(path(ADMIN_USER, '/_sandbox/faults', 'post')).allowed).toBe(true);
  });

  it('lists the rules that apply to a user in a namespace (for SelfSubjectRulesReview)', () => {
    const authz = new RbacAuthorizer(storeWith(
      podReader,
      binding('RoleBinding', 'reader', { kind: 'ClusterRole', name: 'pod-reader' }, [robotSubject], 'seldon'),
      binding('RoleBinding', 'broken', { kind: 'Role', name: 'gone' }, [robotSubject], 'seldon'),
    ));
    const here = authz.rulesFor(robot, 'seldon');
    expect(here.rules).toContainEqual(expect.objectContaining({ verbs: ['get', 'list', 'watch'], resources: ['pods'] }));
    expect(here.error).toBe('role.rbac.authorization.k8s.io "gone" not found');
    expect(authz.rulesFor(robot, 'default').rules.some((r) => r.resources?.includes('pods'))).toBe(false);
  });

  it('tolerates malformed stored RBAC objects (rules and subjects of the wrong shape)', () => {
    const store = new Store();
    store.commit(`${RBAC}/clusterroles`, '/odd', 'ADDED', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'odd' }, rules: [{ verbs: 'get' }, null, 'x'] });
    store.commit(`${RBAC}/clusterrolebindings`, '/odd', 'ADDED', {
      apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'odd' }, roleRef: 'odd', subjects: [null, { kind: 'Group', name: 'system:authenticated' }],
    });
    const authz = new RbacAuthorizer(store);
    expect(authz.authorize(resource(robot, 'get', { namespace: 'x', name: 'y' }))).toEqual({ allowed: false, reason: 'RBAC: unsupported role reference kind: ""' });
  });
});
