// SPDX-License-Identifier: Apache-2.0
// authorization.k8s.io/v1: asking the authorizer a question instead of trying and failing. Nothing
// is stored; a POST gets 201 with the question and its answer in `status`.
//
//   SelfSubjectAccessReview    "may I ...?"             `kubectl auth can-i list pods`
//   SelfSubjectRulesReview     "what may I do here?"    `kubectl auth can-i --list -n seldon`
//   SubjectAccessReview        "may this user ...?"     for admins and webhooks (needs its own grant)
//   LocalSubjectAccessReview   the same, in one namespace
//
// Every authenticated user may ask the first two about itself (the bootstrap role
// system:basic-user, authz.ts). The answers are RBAC's: `allowed`, and a `reason` naming the
// binding that allowed it, or what could not be read.
import type { ApiCore } from './core.js';
import type { RbacAuthorizer } from './authz.js';
import type { Attributes, PolicyRule, UserInfo } from './authz-rules.js';
import { errors, type StatusCause } from './status.js';
import type { KubeObject, ResourceType } from './types.js';

export const REVIEW_GROUP = 'authorization.k8s.io';
const REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews']);

/** Is this a type whose POST is a question to the authorizer? */
export function isReview(type: Pick<ResourceType, 'group' | 'plural'>): boolean {
  return type.group === REVIEW_GROUP && REVIEWS.has(type.plural);
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

interface ResourceAttributes {
  namespace: string; verb: string; group: string; version: string; resource: string; subresource: string; name: string;
}
interface NonResourceAttributes { path: string; verb: string }

const RESOURCE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;

function resourceAttributesOf(v: unknown): ResourceAttributes | undefined {
  if (!isRecord(v)) return undefined;
  return Object.fromEntries(RESOURCE_FIELDS.map((f) => [f, text(v[f])])) as unknown as ResourceAttributes;
}

function nonResourceAttributesOf(v: unknown): NonResourceAttributes | undefined {
  return isRecord(v) ? { path: text(v.path), verb: text(v.verb) } : undefined;
}

/** Drops empty strings, as Go's `omitempty` writes a struct back. */
function omitEmpty<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}

/** `%#v` of the internal NonResourceAttributes, as a field error prints a struct value. */
function goNonResource(n: NonResourceAttributes): string {
  return `authorization.NonResourceAttributes{Path:${JSON.stringify(n.path)}, Verb:${JSON.stringify(n.verb)}}`;
}

const invalidCause = (field: string, value: string, detail: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field });

/** ValidateSubjectAccessReviewSpec's first two checks: exactly one of the two kinds of attributes. */
function attributeCauses(resource: ResourceAttributes | undefined, nonResource: NonResourceAttributes | undefined): StatusCause[] {
  if (resource && nonResource) return [invalidCause('spec.nonResourceAttributes', goNonResource(nonResource), 'cannot be specified in combination with resourceAttributes')];
  if (!resource && !nonResource) return [invalidCause('spec.resourceAttributes', '"null"', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

/** The attributes a review asks about (authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom). */
function attributesFrom(user: UserInfo, resource: ResourceAttributes | undefined, nonResource: NonResourceAttributes | undefined): Attributes {
  if (resource) {
    return { user, verb: resource.verb, resourceRequest: true, group: resource.group, version: resource.version || '*', resource: resource.resource, subresource: resource.subresource, namespace: resource.namespace, name: resource.name, path: '' };
  }
  const n = nonResource!;
  return { user, verb: n.verb, resourceRequest: false, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', path: n.path };
}

/** The object the server answers with: the question as decoded, then the answer. */
function answer(type: ResourceType, namespace: string | undefined, spec: Json, status: Json): KubeObject {
  // `creationTimestamp: null` is how Go writes the zero time of an object that was never stored.
  const metadata = namespace ? { namespace, creationTimestamp: null } : { creationTimestamp: null };
  return { kind: type.kind, apiVersion: `${REVIEW_GROUP}/${type.version}`, metadata, spec, status } as unknown as KubeObject;
}

function resourceRule(rule: PolicyRule): Json {
  return omitEmpty({ verbs: rule.verbs, apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], resourceNames: rule.resourceNames ?? [] });
}

/**
 * Answers a POST of one of the four review types, for `requester`. Throws 400 / 422 for a question
 * the real server refuses to answer.
 */
export function answerReview(core: ApiCore, authorizer: RbacAuthorizer, type: ResourceType, namespace: string | undefined, requester: UserInfo, body: unknown): KubeObject {
  const review = core.decode(type, namespace, body);
  const spec = isRecord(review.spec) ? review.spec : {};

  if (type.kind === 'SelfSubjectRulesReview') {
    const ns = text(spec.namespace);
    if (ns === '') throw errors.badRequest('no namespace on request');
    const { rules, error } = authorizer.rulesFor(requester, ns);
    // The real answer leaves the spec out.
    return answer(type, undefined, {}, {
      resourceRules: rules.filter((r) => (r.resources ?? []).length > 0).map(resourceRule),
      nonResourceRules: rules.filter((r) => (r.nonResourceURLs ?? []).length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
      incomplete: false,
      ...(error ? { evaluationError: error } : {}),
    });
  }

  const resource = resourceAttributesOf(spec.resourceAttributes);
  const nonResource = nonResourceAttributesOf(spec.nonResourceAttributes);
  const causes = attributeCauses(resource, nonResource);
  let user = requester;
  const echoed: Json = {
    ...(resource ? { resourceAttributes: omitEmpty(resource) } : {}),
    ...(nonResource ? { nonResourceAttributes: omitEmpty(nonResource) } : {}),
  };
  if (type.kind === 'SubjectAccessReview' || type.kind === 'LocalSubjectAccessReview') {
    // The subject is whoever the spec names: no group is added for it.
    const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
    user = { name: text(spec.user), groups, uid: text(spec.uid) || undefined };
    if (user.name === '' && groups.length === 0) causes.push(invalidCause('spec.user', '""', 'at least one of user or group must be specified'));
    Object.assign(echoed, omitEmpty({ user: user.name, groups, extra: isRecord(spec.extra) ? spec.extra : undefined, uid: user.uid }));
  }
  if (type.kind === 'LocalSubjectAccessReview') {
    const ns = review.metadata.namespace ?? '';
    if (resource && resource.namespace !== ns) causes.push(invalidCause('spec.resourceAttributes.namespace', JSON.stringify(resource.namespace), 'must match metadata.namespace'));
    if (nonResource) causes.push(invalidCause('spec.nonResourceAttributes', goNonResource(nonResource), 'disallowed on this kind of request'));
  }
  if (causes.length > 0) throw errors.invalid(type.kind, type.group, '', causes);

  const decision = authorizer.authorize(attributesFrom(user, resource, nonResource));
  return answer(type, type.namespaced ? review.metadata.namespace : undefined, echoed, {
    allowed: decision.allowed,
    ...(decision.reason ? { reason: decision.reason } : {}),
  });
}
