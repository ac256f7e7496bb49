// SPDX-License-Identifier: Apache-2.0
// The vocabulary of RBAC (k8s.io/apiserver authorizer.Attributes, rbac/v1 PolicyRule) and how one
// rule matches one request (plugin/pkg/auth/authorizer/rbac RuleAllows). Which rules apply to
// whom is the authorizer's business (authz.ts).
//
// Users: the kubeconfig's admin is in `system:masters`; a ServiceAccount's user is
// `system:serviceaccount:<ns>:<name>`, in the groups `system:serviceaccounts`,
// `system:serviceaccounts:<ns>` and `system:authenticated`.

/** Who is asking (k8s.io/apiserver user.Info). */
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
}

/** What is asked (authorizer.Attributes). Empty strings mean "none", as in Go. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** false for a plain URL path (`/version`, `/apis`, `/healthz`) */
  resourceRequest: boolean;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** '' for cluster-scoped resources and for namespaced ones across all namespaces */
  namespace: string;
  name: string;
  /** the URL path of a non-resource request */
  path: string;
}

/** An rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** The group kube-apiserver lets do anything, and the kubeconfig admin's identity in it. */
export const MASTERS_GROUP = 'system:masters';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const ADMIN_USER: UserInfo = { name: 'kubernetes-admin', groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };

const SA_PREFIX = 'system:serviceaccount:';

/** A ServiceAccount's user name (serviceaccount.MakeUsername). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** The groups of every ServiceAccount of a namespace (serviceaccount.MakeGroupNames). */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** `system:serviceaccount:<ns>:<name>` -> its parts; undefined for any other user name. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** The user a ServiceAccount token authenticates as. */
export function serviceAccountUser(sa: { namespace: string; name: string; uid?: string }): UserInfo {
  return { name: serviceAccountUsername(sa.namespace, sa.name), uid: sa.uid, groups: [...serviceAccountGroups(sa.namespace), AUTHENTICATED_GROUP] };
}

// --- matching one rule (rbac/v1 helpers) -----------------------------------------------------

const hasOrAll = (list: string[] | undefined, value: string): boolean => (list ?? []).some((v) => v === '*' || v === value);

// `resources` matches `*`, the exact resource (`pods`, `pods/log`), or `*/<subresource>` (every
// resource's `scale`, say). Not `pods/*`: that is not a pattern RBAC knows.
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

/**
 * `resourceNames` limits a rule to named objects. A request names an object only in its URL (get,
 * update, patch, delete) or, for list and watch, with `fieldSelector=metadata.name=<name>`; create
 * and deletecollection never do, so a rule with resourceNames never allows them.
 */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** `nonResourceURLs`: `*`, the exact path, or a prefix ending in `*` (`/apis/*`). */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** Does this one rule allow the request? (rbac.RuleAllows) */
export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (!hasOrAll(rule.verbs, attributes.verb)) return false;
  if (!attributes.resourceRequest) return nonResourceURLMatches(rule, attributes.path);
  const combined = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  return hasOrAll(rule.apiGroups, attributes.group)
    && resourceMatches(rule, combined, attributes.subresource)
    && resourceNameMatches(rule, attributes.name);
}
