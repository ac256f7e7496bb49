// SPDX-License-Identifier: Apache-2.0
// PATCH, by Content-Type, as kube-apiserver does it. The header decides what the body means:
//
//   application/merge-patch+json            RFC 7386: a partial object, null deletes     patch/merge-patch.ts
//   application/json-patch+json             RFC 6902: a list of operations                patch/json-patch.ts
//   application/strategic-merge-patch+json  merge lists by key (built-in types only)      patch/strategic.ts
//   application/apply-patch+yaml            server-side apply: intent + field ownership   patch/apply.ts
//
// Anything else is 415, and strategic merge patch on a custom resource is 415 too (a CRD has no
// Go struct tags to say how its lists merge). Errors are the real server's, code and wording.
//
// Who does what: `applyPatch` is pure. It turns the stored object into the patched one, checks
// that the patch kept the object's name and namespace, and for server-side apply computes
// `metadata.managedFields`. The core (core.ts) then does what follows a patch on a real server:
// resets the fields the (sub)resource may not change (a /status patch keeps only .status, a main
// patch keeps the old .status), checks a `metadata.resourceVersion` in the result as a
// precondition (409), defaults (builtins/defaults.ts), validates (builtins/validation.ts; a
// changed uid is 422 "field is immutable"), bumps generation, records managedFields for the
// non-apply patch types (`trackUpdate` below does it with the same field sets as apply) and
// decides 201 versus 200 when an apply created the object.
//
// Server-side apply is honest but bounded: field sets, conflicts (409 with the real message),
// force, pruning of fields a manager stops applying, shared ownership of equal values and the
// kubectl last-applied annotation all work; list semantics come from the built-in table
// (patch/builtin-types.ts) or the CRD schema's x-kubernetes-list-type/-list-map-keys/-map-type.
// Simplified: no version conversion of field sets (one schema per CRD), nulls in an applied
// configuration mean "not set", no cap on the number of Update managers, and no special case
// for fields last set by client-side apply (the real server lets `kubectl apply --server-side`
// take over such fields without a conflict when they match the last-applied annotation).
import { ApiError, errors, qualifiedResource } from './status.js';
import type { KubeObject, ResourceType } from './types.js';
import { apiVersionOf } from './types.js';
import { decodeApplyBody } from './patch/apply-body.js';
import { serverSideApply } from './patch/apply.js';
import { builtinTypeInfo, builtinZeroValue } from './patch/builtin-types.js';
import { updateManagedFields } from './patch/field-managers.js';
import { goQuote } from './patch/go-format.js';
import { decodeGoJson } from './patch/go-json.js';
import { applyJsonPatch, decodeJsonPatch } from './patch/json-patch.js';
import { mergePatch } from './patch/merge-patch.js';
import { SmpError, strategicMergePatch } from './patch/strategic.js';
import { typeInfoFromSchema, type TypeInfo } from './patch/type-info.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** The media types PATCH accepts for a type, in the order the API server lists them in a 415. */
export function acceptedPatchTypes(type: Pick<ResourceType, 'builtin'>): string[] {
  return type.builtin
    ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply]
    : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
}

export interface ApplyPatchOptions {
  /** `?fieldManager=`; required for server-side apply */
  fieldManager?: string;
  /** `?force=true`; only allowed for server-side apply */
  force?: boolean;
  /** 'status' or 'scale' when the PATCH went to a subresource */
  subresource?: string;
  /** RFC 3339 time recorded in managedFields (no clock is read here) */
  now?: string;
  /** the name and namespace in the URL; default to the current object's */
  name?: string;
  namespace?: string;
}

/** How the patch engines see a type's lists and maps: the built-in table or the CRD schema. */
export function typeInfoFor(type: ResourceType): TypeInfo | undefined {
  return type.builtin ? builtinTypeInfo(type.group, type.kind) : typeInfoFromSchema(type.schema);
}

/** Go's GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod". */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = av.indexOf('/');
  const group = slash >= 0 ? av.slice(0, slash) : '';
  const version = slash >= 0 ? av.slice(slash + 1) : av;
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function patchOptionsInvalid(field: string, reason: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason, message, field }],
  });
}

function checkPatchOptions(isApply: boolean, opts: ApplyPatchOptions): void {
  if (!isApply && opts.force === true) {
    throw patchOptionsInvalid('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  }
  const manager = opts.fieldManager ?? '';
  if (isApply && manager === '') {
    throw patchOptionsInvalid('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  }
  if (manager.length > 128) throw patchOptionsInvalid('fieldManager', 'FieldValueTooLong', 'Too long: may not be longer than 128');
  if (/[^\x20-\x7e\u00a0-\uffff]/.test(manager)) {
    throw patchOptionsInvalid('fieldManager', 'FieldValueInvalid', `Invalid value: ${goQuote(manager)}: must only contain printable characters`);
  }
}

function asObject(patched: unknown): KubeObject {
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    const json = JSON.stringify(patched);
    throw new ApiError(422, 'Invalid', ` "" is invalid: patch: Invalid value: ${goQuote(json)}: json: cannot unmarshal ${Array.isArray(patched) ? 'array' : typeof patched} into Go value of type map[string]interface {}`, {
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(json)}`, field: 'patch' }],
    });
  }
  const obj = patched as KubeObject;
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
  return obj;
}

/**
 * The patched object. `current` is the stored object (undefined when there is none: only
 * server-side apply may then create one). Throws an `ApiError` with the API server's answer.
 */
export function applyPatch(
  current: KubeObject | undefined,
  body: Buffer | string,
  contentType: string,
  type: ResourceType,
  opts: ApplyPatchOptions = {},
): KubeObject {
  // Only a "; charset=..." suffix is ignored, as the API server ignores it.
  const semicolon = contentType.indexOf(';');
  const media = semicolon > 0 ? contentType.slice(0, semicolon) : contentType;
  const accepted = acceptedPatchTypes(type);
  if (!accepted.includes(media)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }
  const isApply = media === PATCH_TYPES.apply;
  checkPatchOptions(isApply, opts);

  const urlName = opts.name ?? current?.metadata.name;
  const urlNamespace = opts.namespace ?? current?.metadata.namespace;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const scale = opts.subresource === 'scale';
  const info = scale ? undefined : typeInfoFor(type);

  let result: KubeObject;
  if (isApply) {
    const config = decodeApplyBody(text);
    const expected = scale ? 'autoscaling/v1, Kind=Scale' : gvkString(apiVersionOf(type), type.kind);
    const given = gvkString(config.apiVersion, config.kind);
    if (given !== expected) throw errors.badRequest(`invalid object type: ${given}`);
    const configUid = (config.metadata as Record<string, unknown> | undefined)?.uid;
    if (!current && typeof configUid === 'string' && configUid !== '') {
      const name = urlName ?? '';
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(type.plural, type.group)} "${name}": uid mismatch: the provided object specified uid ${configUid}, and no existing object was found`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    result = serverSideApply(current, config, {
      type,
      info,
      gvk: expected,
      apiVersion: scale ? 'autoscaling/v1' : apiVersionOf(type),
      manager: opts.fieldManager!,
      force: opts.force === true,
      subresource: opts.subresource,
      now: opts.now,
    });
    if (!current) {
      // A create through apply: the server, not the body, sets these.
      for (const f of ['creationTimestamp', 'uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete result.metadata[f];
    }
  } else {
    if (!current) throw errors.notFound(type.plural, type.group, urlName ?? '');
    if (media === PATCH_TYPES.json) {
      result = asObject(applyJsonPatch(current, decodeJsonPatch(text)));
    } else if (media === PATCH_TYPES.merge) {
      const decoded = decodeGoJson(text, 'object', 'map[string]interface {}');
      if (decoded.ok === false) throw errors.badRequest(`error decoding patch: ${decoded.message}`);
      if (decoded.value === null) throw errors.badRequest('Invalid JSON Patch');
      result = asObject(mergePatch(current, decoded.value));
    } else {
      const decoded = decodeGoJson(text, 'object', 'map[string]interface {}');
      if (decoded.ok === false) throw errors.badRequest(decoded.message);
      try {
        result = asObject(strategicMergePatch(current, (decoded.value ?? {}) as Record<string, unknown>, info));
      } catch (e) {
        if (!(e instanceof SmpError)) throw e;
        if (e.code === 400) throw errors.badRequest(e.message);
        if (e.code === 422) throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
        throw errors.unknown(e.message);
      }
    }
  }
  checkIdentity(result, type, urlName, urlNamespace);
  return result;
}

/** A patch may not move an object: the namespace and name must still be the URL's. */
function checkIdentity(obj: KubeObject, type: ResourceType, urlName: string | undefined, urlNamespace: string | undefined): void {
  const expectedNamespace = type.namespaced ? (urlNamespace ?? '') : '';
  const actual = obj.metadata.namespace ?? '';
  if (actual === '' && expectedNamespace !== '') obj.metadata.namespace = expectedNamespace;
  else if (expectedNamespace === '') delete obj.metadata.namespace;
  else if (actual !== expectedNamespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const name = obj.metadata.name ?? '';
  if (urlName !== undefined && name !== urlName) {
    throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${urlName})`);
  }
}

export interface TrackUpdateOptions {
  subresource?: string;
  /** RFC 3339 time of the write */
  now?: string;
}

/**
 * `metadata.managedFields` after an Update (create, PUT, or a non-apply PATCH) by `manager` turned
 * `prev` (undefined on create) into `next`, with the same field sets server-side apply uses, so
 * that a later apply sees conflicts with fields set by `kubectl create`, `scale` or a controller.
 */
export function trackUpdate(
  prev: KubeObject | undefined,
  next: KubeObject,
  type: ResourceType,
  manager: string,
  opts: TrackUpdateOptions = {},
): KubeObject['metadata']['managedFields'] {
  return updateManagedFields(prev, next, {
    type,
    info: typeInfoFor(type),
    zero: type.builtin ? builtinZeroValue(type.group, type.kind) : {},
    manager,
    apiVersion: apiVersionOf(type),
    subresource: opts.subresource,
    now: opts.now,
  });
}
