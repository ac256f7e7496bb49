// SPDX-License-Identifier: Apache-2.0
// Kubernetes RBAC in miniature: what a request asks for (its "attributes"), and whether a set of
// rules allows it. The chart test records every request the operator makes on the sandbox and
// checks each against the chart's ClusterRole and Roles with these two functions; the live test
// asks the real API server the same questions (`kubectl auth can-i`).
//
// The rules are the API server's (k8s.io/apiserver RequestInfo and the RBAC authorizer): a URL
// names a group, a resource, maybe a namespace, a name and a subresource; a rule allows a request
// when its apiGroups, resources ("pods/log" for a subresource) and verbs all match, and, if it
// lists resourceNames, the request names one of them. `create` and `list` URLs name no object,
// so a rule with resourceNames never allows them.

export interface RequestAttributes {
  verb: string;
  /** '' for the core group */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Where a rule set applies: everywhere (ClusterRoleBinding) or in one namespace (RoleBinding). */
export interface Grant {
  rules: PolicyRule[];
  /** undefined: every namespace and cluster-scoped resources */
  namespace?: string;
}

/**
 * The attributes of a resource request, from its Kubernetes verb and URL path, e.g.
 * ('patch', '/apis/machinelearning.seldon.io/v1/namespaces/seldon/seldondeployments/x/status').
 * Undefined for non-resource URLs (/version, /api, /apis/<group>, /openapi/v3, ...).
 */
export function requestAttributes(verb: string, path: string): RequestAttributes | undefined {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return undefined;
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>... is a namespaced request; /namespaces/<ns> alone is the Namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  return { verb, group, resource, namespace, name, subresource };
}

function matches(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((item) => item === '*' || item === value);
}

export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  if (!matches(rule.apiGroups, request.group)) return false;
  if (!matches(rule.resources, resource)) return false;
  if (!matches(rule.verbs, request.verb)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return request.name !== undefined && rule.resourceNames.includes(request.name);
  return true;
}

/** Whether any grant allows the request (RBAC only adds permissions; there is no deny). */
export function allowed(grants: Grant[], request: RequestAttributes): boolean {
  return grants.some((g) => (g.namespace === undefined || g.namespace === request.namespace) && g.rules.some((rule) => ruleAllows(rule, request)));
}

/** `group/resource[/subresource] verb` for messages and set comparisons, e.g. `apps/deployments get`. */
export function permissionKey(request: Pick<RequestAttributes, 'group' | 'resource' | 'subresource' | 'verb'>): string {
  return `${request.group || 'core'}/${request.resource}${request.subresource ? `/${request.subresource}` : ''} ${request.verb}`;
}

/** Every (group, resource, verb) a rule set grants, as permission keys (resourceNames ignored). */
export function grantedKeys(rules: PolicyRule[]): string[] {
  const keys = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const [name, sub] = resource.split('/');
        for (const verb of rule.verbs) keys.add(permissionKey({ group, resource: name, subresource: sub, verb }));
      }
    }
  }
  return [...keys].sort();
}
