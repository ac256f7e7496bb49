// SPDX-License-Identifier: Apache-2.0
// The vocabulary shared by the sandbox API server's parts: what a stored object looks like, how a
// resource type is described (the same facts discovery serves), and what a watch event is.

/** Any Kubernetes object as JSON. The server only relies on `apiVersion`, `kind` and `metadata`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

/** A printer column, as a CRD declares it (`additionalPrinterColumns`) or as built-ins hard-code it. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** One resource type the server serves: the facts discovery publishes, plus how to store it. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  verbs: string[];
  subresources: { status?: boolean; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  /** true for built-in types (strategic merge patch allowed), false for custom resources */
  builtin: boolean;
  /** the version objects are stored in (CRDs with several served versions) */
  storageVersion: string;
  printerColumns?: PrinterColumn[];
  /** the CRD version's openAPIV3Schema, for validation, pruning and defaulting of custom resources */
  schema?: Record<string, unknown>;
  /** the server keeps `metadata.generation` (workloads, Ingress, CRDs, every custom resource) */
  generation?: boolean;
  /** fields `?fieldSelector=` accepts besides `metadata.name` and `metadata.namespace` */
  selectableFields?: string[];
  /** subresources other than status and scale, e.g. `log` of pods, `finalize` of namespaces */
  otherSubresources?: { name: string; verbs: string[]; kind: string; group?: string; version?: string }[];
  /** PUT may create a missing object (Endpoints, Lease, Event), answering 201 */
  allowCreateOnUpdate?: boolean;
  /** DELETE answers with the deleted object rather than a Success Status (Pod, Service, custom resources) */
  returnDeletedObject?: boolean;
  /** for a custom resource: the name of the CustomResourceDefinition that defines it */
  crdName?: string;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Record<string, unknown>;
}
