// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { allowed, grantedKeys, permissionKey, requestAttributes, ruleAllows, type PolicyRule } from './rbac.js';

describe('requestAttributes', () => {
  it('reads namespaced, cluster-wide and subresource requests as the API server does', () => {
    expect(requestAttributes('patch', '/apis/machinelearning.seldon.io/v1/namespaces/seldon/seldondeployments/iris/status')).toEqual({
      verb: 'patch', group: 'machinelearning.seldon.io', resource: 'seldondeployments', namespace: 'seldon', name: 'iris', subresource: 'status',
    });
    expect(requestAttributes('watch', '/apis/apps/v1/deployments?watch=true&labelSelector=x')).toEqual({ verb: 'watch', group: 'apps', resource: 'deployments', namespace: undefined, name: undefined, subresource: undefined });
    expect(requestAttributes('create', '/api/v1/namespaces/seldon/events')).toMatchObject({ group: '', resource: 'events', namespace: 'seldon', name: undefined });
    // The Namespace object itself is a cluster-scoped resource named by the second segment.
    expect(requestAttributes('get', '/api/v1/namespaces/seldon')).toMatchObject({ group: '', resource: 'namespaces', name: 'seldon', namespace: undefined });
  });

  it('has no attributes for discovery and other non-resource URLs', () => {
    for (const path of ['/version', '/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/openapi/v3']) {
      expect(requestAttributes('get', path), path).toBeUndefined();
    }
  });
});

describe('ruleAllows and allowed', () => {
  const leases: PolicyRule[] = [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['seldon-lab-operator'], verbs: ['get', 'update'] },
  ];

  it('matches group, resource with subresource, and verb', () => {
    const rule: PolicyRule = { apiGroups: ['machinelearning.seldon.io'], resources: ['seldondeployments/status'], verbs: ['patch'] };
    const status = requestAttributes('patch', '/apis/machinelearning.seldon.io/v1/namespaces/a/seldondeployments/b/status')!;
    expect(ruleAllows(rule, status)).toBe(true);
    expect(ruleAllows(rule, { ...status, subresource: undefined })).toBe(false);
    expect(ruleAllows(rule, { ...status, verb: 'update' })).toBe(false);
    expect(ruleAllows(rule, { ...status, group: 'apps' })).toBe(false);
  });

  it('limits resourceNames rules to requests that name the object', () => {
    const get = requestAttributes('get', '/apis/coordination.k8s.io/v1/namespaces/seldon-system/leases/seldon-lab-operator')!;
    expect(allowed([{ rules: leases, namespace: 'seldon-system' }], get)).toBe(true);
    expect(allowed([{ rules: leases, namespace: 'seldon-system' }], { ...get, name: 'kube-scheduler' })).toBe(false);
    // A create's URL names no object: only the rule without resourceNames can allow it.
    expect(allowed([{ rules: leases, namespace: 'seldon-system' }], requestAttributes('create', '/apis/coordination.k8s.io/v1/namespaces/seldon-system/leases')!)).toBe(true);
    expect(allowed([{ rules: leases.slice(1), namespace: 'seldon-system' }], requestAttributes('create', '/apis/coordination.k8s.io/v1/namespaces/seldon-system/leases')!)).toBe(false);
  });

  it('applies a Role only in its namespace, a ClusterRole everywhere', () => {
    const request = requestAttributes('get', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/seldon-lab-operator')!;
    expect(allowed([{ rules: leases, namespace: 'seldon-system' }], request)).toBe(false);
    expect(allowed([{ rules: leases }], request)).toBe(true);
  });

  it('honours "*" wildcards, which the chart never uses', () => {
    expect(ruleAllows({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { verb: 'delete', group: 'x', resource: 'y' })).toBe(true);
  });
});

describe('grantedKeys', () => {
  it('lists every group/resource/verb once, in order', () => {
    expect(grantedKeys([
      { apiGroups: [''], resources: ['pods'], verbs: ['watch', 'list'] },
      { apiGroups: ['machinelearning.seldon.io'], resources: ['seldondeployments/status'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ])).toEqual(['core/pods list', 'core/pods watch', 'machinelearning.seldon.io/seldondeployments/status patch']);
    expect(permissionKey({ group: 'apps', resource: 'deployments', verb: 'get' })).toBe('apps/deployments get');
  });
});
