// SPDX-License-Identifier: Apache-2.0
// The in-process face of the sandbox API server, used by its own controllers (Deployment,
// ReplicaSet, Service, garbage collector, ...) and, later, its kubelet.
//
// In a real cluster kube-controller-manager talks to kube-apiserver over HTTPS; here they share a
// process, so controllers call the server's request handling directly. Every call goes through the
// same admission, validation, defaulting, resourceVersion and watch machinery as an HTTP request,
// so a controller cannot do anything a client could not.
import type { KubeObject, WatchEvent } from './types.js';

/** Names a resource type the way a URL does: group ('' for core), version and plural. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  /** start after this revision; omit for "current state as ADDED events, then changes" */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

/**
 * The subresources written with PUT or PATCH: `status` (controllers report what they see),
 * `scale` (spec.replicas alone), and a namespace's `finalize` (its spec.finalizers alone).
 */
export type WritableSubresource = 'status' | 'scale' | 'finalize';

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

/** A running watch; `stop()` ends it (no further events are delivered). */
export interface WatchHandle {
  stop(): void;
}

/**
 * Every method rejects with an `ApiError` (see status.ts) exactly where the HTTP API would answer
 * with that Status: NotFound, AlreadyExists, Conflict, Invalid, ...
 */
export interface ApiHandle {
  get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(ref: ResourceRef, opts?: ListOptions): Promise<ObjectList>;
  /**
   * Events arrive in the server's one global order; `onEvent` must not throw. `onClose` is called
   * when the server ends the watch (an ERROR event such as 410 Expired came first, or the server
   * is stopping): the caller then relists and watches again, as an informer does.
   */
  watch(ref: ResourceRef, opts: WatchOptions, onEvent: (event: WatchEvent) => void, onClose?: () => void): WatchHandle;
  /**
   * POST. For `bindings` (what a scheduler sends) the answer is the Success Status, not an object:
   * a Binding is an action on the pod it names, and nothing is stored.
   */
  create(ref: ResourceRef, obj: KubeObject, opts?: { fieldManager?: string }): Promise<KubeObject>;
  /** PUT: `metadata.resourceVersion`, when set, is a precondition (409 Conflict when stale). */
  update(ref: ResourceRef, obj: KubeObject, opts?: { subresource?: WritableSubresource; fieldManager?: string }): Promise<KubeObject>;
  /** PATCH with an explicit content type, as on the wire. */
  patch(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    contentType: string,
    opts?: { subresource?: WritableSubresource; fieldManager?: string; force?: boolean },
  ): Promise<KubeObject>;
  delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined>;
}

export const refs = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  pods: { group: '', version: 'v1', plural: 'pods' },
  services: { group: '', version: 'v1', plural: 'services' },
  bindings: { group: '', version: 'v1', plural: 'bindings' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  events: { group: '', version: 'v1', plural: 'events' },
  configmaps: { group: '', version: 'v1', plural: 'configmaps' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', plural: 'serviceaccounts' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', plural: 'replicasets' },
  crds: { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
} satisfies Record<string, ResourceRef>;
