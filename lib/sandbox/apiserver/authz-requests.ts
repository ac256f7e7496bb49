// SPDX-License-Identifier: Apache-2.0
// From an HTTP request to the attributes RBAC decides on, and from a refusal back to the 403 the
// client sees, both as kube-apiserver does them (k8s.io/apiserver endpoints/request RequestInfo,
// and responsewriters.Forbidden).
//
// The verb comes from the method and the URL, not from what the server will do with it:
//
//   GET    /api/v1/namespaces/ns/pods            list       (?watch=true: watch)
//   GET    /api/v1/namespaces/ns/pods/x          get        (/api/v1/watch/namespaces/ns/pods/x: watch)
//   POST   /api/v1/namespaces/ns/pods            create     (no name: it is in the body)
//   PUT    .../pods/x, PATCH .../pods/x          update, patch
//   DELETE .../pods/x, DELETE .../pods           delete, deletecollection
//   GET    .../pods/x/log                        get of resource "pods/log"
//   GET    /api/v1/namespaces/ns                 get of "namespaces" x, *in* namespace x
//   GET    /apis, /openapi/v3, /version, ...     not a resource: verb "get" on the path
//
// A list or watch with `fieldSelector=metadata.name=x` names x, so a rule limited to resourceNames
// can allow it. Whether the resource exists does not matter: authorization comes first, and a
// request RBAC refuses gets 403 even for a type the server does not serve.
import type { Attributes, UserInfo } from './authz-rules.js';
import { errors, type ApiError } from './status.js';

/** Prefixes that start a verb rather than a namespace or resource (`/api/v1/watch/...`). */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
/** What `/namespaces/<ns>/<this>` means as a namespace's own subresource, not a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Go's url.URL.Path: percent-escapes decoded (a path that cannot be is taken as it is). */
function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** A name that can be a URL path segment (path.IsValidPathSegmentName). */
function validPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/**
 * The name a field selector pins exactly (`metadata.name=x` or `==x`, among other terms), as
 * fields.Selector.RequiresExactMatch reads it; undefined when there is none or the selector
 * does not parse.
 */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    if (selector[i] === '\\' && i + 1 < selector.length) {
      current += selector[i] + selector[i + 1];
      i++;
    } else if (selector[i] === ',') {
      terms.push(current);
      current = '';
    } else {
      current += selector[i];
    }
  }
  terms.push(current);
  let found: string | undefined;
  for (const term of terms) {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!match) return undefined;
    if (found === undefined && match[1].trim() === 'metadata.name' && match[2] !== '!=') found = match[3].replace(/\\(.)/g, '$1');
  }
  return found;
}

/** The query's `watch` as the apiserver decodes a bool parameter: present and not "0"/"false". */
function watchParam(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

/** The attributes of a request (RequestInfoFactory.NewRequestInfo), for this user. */
export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const path = decodedPath(url.pathname);
  const attributes: Attributes = {
    user, verb: method.toLowerCase(), resourceRequest: false, path,
    group: '', version: '', resource: '', subresource: '', namespace: '', name: '',
  };
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  let parts = trimmed === '' ? [] : trimmed.split('/');
  // Anything shorter than /api/v1/<resource> or /apis/<group>/<version>/<resource> is not a resource.
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return attributes;
  const named = parts[0] === 'apis';
  parts = parts.slice(1);
  if (named) {
    if (parts.length < 3) return attributes;
    attributes.group = parts[0];
    parts = parts.slice(1);
  }
  attributes.version = parts[0];
  parts = parts.slice(1);

  let verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  if (SPECIAL_VERBS.has(parts[0])) {
    // `/api/v1/watch` alone cannot say what to watch: the apiserver refuses to authorize it.
    if (parts.length < 2) return attributes;
    verb = parts[0];
    parts = parts.slice(1);
  }
  attributes.resourceRequest = true;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    attributes.namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  attributes.resource = parts[0] ?? '';
  attributes.name = parts[1] ?? '';
  if (parts.length >= 3 && verb !== 'proxy') attributes.subresource = parts[2];

  if (attributes.name === '' && verb === 'get') {
    verb = watchParam(url.searchParams) ? 'watch' : 'list';
    const name = exactName(url.searchParams.get('fieldSelector'));
    if (name !== undefined && validPathSegmentName(name)) attributes.name = name;
  }
  if (attributes.name === '' && verb === 'delete') verb = 'deletecollection';
  attributes.verb = verb;
  return attributes;
}

/** Go's `%q` for the names in these messages. */
const quote = (s: string): string => JSON.stringify(s);

/** Keeps a message from reading as HTML (responsewriters' sanitizer; quotes stay). */
const sanitize = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What the user may not do, in the apiserver's words (forbiddenMessage). */
export function forbiddenMessage(a: Attributes): string {
  const user = quote(a.user.name);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${quote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${quote(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${quote(resource)} in API group ${quote(a.group)} ${where}`;
}

/**
 * The 403 for a refused request: `pods "x" is forbidden: User "..." cannot get resource "pods" in
 * API group "" in the namespace "default"`, followed by RBAC's reason when it has one (a binding
 * whose role does not exist, say). `details` name the resource (without subresource), group and name.
 */
export function forbidden(a: Attributes, reason: string): ApiError {
  const message = sanitize(forbiddenMessage(a));
  const why = reason ? `${message}: ${reason}` : message;
  return a.resourceRequest ? errors.forbiddenOn(a.resource, a.group, a.name, why) : errors.forbiddenOn('', '', '', why);
}
