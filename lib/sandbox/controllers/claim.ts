// SPDX-License-Identifier: Apache-2.0
// Adoption and release: which objects a controller owns (client-go's ControllerRefManager).
//
// A ReplicaSet owns the pods whose controller reference names its uid. Labels decide the rest:
//   - an orphan (no controller) that matches the selector is adopted: the owner writes itself in
//     as controller, e.g. after `kubectl delete rs --cascade=orphan` and re-creating the ReplicaSet;
//   - an owned object whose labels no longer match is released: the controller reference is
//     removed, e.g. after `kubectl label pod web-x app-` to take a pod out for debugging.
// Objects controlled by someone else are never touched.
//
// Both writes are merge patches carrying the object's resourceVersion, so a concurrent change
// makes them fail with 409 and the reconcile is simply retried from fresh state.
import type { ApiHandle, ResourceRef } from '../apiserver/api.js';
import type { LabelSelector } from '../apiserver/selectors.js';
import type { KubeObject } from '../apiserver/types.js';
import { controllerOf, controllerRef, isBeingDeleted, isNotFound } from './objects.js';

const MERGE = 'application/merge-patch+json';

/**
 * Returns the candidates `owner` controls after adopting matching orphans and releasing owned
 * objects that no longer match. `candidates` are the objects of the owner's namespace.
 */
export async function claim(
  api: ApiHandle,
  ref: ResourceRef,
  owner: KubeObject,
  selector: LabelSelector,
  candidates: KubeObject[],
): Promise<KubeObject[]> {
  const owned: KubeObject[] = [];
  for (const obj of candidates) {
    const controller = controllerOf(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (controller) {
      if (controller.uid !== owner.metadata.uid) continue;
      if (matches || isBeingDeleted(owner)) {
        owned.push(obj);
        continue;
      }
      await patchOwners(api, ref, obj, (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid));
      continue;
    }
    // Never adopt while the owner is going away, nor an object that is itself going away, and
    // never by an empty selector, which would match every object of the namespace.
    if (!matches || selector.requirements.length === 0 || isBeingDeleted(owner) || isBeingDeleted(obj)) continue;
    const adopted = await patchOwners(api, ref, obj, [...(obj.metadata.ownerReferences ?? []), controllerRef(owner)]);
    if (adopted) owned.push(adopted);
  }
  return owned;
}

async function patchOwners(api: ApiHandle, ref: ResourceRef, obj: KubeObject, ownerReferences: KubeObject['metadata']['ownerReferences']): Promise<KubeObject | undefined> {
  const body = { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: ownerReferences?.length ? ownerReferences : null } };
  try {
    return await api.patch(ref, obj.metadata.namespace, String(obj.metadata.name), body, MERGE);
  } catch (error) {
    if (isNotFound(error)) return undefined; // gone meanwhile: nothing to own
    throw error;
  }
}
