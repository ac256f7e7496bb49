// SPDX-License-Identifier: Apache-2.0
// What a write to `/status` may change besides `.status`, type by type.
//
// The status subresource exists so that controllers can report what they see without racing the
// users who edit the spec. So a `/status` write never changes the spec, and never moves
// `metadata.generation` (that counts spec changes). Metadata is less uniform: each built-in type's
// status strategy (its `PrepareForUpdate` in k8s.io/kubernetes pkg/registry/...) resets only some
// of it to the stored value, and takes the rest from the request:
//
//   Deployment            resets labels; annotations, finalizers, owner references come from the request
//                         (the deployment controller records `deployment.kubernetes.io/revision` this way)
//   Pod                   resets owner references (old kubelets corrupted them) and deletionTimestamp
//   ReplicaSet, Service, Namespace, Node, Ingress
//                         reset nothing of metadata
//   CustomResourceDefinition  resets labels, annotations and owner references; finalizers come from the request
//   custom resources      reset all metadata: only `.status` changes (apiextensions-apiserver's
//                         statusStrategy copies the stored object and puts the new status in)
//
// The fields only the server sets (uid, creationTimestamp, deletionTimestamp, name, namespace,
// resourceVersion, generation, managedFields) are handled by the core for every write alike.
import type { KubeObject, ObjectMeta, ResourceType } from './types.js';

type MetaField = 'labels' | 'annotations' | 'finalizers' | 'ownerReferences';

const ALL: readonly MetaField[] = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** The metadata fields a `/status` write of this type takes from the request. */
export function statusWritableMetadata(type: Pick<ResourceType, 'group' | 'plural' | 'builtin'>): readonly MetaField[] {
  if (!type.builtin) return [];
  switch (`${type.group}/${type.plural}`) {
    case 'apps/deployments': return ['annotations', 'finalizers', 'ownerReferences'];
    case '/pods': return ['labels', 'annotations', 'finalizers'];
    case 'apiextensions.k8s.io/customresourcedefinitions': return ['finalizers'];
    default: return ALL;
  }
}

/**
 * The object a `/status` write stores, before validation: the stored object with the request's
 * status, and the request's metadata where the type's status strategy allows it.
 */
export function statusWrite(type: ResourceType, current: KubeObject, request: KubeObject): KubeObject {
  const next: KubeObject = { ...structuredClone(current), apiVersion: request.apiVersion };
  if (request.status === undefined) delete next.status;
  else next.status = request.status;
  const meta = next.metadata as ObjectMeta;
  for (const field of statusWritableMetadata(type)) {
    const value = request.metadata[field];
    if (value === undefined) delete meta[field];
    else (meta as Record<string, unknown>)[field] = structuredClone(value);
  }
  return next;
}
