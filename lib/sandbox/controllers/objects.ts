// SPDX-License-Identifier: Apache-2.0
// Small facts about objects that every controller needs: the queue key of an object, who its
// controller is, whether it is being deleted, how a status condition is set, and which API errors
// mean "try again" rather than "something is wrong".
import type { ApiError } from '../apiserver/status.js';
import type { KubeObject, OwnerReference } from '../apiserver/types.js';

/** `namespace/name`, or `name` for a cluster-scoped object: the key a work queue holds (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : String(name);
}

/** The inverse of `objectKey`. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The owner reference marked `controller: true`: at most one object controls another. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** A controller reference to `owner`, as the Deployment and ReplicaSet controllers write it. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: String(owner.metadata.name),
    uid: String(owner.metadata.uid),
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined;
}

/** Errors a controller answers by retrying later (with back-off), without logging them as failures. */
export function isRetryable(error: unknown): boolean {
  const code = apiErrorCode(error);
  // 409: someone wrote the object since we read it; 429/5xx: the server is busy or failing for now.
  return code === 409 || code === 429 || (code !== undefined && code >= 500);
}

export function isNotFound(error: unknown): boolean {
  return apiErrorCode(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return apiErrorCode(error) === 409 && (error as ApiError).reason === 'Conflict';
}

export function isAlreadyExists(error: unknown): boolean {
  return apiErrorCode(error) === 409 && (error as ApiError).reason === 'AlreadyExists';
}

/**
 * The HTTP code of an ApiError. Checked by shape rather than `instanceof`, because a notebook
 * kernel may load status.ts twice (ESM and CommonJS), giving two distinct ApiError classes.
 */
export function apiErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, reason } = error as { code?: unknown; reason?: unknown };
  return typeof code === 'number' && typeof reason === 'string' ? code : undefined;
}

// --- status conditions -----------------------------------------------------------------------

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  observedGeneration?: number;
}

/** Kubernetes' time format: RFC 3339 in UTC, whole seconds (metav1.Time). */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function findCondition<C extends Condition>(conditions: C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition the way Kubernetes controllers do: `lastTransitionTime` moves only when the
 * status changes, so "since when has this been True?" stays answerable. Returns a new array.
 */
export function setCondition<C extends Condition>(conditions: C[] | undefined, next: C): C[] {
  const list = conditions ?? [];
  const current = findCondition(list, next.type);
  if (current && current.status === next.status && current.reason === next.reason && current.message === next.message) {
    return list;
  }
  const merged = { ...next };
  if (current && current.status === next.status && current.lastTransitionTime) {
    merged.lastTransitionTime = current.lastTransitionTime;
  }
  return current ? list.map((c) => (c.type === next.type ? merged : c)) : [...list, merged];
}

export function removeCondition<C extends Condition>(conditions: C[] | undefined, type: string): C[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Structural equality of JSON values, key order ignored: "has anything changed?" before a write.
 * (A controller that writes unchanged objects floods every watcher with no-op events.)
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => jsonEqual(x, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  if (keys.length !== Object.keys(bo).filter((k) => bo[k] !== undefined).length) return false;
  return keys.every((k) => jsonEqual(ao[k], bo[k]));
}

/** Drops zero and undefined fields, except `keep`: the shape Go's `omitempty` gives. */
export function omitZero<T extends object>(obj: T, keep: (keyof T)[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (v === 0 && !keep.includes(k as keyof T)) continue;
    out[k] = v;
  }
  return out as T;
}
