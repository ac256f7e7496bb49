// SPDX-License-Identifier: Apache-2.0
// Impersonation: `kubectl --as=<user> --as-group=<group>` sends `Impersonate-User` and
// `Impersonate-Group` headers, and the API server then treats the request as that user's, after
// checking that the real requester may `impersonate` that user, group or ServiceAccount
// (k8s.io/apiserver endpoints/filters/impersonation.go). The admin may impersonate anyone, which
// makes `kubectl auth can-i list pods --as=system:serviceaccount:seldon-system:seldon-lab-operator`
// answer for the operator, as on a cluster.
import type { RbacAuthorizer } from './authz.js';
import { AUTHENTICATED_GROUP, serviceAccountGroups, serviceAccountUsername, splitServiceAccountUsername, type Attributes, type UserInfo } from './authz-rules.js';
import { forbidden } from './authz-requests.js';
import { errors } from './status.js';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

/** Headers as Node gives them with `req.headersDistinct`: every value of a repeated header. */
export type DistinctHeaders = NodeJS.Dict<string[]>;

/** Does the request ask to act as someone else? */
export function wantsImpersonation(headers: DistinctHeaders): boolean {
  return Object.keys(headers).some((h) => h === USER || h === GROUP || h === UID || h.startsWith(EXTRA_PREFIX));
}

/**
 * The user the request acts as: the requester itself without impersonation headers, otherwise
 * the impersonated user, once every part of it (user, each group, each extra, uid) is allowed.
 * Throws the 403 of the first part RBAC refuses.
 */
export function impersonate(requester: UserInfo, headers: DistinctHeaders, authorizer: RbacAuthorizer): UserInfo {
  if (!wantsImpersonation(headers)) return requester;
  const requestedUser = headers[USER]?.[0] ?? '';
  const requestedGroups = headers[GROUP] ?? [];
  const uid = headers[UID]?.[0] ?? '';
  const extras = Object.entries(headers).filter(([h]) => h.startsWith(EXTRA_PREFIX));
  if (requestedUser === '') {
    throw errors.internal('requested impersonation of groups, extras or a uid without impersonating a user');
  }

  const ask = (fields: Partial<Attributes>): void => {
    const attributes: Attributes = {
      user: requester, verb: 'impersonate', resourceRequest: true, group: '', version: 'v1',
      resource: '', subresource: '', namespace: '', name: '', path: '', ...fields,
    };
    const decision = authorizer.authorize(attributes);
    if (!decision.allowed) throw forbidden(attributes, decision.reason);
  };

  let groups: string[] = [];
  const account = splitServiceAccountUsername(requestedUser);
  if (account) {
    ask({ resource: 'serviceaccounts', namespace: account.namespace, name: account.name });
    // A ServiceAccount's groups are known; given groups replace them.
    if (requestedGroups.length === 0) groups = serviceAccountGroups(account.namespace);
  } else {
    ask({ resource: 'users', name: requestedUser });
  }
  for (const group of requestedGroups) {
    ask({ resource: 'groups', name: group });
    groups.push(group);
  }
  for (const [header, values] of extras) {
    let key = header.slice(EXTRA_PREFIX.length);
    try {
      key = decodeURIComponent(key);
    } catch {
      // kept as sent
    }
    for (const value of values ?? []) ask({ group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: value });
  }
  if (uid !== '') ask({ group: 'authentication.k8s.io', resource: 'uids', name: uid });

  const name = account ? serviceAccountUsername(account.namespace, account.name) : requestedUser;
  // Everyone but the anonymous user is authenticated, unless the groups given say otherwise.
  const marker = name === ANONYMOUS ? UNAUTHENTICATED_GROUP : AUTHENTICATED_GROUP;
  if (!groups.includes(marker) && !(name !== ANONYMOUS && groups.includes(UNAUTHENTICATED_GROUP))) groups.push(marker);
  return { name, groups, ...(uid ? { uid } : {}) };
}
