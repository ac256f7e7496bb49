// SPDX-License-Identifier: Apache-2.0
// How one RBAC rule matches one request: verbs, API groups, resources and subresources,
// resourceNames, and URL paths.
import { describe, expect, it } from 'vitest';
import { ruleAllows, serviceAccountUser, type Attributes, type PolicyRule, type UserInfo } from './authz-rules.js';

const robot = serviceAccountUser({ namespace: 'seldon', name: 'robot' });

function resource(user: UserInfo, verb: string, fields: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, group: '', version: 'v1', resource: 'pods', subresource: '', namespace: '', name: '', path: '', ...fields };
}

function path(user: UserInfo, p: string, verb = 'get'): Attributes {
  return { user, verb, resourceRequest: false, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', path: p };
}

describe('ruleAllows', () => {
  const allows = (rule: PolicyRule, a: Attributes) => ruleAllows(a, rule);

  it('needs the verb, the API group and the resource to match, each exactly or by *', () => {
    const rule = { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] };
    expect(allows(rule, resource(robot, 'list', { group: 'apps', resource: 'deployments' }))).toBe(true);
    expect(allows(rule, resource(robot, 'watch', { group: 'apps', resource: 'deployments' }))).toBe(false);
    expect(allows(rule, resource(robot, 'list', { group: '', resource: 'deployments' }))).toBe(false);
    expect(allows(rule, resource(robot, 'list', { group: 'apps', resource: 'replicasets' }))).toBe(false);
    expect(allows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, resource(robot, 'deletecollection', { group: 'x.io', resource: 'anything' }))).toBe(true);
    // A rule without apiGroups matches no resource at all.
    expect(allows({ verbs: ['get'], resources: ['pods'] }, resource(robot, 'get'))).toBe(false);
  });

  it('matches a subresource only as `resource/subresource` or `*/subresource`', () => {
    const status = resource(robot, 'patch', { group: 'machinelearning.seldon.io', resource: 'seldondeployments', subresource: 'status' });
    expect(allows({ verbs: ['patch'], apiGroups: ['machinelearning.seldon.io'], resources: ['seldondeployments'] }, status)).toBe(false);
    expect(allows({ verbs: ['patch'], apiGroups: ['machinelearning.seldon.io'], resources: ['seldondeployments/status'] }, status)).toBe(true);
    expect(allows({ verbs: ['patch'], apiGroups: ['*'], resources: ['*/status'] }, status)).toBe(true);
    expect(allows({ verbs: ['patch'], apiGroups: ['*'], resources: ['*/scale'] }, status)).toBe(false);
    expect(allows({ verbs: ['patch'], apiGroups: ['*'], resources: ['seldondeployments/*'] }, status)).toBe(false);
    // The rule for a subresource does not cover its resource.
    expect(allows({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, resource(robot, 'get', { name: 'x' }))).toBe(false);
  });

  it('with resourceNames, allows only requests that name one of them (never create or an unfiltered list)', () => {
    const rule = { verbs: ['get', 'update', 'create', 'list'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['leader'] };
    const lease = (verb: string, name: string) => resource(robot, verb, { group: 'coordination.k8s.io', resource: 'leases', namespace: 'seldon', name });
    expect(allows(rule, lease('get', 'leader'))).toBe(true);
    expect(allows(rule, lease('update', 'leader'))).toBe(true);
    expect(allows(rule, lease('get', 'other'))).toBe(false);
    expect(allows(rule, lease('create', ''))).toBe(false);
    expect(allows(rule, lease('list', ''))).toBe(false);
    // A list narrowed to the name by a field selector names it (authz-requests.ts).
    expect(allows(rule, lease('list', 'leader'))).toBe(true);
  });

  it('matches URL paths exactly, or by a prefix that ends in *', () => {
    const rule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    expect(allows(rule, path(robot, '/healthz'))).toBe(true);
    expect(allows(rule, path(robot, '/healthz/ping'))).toBe(false);
    expect(allows(rule, path(robot, '/apis/apps/v1'))).toBe(true);
    expect(allows(rule, path(robot, '/apis'))).toBe(false);
    expect(allows(rule, path(robot, '/healthz', 'post'))).toBe(false);
    // A resource rule does not match a path, nor a path rule a resource.
    expect(allows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, path(robot, '/metrics'))).toBe(false);
    expect(allows({ verbs: ['*'], nonResourceURLs: ['*'] }, resource(robot, 'get'))).toBe(false);
  });
});
