// SPDX-License-Identifier: Apache-2.0
// RBAC: who may do what, decided the way kube-apiserver's RBAC authorizer decides it
// (plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation), so a chart whose Roles forget a
// verb fails in the sandbox exactly as on a cluster.
//
// A request is a set of attributes (authz-requests.ts turns HTTP into them): a user with groups, a
// verb, and either a resource (API group, resource, subresource, namespace, name) or a plain URL
// path. RBAC has no "deny": permissions only add up. The request is allowed when some rule of some
// role bound to the user matches it (authz-rules.ts: how one rule matches):
//
//   ClusterRoleBinding -> ClusterRole        the rules hold everywhere, cluster-scoped resources included
//   RoleBinding        -> Role               the rules hold in the binding's namespace
//   RoleBinding        -> ClusterRole        the ClusterRole's rules, but only in the binding's namespace
//
// A binding names its subjects as User, Group or ServiceAccount; a ServiceAccount's user is
// `system:serviceaccount:<ns>:<name>`, in the groups `system:serviceaccounts`,
// `system:serviceaccounts:<ns>` and `system:authenticated`. The kubeconfig's admin is in
// `system:masters`, which kube-apiserver lets do anything before RBAC is even asked.
//
// Like a fresh cluster, the sandbox has the bootstrap policy every authenticated user relies on
// (discovery, /version and the health checks, "may I?" reviews) and `cluster-admin`. They are not
// stored objects here (`kubectl get clusterroles` does not list them); a stored ClusterRole or
// ClusterRoleBinding of the same name takes their place. Aggregated ClusterRoles (`admin`, `edit`,
// `view`) are not filled in: their stored rules are used as they are.
//
// A request must not list every binding: an index from subject to bindings, kept current by the
// store's change listener, finds the few that name the user or one of its groups.
import { AUTHENTICATED_GROUP, MASTERS_GROUP, ruleAllows, serviceAccountUsername, type Attributes, type PolicyRule, type UserInfo } from './authz-rules.js';
import { resourceKey } from './resources.js';
import { objectKey, type Change, type Store } from './store.js';
import type { KubeObject } from './types.js';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface RoleRef {
  kind: string;
  name: string;
}

/** A binding as the authorizer reads it (stored or bootstrap). */
interface Binding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by ...`, or why rules could not be read (`RBAC: role... not found`), or '' */
  reason: string;
}

// --- the bootstrap policy ----------------------------------------------------------------------

/** The ClusterRoles a new cluster has that every user needs (plugin/pkg/auth/authorizer/rbac/bootstrappolicy). */
const BOOTSTRAP_CLUSTER_ROLES = new Map<string, PolicyRule[]>([
  ['cluster-admin', [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ]],
  // What clients read before they do anything: API discovery, OpenAPI, version and health.
  ['system:discovery', [
    { verbs: ['get'], nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'] },
  ]],
  // Asking "may I?" (`kubectl auth can-i`, `kubectl auth whoami`).
  ['system:basic-user', [
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ]],
  ['system:public-info-viewer', [
    { verbs: ['get'], nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/'] },
  ]],
]);

const groupSubject = (name: string): Subject => ({ kind: 'Group', name });
const bootstrapBinding = (name: string, ...groups: string[]): Binding => ({
  kind: 'ClusterRoleBinding', name, namespace: '', roleRef: { kind: 'ClusterRole', name }, subjects: groups.map(groupSubject),
});
const BOOTSTRAP_BINDINGS: Binding[] = [
  bootstrapBinding('cluster-admin', MASTERS_GROUP),
  bootstrapBinding('system:basic-user', AUTHENTICATED_GROUP),
  bootstrapBinding('system:discovery', AUTHENTICATED_GROUP),
  bootstrapBinding('system:public-info-viewer', AUTHENTICATED_GROUP, 'system:unauthenticated'),
];

// --- reading stored objects defensively (the sandbox validates RBAC objects only lightly) --------

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLES = resourceKey({ group: RBAC_GROUP, plural: 'roles' });
const CLUSTER_ROLES = resourceKey({ group: RBAC_GROUP, plural: 'clusterroles' });
const ROLE_BINDINGS = resourceKey({ group: RBAC_GROUP, plural: 'rolebindings' });
const CLUSTER_ROLE_BINDINGS = resourceKey({ group: RBAC_GROUP, plural: 'clusterrolebindings' });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function rulesOf(role: KubeObject): PolicyRule[] {
  if (!Array.isArray(role.rules)) return [];
  return role.rules.filter(isRecord).map((r) => ({
    verbs: strings(r.verbs) ?? [],
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  }));
}

function bindingOf(object: KubeObject, kind: Binding['kind']): Binding {
  const ref = isRecord(object.roleRef) ? object.roleRef : {};
  const subjects = Array.isArray(object.subjects) ? object.subjects.filter(isRecord) : [];
  return {
    kind,
    name: object.metadata.name ?? '',
    namespace: object.metadata.namespace ?? '',
    roleRef: { kind: text(ref.kind), name: text(ref.name) },
    subjects: subjects.map((s) => ({ kind: text(s.kind), name: text(s.name), namespace: text(s.namespace) || undefined })),
  };
}

/** Does this subject of a binding stand for the user? (appliesToUser) */
function appliesToUser(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return user.name === subject.name;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount without a namespace is one of the binding's namespace.
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.name === serviceAccountUsername(namespace, subject.name);
    }
    default: return false;
  }
}

/** The index keys a subject is found under: the user name it stands for, or its group. */
function subjectKey(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case 'User': return `user:${subject.name}`;
    case 'Group': return `group:${subject.name}`;
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace ? `user:${serviceAccountUsername(namespace, subject.name)}` : undefined;
    }
    default: return undefined;
  }
}

/** `[a, b]` for several errors, the one message for one (utilerrors.NewAggregate). */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** How an allowing binding is described (`RBAC: allowed by ...`). */
function describe(binding: Binding, subject: Subject): string {
  const who = subject.kind === 'ServiceAccount'
    ? `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || binding.namespace}`)}`
    : `${subject.kind} ${JSON.stringify(subject.name)}`;
  const name = binding.kind === 'RoleBinding' ? `${binding.name}/${binding.namespace}` : binding.name;
  return `${binding.kind} ${JSON.stringify(name)} of ${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name)} to ${who}`;
}

/** Visits each rule that applies to a user in a namespace; return false to stop. An error has no rule. */
type Visitor = (source: string | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/**
 * The RBAC authorizer over a sandbox store. Keeps an index from subject (user name or group) to
 * the bindings that name it; the roles themselves are read from the store when a binding applies.
 */
export class RbacAuthorizer {
  /** `user:<name>` / `group:<name>` -> ClusterRoleBinding store keys */
  private readonly clusterBindings = new Map<string, Set<string>>();
  /** `<namespace>\0user:<name>` / `<namespace>\0group:<name>` -> RoleBinding store keys */
  private readonly roleBindings = new Map<string, Set<string>>();

  constructor(private readonly store: Store) {
    for (const object of store.list(CLUSTER_ROLE_BINDINGS)) this.index(CLUSTER_ROLE_BINDINGS, object, 'add');
    for (const object of store.list(ROLE_BINDINGS)) this.index(ROLE_BINDINGS, object, 'add');
    store.onChange((change) => this.changed(change));
  }

  /** Allowed, or not (with RBAC's reason either way). */
  authorize(attributes: Attributes): Decision {
    // The privileged group comes before RBAC: nothing is checked, and there is no reason to give.
    if (attributes.user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
    let allowedBy: string | undefined;
    const problems: string[] = [];
    this.visitRulesFor(attributes.user, attributes.namespace, (source, rule, error) => {
      if (rule && ruleAllows(attributes, rule)) {
        allowedBy = source;
        return false;
      }
      if (error) problems.push(error);
      return true;
    });
    if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    return { allowed: false, reason: problems.length > 0 ? `RBAC: ${aggregate(problems)}` : '' };
  }

  /** Every rule that applies to the user in a namespace ('' = cluster-wide ones only), and what could not be read. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; error?: string } {
    const rules: PolicyRule[] = [];
    const problems: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error) problems.push(error);
      return true;
    });
    return problems.length > 0 ? { rules, error: aggregate(problems) } : { rules };
  }

  /** ClusterRoleBindings first, then the RoleBindings of the namespace, each in name order. */
  private visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    const keys = [`user:${user.name}`, ...user.groups.map((g) => `group:${g}`)];
    const cluster = this.bindings(this.clusterBindings, CLUSTER_ROLE_BINDINGS, 'ClusterRoleBinding', keys);
    for (const b of BOOTSTRAP_BINDINGS) if (!this.store.get(CLUSTER_ROLE_BINDINGS, objectKey(undefined, b.name))) cluster.push(b);
    cluster.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const namespaced = namespace === '' ? [] : this.bindings(this.roleBindings, ROLE_BINDINGS, 'RoleBinding', keys.map((k) => `${namespace}\0${k}`));
    for (const binding of [...cluster, ...namespaced]) {
      const subject = binding.subjects.find((s) => appliesToUser(user, s, binding.namespace));
      if (!subject) continue;
      const rules = this.roleRules(binding.roleRef, binding.namespace);
      if (typeof rules === 'string') {
        if (!visit(undefined, undefined, rules)) return;
        continue;
      }
      const source = describe(binding, subject);
      for (const rule of rules) if (!visit(source, rule, undefined)) return;
    }
  }

  /** The bindings the index holds under any of these keys, read from the store, in key order. */
  private bindings(index: Map<string, Set<string>>, resource: string, kind: Binding['kind'], keys: string[]): Binding[] {
    const found = new Set<string>();
    for (const key of keys) for (const storeKey of index.get(key) ?? []) found.add(storeKey);
    const out: Binding[] = [];
    for (const storeKey of [...found].sort()) {
      const object = this.store.get(resource, storeKey);
      if (object) out.push(bindingOf(object, kind));
    }
    return out;
  }

  /** A binding's role's rules, or the error the real resolver reports (GetRoleReferenceRules). */
  private roleRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] | string {
    switch (ref.kind) {
      case 'Role': {
        const role = this.store.get(ROLES, objectKey(bindingNamespace, ref.name));
        return role ? rulesOf(role) : `role.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`;
      }
      case 'ClusterRole': {
        const role = this.store.get(CLUSTER_ROLES, objectKey(undefined, ref.name));
        if (role) return rulesOf(role);
        return BOOTSTRAP_CLUSTER_ROLES.get(ref.name) ?? `clusterrole.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`;
      }
      default:
        return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
    }
  }

  private changed(change: Change): void {
    if (change.resource !== CLUSTER_ROLE_BINDINGS && change.resource !== ROLE_BINDINGS) return;
    if (change.previous) this.index(change.resource, change.previous, 'remove');
    if (change.type !== 'DELETED') this.index(change.resource, change.object, 'add');
  }

  private index(resource: string, object: KubeObject, how: 'add' | 'remove'): void {
    const clusterWide = resource === CLUSTER_ROLE_BINDINGS;
    const binding = bindingOf(object, clusterWide ? 'ClusterRoleBinding' : 'RoleBinding');
    const storeKey = objectKey(clusterWide ? undefined : binding.namespace, binding.name);
    const index = clusterWide ? this.clusterBindings : this.roleBindings;
    for (const subject of binding.subjects) {
      const key = subjectKey(subject, binding.namespace);
      if (key === undefined) continue;
      const full = clusterWide ? key : `${binding.namespace}\0${key}`;
      const set = index.get(full);
      if (how === 'add') {
        if (set) set.add(storeKey);
        else index.set(full, new Set([storeKey]));
      } else if (set) {
        set.delete(storeKey);
        if (set.size === 0) index.delete(full);
      }
    }
  }
}
