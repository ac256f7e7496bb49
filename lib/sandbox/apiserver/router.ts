// SPDX-License-Identifier: Apache-2.0
// URL -> what is being asked for. The Kubernetes REST layout is regular:
//
//   /api/v1/{plural}[/{name}[/{subresource}]]                          core, cluster-scoped or all namespaces
//   /api/v1/namespaces/{ns}/{plural}[/{name}[/{subresource}]]         core, namespaced
//   /apis/{group}/{version}/...                                        the same shapes for named groups
//   /api, /apis, /apis/{group}, /apis/{group}/{version}                discovery
//   /version, /healthz, /livez, /readyz, /openapi/v2, /openapi/v3[/...] the rest kubectl and helm ask for
//
// The router only reads the path and method. Whether the type exists, and what to answer, is the
// handlers' business.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRoute {
  kind: 'resource';
  group: string;
  version: string;
  plural: string;
  /** set for namespaced URLs (also for the namespace object's own subresources: see below) */
  namespace?: string;
  name?: string;
  subresource?: string;
  verb: Verb;
}

export type Route =
  | ResourceRoute
  | { kind: 'core-versions' } // /api
  | { kind: 'groups' } // /apis
  | { kind: 'group'; group: string } // /apis/{group}
  | { kind: 'group-version'; group: string; version: string } // /api/v1, /apis/{g}/{v}
  | { kind: 'version' }
  | { kind: 'health'; check: string }
  | { kind: 'openapi-v2' }
  | { kind: 'openapi-v3'; group?: string; version?: string }
  | { kind: 'faults' }
  | { kind: 'root' }
  | { kind: 'unknown' };

function verbOf(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/**
 * Routes a request. `isNamespacedPlural(group, version, plural)` settles the one ambiguous shape,
 * `/api/v1/namespaces/{a}/{b}`: a collection `b` in namespace `a`, or subresource `b` (status,
 * finalize) of namespace `a`.
 */
export function route(
  method: string,
  pathname: string,
  query: URLSearchParams,
  isNamespacedPlural: (group: string, version: string, plural: string) => boolean,
): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) return { kind: 'root' };
  const [head] = parts;
  if (head === 'version' && parts.length === 1) return { kind: 'version' };
  if ((head === 'healthz' || head === 'livez' || head === 'readyz') && parts.length <= 2) return { kind: 'health', check: parts[1] ?? head };
  if (head === 'openapi') {
    if (parts[1] === 'v2' && parts.length === 2) return { kind: 'openapi-v2' };
    if (parts[1] === 'v3') {
      if (parts.length === 2) return { kind: 'openapi-v3' };
      if (parts[2] === 'api' && parts[3] === 'v1' && parts.length === 4) return { kind: 'openapi-v3', group: '', version: 'v1' };
      if (parts[2] === 'apis' && parts.length === 5) return { kind: 'openapi-v3', group: parts[3], version: parts[4] };
    }
    return { kind: 'unknown' };
  }
  if (head === '_sandbox' && parts[1] === 'faults' && parts.length === 2) return { kind: 'faults' };

  let group: string;
  let version: string;
  let rest: string[];
  if (head === 'api') {
    if (parts.length === 1) return { kind: 'core-versions' };
    [group, version, rest] = ['', parts[1], parts.slice(2)];
  } else if (head === 'apis') {
    if (parts.length === 1) return { kind: 'groups' };
    if (parts.length === 2) return { kind: 'group', group: parts[1] };
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) return { kind: 'group-version', group, version };

  // The deprecated `/watch/` prefix (`/api/v1/watch/namespaces/x/pods`) is a watch=true list.
  let watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }

  let namespace: string | undefined;
  let plural: string;
  let name: string | undefined;
  let subresource: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && (rest.length > 3 || isNamespacedPlural(group, version, rest[2]))) {
    [namespace, plural, name, subresource] = [rest[1], rest[2], rest[3], rest[4]];
    if (rest.length > 5) return { kind: 'unknown' };
  } else {
    [plural, name, subresource] = [rest[0], rest[1], rest[2]];
    if (rest.length > 3) return { kind: 'unknown' };
  }
  // POST to an object's subresource is a create of that subresource (`pods/{name}/binding`).
  const verb = method === 'POST' && subresource !== undefined ? 'create' : verbOf(method, name !== undefined, watch);
  if (!verb || (subresource !== undefined && (verb === 'list' || verb === 'watch'))) return { kind: 'unknown' };
  return { kind: 'resource', group, version, plural, namespace, name, subresource, verb };
}
