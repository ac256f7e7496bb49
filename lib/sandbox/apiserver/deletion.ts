// SPDX-License-Identifier: Apache-2.0
// DELETE, as the apiserver's generic registry does it (registry/generic/registry/store.go):
//
// - Preconditions (uid, resourceVersion) fail with 409 Conflict.
// - The propagation policy becomes a finalizer the garbage collector acts on: Orphan adds
//   `orphan` (dependents lose their ownerReference), Foreground adds `foregroundDeletion` (the
//   owner waits for its blocking dependents); Background adds none (dependents go afterwards).
// - An object with finalizers is not deleted: it gets `deletionTimestamp`, its generation rises,
//   watchers see MODIFIED, and it disappears (DELETED) when the last finalizer is removed.
// - Pods on a node are deleted gracefully: the kubelet has `gracePeriodSeconds` to stop them.
// - The answer is the object (while it waits, or for types that return it) or a Success Status.
import type { DeleteOptions } from './api.js';
import type { ApiCore, WriteContext } from './core.js';
import { lifecycleOf } from './lifecycle.js';
import { asServed, timestamp } from './objects.js';
import { resourceKey } from './resources.js';
import { errors, wireDetails } from './status.js';
import { objectKey } from './store.js';
import type { KubeObject, ResourceType } from './types.js';

export interface DeleteOutcome {
  /** the object, when it still exists (finalizers, grace period) or the type returns it */
  object?: KubeObject;
  /** the Success Status, when the object is gone and the type answers with a Status */
  status?: Record<string, unknown>;
  /** 200, or 202 when deletion is pending and the (deprecated) orphanDependents=false was asked */
  code: number;
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

function policyOf(options: DeleteOptions & { orphanDependents?: boolean }): DeleteOptions['propagationPolicy'] {
  if (options.propagationPolicy !== undefined && !POLICIES.includes(options.propagationPolicy)) {
    throw errors.invalid('DeleteOptions', '', '', [{
      reason: 'FieldValueNotSupported', field: 'propagationPolicy',
      message: `Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    }]);
  }
  if (options.propagationPolicy !== undefined && options.orphanDependents !== undefined) {
    throw errors.invalid('DeleteOptions', '', '', [{
      reason: 'FieldValueInvalid', field: 'propagationPolicy',
      message: `Invalid value: "${options.propagationPolicy}": orphanDependents and deletionPropagation cannot be both set`,
    }]);
  }
  if (options.propagationPolicy) return options.propagationPolicy;
  if (options.orphanDependents === true) return 'Orphan';
  if (options.orphanDependents === false) return 'Background';
  return undefined;
}

/** The finalizers after applying a propagation policy (undefined policy: unchanged). */
function finalizersFor(current: string[], policy: DeleteOptions['propagationPolicy']): string[] {
  const others = current.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  switch (policy) {
    case 'Orphan': return [...others, 'orphan'];
    case 'Foreground': return [...others, 'foregroundDeletion'];
    case 'Background': return others;
    default: return current;
  }
}

export function deleteObject(
  core: ApiCore, type: ResourceType, namespace: string | undefined, name: string,
  options: DeleteOptions & { orphanDependents?: boolean }, ctx: WriteContext,
): DeleteOutcome {
  const current = core.get(type, namespace, name);
  const pre = options.preconditions ?? {};
  if (pre.uid && pre.uid !== current.metadata.uid) {
    throw errors.preconditionFailed(type.plural, type.group, name, `UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw errors.preconditionFailed(type.plural, type.group, name, `ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
  }
  const policy = policyOf(options);
  const pendingCode = options.orphanDependents === false ? 202 : 200;
  const lifecycle = lifecycleOf(type);
  const key = objectKey(type.namespaced ? namespace : undefined, name);

  const next = structuredClone(current);
  const finalizers = finalizersFor(current.metadata.finalizers ?? [], policy);
  if (finalizers.length > 0) next.metadata.finalizers = finalizers;
  else delete next.metadata.finalizers;
  const grace = lifecycle.prepareForDelete?.(core, type, next, options) ?? 0;
  const mustWait = finalizers.length > 0 || grace > 0 || !(lifecycle.readyToDelete?.(next) ?? true);

  if (mustWait) {
    if (!current.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
      if ((next.metadata.generation ?? 0) > 0) next.metadata.generation = next.metadata.generation! + 1;
    } else if (grace < (current.metadata.deletionGracePeriodSeconds ?? 0)) {
      // A shorter grace period may replace a longer one (kubectl delete --grace-period=0 --force).
      next.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
    }
    if (ctx.dryRun || JSON.stringify(next) === JSON.stringify(current)) return { object: asServed(type, current), code: pendingCode };
    const change = core.commit(type, key, 'MODIFIED', next);
    lifecycle.afterCommit?.(core, type, change);
    return { object: asServed(type, change.object), code: pendingCode };
  }

  if (ctx.dryRun) return { object: asServed(type, current), code: 200 };
  const change = core.store.commit(resourceKey(type), key, 'DELETED', next);
  core.afterDelete(type, change);
  if (type.returnDeletedObject) return { object: asServed(type, change.object), code: 200 };
  return {
    status: {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: wireDetails({ name, group: type.group, kind: type.plural, uid: current.metadata.uid }),
    },
    code: 200,
  };
}
