// SPDX-License-Identifier: Apache-2.0
// A small in-memory ApiHandle for the controllers' tests, for as long as the sandbox API server
// (lib/sandbox/apiserver) lacks three things the controllers need: the `bindings` resource a
// scheduler posts, ClusterIP allocation when a Service is created, and a Deployment /status that
// keeps annotations. Then the tests run on the real server (SANDBOX_TEST_BACKEND=sandbox already
// does) and this file goes. It keeps the server rules the controllers depend on, and no more:
//
// - the core's Store (one global revision, history for watch replay, compaction → 410);
// - create (generateName, AlreadyExists, namespace must exist and not be terminating), update
//   with resourceVersion preconditions (409), the status / scale / finalize subresources,
//   generation bumps on spec changes, no-op writes that change nothing;
// - merge patch and JSON patch; strategic merge and apply patches answer 415, so the controllers
//   stay on the two patch types every server accepts;
// - DELETE with finalizers, deletionTimestamp, propagationPolicy (the `foregroundDeletion` and
//   `orphan` finalizers), graceful pod deletion, namespace deletion (phase Terminating,
//   `spec.finalizers`), the legacy `bindings` resource that schedulers post;
// - ClusterIP allocation at Service create, through the allocator meant for the real server.
//
// For tests: `expireWatches()` ends every watch with 410 Expired, as after a compaction, and
// `dropWatches()` ends them as a lost connection would. Counting writes and failing requests on
// purpose is RecordingApi's job (recording-api.ts), over this or the real server alike.
import { randomUUID } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import type { ApiHandle, DeleteOptions, ListOptions, ObjectList, ResourceRef, WatchHandle, WatchOptions } from '../../apiserver/api.js';
import { ResourceRegistry, resourceKey } from '../../apiserver/resources.js';
import { parseLabelSelector } from '../../apiserver/selectors.js';
import { ApiError, errors } from '../../apiserver/status.js';
import { Store, type Change } from '../../apiserver/store.js';
import { apiVersionOf, type KubeObject, type ResourceType, type WatchEvent } from '../../apiserver/types.js';
import { ClusterIPAllocator } from '../clusterip.js';
import { jsonEqual, now } from '../objects.js';

type Subresource = 'status' | 'scale' | 'finalize';

interface Watch {
  type: ResourceType;
  namespace?: string;
  onEvent: (event: WatchEvent) => void;
  onClose?: () => void;
  stopped: boolean;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class MemoryApi implements ApiHandle {
  readonly store = new Store();
  readonly registry = new ResourceRegistry();
  readonly clusterIPs = new ClusterIPAllocator();
  private readonly watches = new Set<Watch>();
  private readonly pending: { watch: Watch; event: WatchEvent }[] = [];
  private draining = false;

  constructor() {
    this.store.onChange((change) => this.fanOut(change));
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } };
    this.commitCreate(this.type({ group: '', version: 'v1', plural: 'namespaces' }), ns);
  }

  // --- faults -----------------------------------------------------------------------------------

  /** Ends every watch with an ERROR 410 Expired, as happens after compaction: informers must relist. */
  expireWatches(): void {
    for (const watch of [...this.watches]) {
      this.deliver(watch, { type: 'ERROR', object: errors.expired('too old resource version').toStatus() as unknown as Record<string, unknown> });
      this.close(watch);
    }
  }

  /** Ends every watch without an error, like a dropped connection: informers must watch again. */
  dropWatches(): void {
    for (const watch of [...this.watches]) this.close(watch);
  }

  private close(watch: Watch): void {
    watch.stopped = true;
    this.watches.delete(watch);
    watch.onClose?.();
  }

  // --- reads -----------------------------------------------------------------------------------

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const type = this.type(ref);
    return structuredClone(this.current(type, namespace, name));
  }

  async list(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList> {
    const type = this.type(ref);
    const selector = parseLabelSelector(opts.labelSelector);
    const items = this.store
      .list(resourceKey(type), type.namespaced ? opts.namespace : undefined)
      .filter((obj) => selector.matches(obj.metadata.labels))
      .map((obj) => structuredClone(obj));
    return { items, resourceVersion: String(this.store.revision) };
  }

  watch(ref: ResourceRef, opts: WatchOptions, onEvent: (event: WatchEvent) => void, onClose?: () => void): WatchHandle {
    const type = this.type(ref);
    const watch: Watch = { type, namespace: opts.namespace, onEvent, onClose, stopped: false };
    const from = opts.resourceVersion && opts.resourceVersion !== '0' ? Number(opts.resourceVersion) : undefined;
    if (from === undefined) {
      for (const obj of this.store.list(resourceKey(type), opts.namespace)) this.deliver(watch, { type: 'ADDED', object: structuredClone(obj) });
    } else {
      const changes = this.store.changesSince(from);
      if (!changes) {
        this.deliver(watch, { type: 'ERROR', object: errors.expired(`too old resource version: ${from}`).toStatus() as unknown as Record<string, unknown> });
        onClose?.();
        return { stop: () => {} };
      }
      for (const change of changes) if (change.resource === resourceKey(type)) this.deliverChange(watch, change);
    }
    this.watches.add(watch);
    return {
      stop: () => {
        watch.stopped = true;
        this.watches.delete(watch);
      },
    };
  }

  // --- writes ----------------------------------------------------------------------------------

  async create(ref: ResourceRef, obj: KubeObject): Promise<KubeObject> {
    if (ref.group === '' && ref.plural === 'bindings') return this.bind(obj);
    return structuredClone(this.commitCreate(this.type(ref), structuredClone(obj)));
  }

  async update(ref: ResourceRef, obj: KubeObject, opts: { subresource?: Subresource } = {}): Promise<KubeObject> {
    const type = this.type(ref);
    const current = this.current(type, obj.metadata.namespace, String(obj.metadata.name));
    return structuredClone(this.commitUpdate(type, current, structuredClone(obj), opts.subresource));
  }

  async patch(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    contentType: string,
    opts: { subresource?: Subresource } = {},
  ): Promise<KubeObject> {
    const type = this.type(ref);
    const current = this.current(type, namespace, name);
    let patched: KubeObject;
    if (contentType === 'application/merge-patch+json') {
      patched = mergePatch(structuredClone(current), body) as KubeObject;
      const rv = (body as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
      if (rv === undefined) patched.metadata.resourceVersion = current.metadata.resourceVersion;
    } else if (contentType === 'application/json-patch+json') {
      if (!Array.isArray(body)) throw errors.badRequest('error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
      try {
        patched = jsonpatch.applyPatch(structuredClone(current), body as jsonpatch.Operation[], true, false).newDocument;
      } catch (error) {
        if ((error as { name?: string }).name === 'TEST_OPERATION_FAILED') throw errors.conflict(type.plural, type.group, name);
        throw errors.badRequest(`the server rejected our request due to an error in our request: ${String(error)}`);
      }
    } else {
      throw errors.unsupportedMediaType(contentType, ['application/json-patch+json', 'application/merge-patch+json']);
    }
    return structuredClone(this.commitUpdate(type, current, patched, opts.subresource));
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const type = this.type(ref);
    const current = this.current(type, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) throw errors.conflict(type.plural, type.group, name);
    const next = structuredClone(current);
    const key = keyOf(next);

    if (type.plural === 'namespaces' && type.group === '') {
      if (!next.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = now();
        next.status = { ...(next.status as object), phase: 'Terminating' };
        this.store.commit(resourceKey(type), key, 'MODIFIED', next);
      }
      return structuredClone(this.deleteIfFinalized(type, next));
    }

    if (type.plural === 'pods' && type.group === '') {
      // Graceful deletion: a pod bound to a node is only marked; its kubelet deletes it when the
      // containers have stopped. An unbound or finished pod goes at once.
      const spec = next.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (next.status as { phase?: string } | undefined)?.phase;
      const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      if (spec.nodeName && phase !== 'Succeeded' && phase !== 'Failed' && grace > 0) {
        if (next.metadata.deletionTimestamp) return structuredClone(current);
        next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        next.metadata.deletionGracePeriodSeconds = grace;
        this.store.commit(resourceKey(type), key, 'MODIFIED', next);
        return structuredClone(next);
      }
    }

    // The garbage collector's finalizers, from the propagation policy (Background by default).
    const policy = opts.propagationPolicy ?? 'Background';
    const kept = (next.metadata.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    if (policy === 'Orphan') kept.push('orphan');
    if (policy === 'Foreground') kept.push('foregroundDeletion');
    if (kept.length > 0) {
      if (next.metadata.deletionTimestamp && jsonEqual(kept, next.metadata.finalizers)) return structuredClone(current);
      next.metadata.finalizers = kept;
      next.metadata.deletionTimestamp ??= now();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (type.generation) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
      this.store.commit(resourceKey(type), key, 'MODIFIED', next);
      return structuredClone(next);
    }
    this.remove(type, next);
    return structuredClone(next);
  }

  // --- the rules -------------------------------------------------------------------------------

  private commitCreate(type: ResourceType, obj: KubeObject): KubeObject {
    const meta = obj.metadata;
    if (type.namespaced) {
      if (!meta.namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      const ns = this.store.get('/namespaces', `/${meta.namespace}`);
      if (!ns) throw errors.notFound('namespaces', '', meta.namespace);
      if (ns.metadata.deletionTimestamp) {
        throw errors.forbidden(`${type.plural} "${meta.name ?? meta.generateName}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`);
      }
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) {
      meta.name = meta.generateName + Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)]).join('');
    }
    if (!meta.name) throw errors.invalid(type.kind, type.group, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    if (this.store.get(resourceKey(type), keyOf(obj))) throw errors.alreadyExists(type.plural, type.group, meta.name);
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.deletionTimestamp;
    delete meta.resourceVersion;
    if (type.generation) meta.generation = 1;
    if (type.subresources.status) delete obj.status;
    if (type.kind === 'Namespace') {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    }
    if (type.kind === 'Pod') obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    if (type.kind === 'Service') this.clusterIPs.allocate(obj);
    if (type.kind === 'Deployment') defaultDeployment(obj);
    // A new CRD's types are served before anyone hears of the CRD (watchers may list them at once).
    if (type.kind === 'CustomResourceDefinition') this.registry.registerCrd(obj as never);
    this.store.commit(resourceKey(type), keyOf(obj), 'ADDED', obj);
    return obj;
  }

  private commitUpdate(type: ResourceType, current: KubeObject, next: KubeObject, subresource?: Subresource): KubeObject {
    const name = String(current.metadata.name);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) throw errors.conflict(type.plural, type.group, name);
    let result: KubeObject;
    if (subresource === 'status') {
      result = { ...structuredClone(current), status: next.status };
      // Deployment's status strategy resets only spec and labels: annotations written through
      // /status stick (upstream's deployment controller stores the revision annotation this way).
      if (type.kind === 'Deployment') result.metadata.annotations = next.metadata.annotations;
    } else if (subresource === 'scale') {
      result = structuredClone(current);
      result.spec = { ...(result.spec as object), replicas: (next.spec as { replicas?: number }).replicas };
    } else if (subresource === 'finalize') {
      result = structuredClone(current);
      result.spec = { ...(result.spec as object), finalizers: (next.spec as { finalizers?: string[] }).finalizers ?? [] };
    } else {
      // Main resource: status is the status subresource's; the server owns the system metadata.
      result = next;
      if (type.subresources.status) result.status = structuredClone(current.status);
      if (type.kind === 'Namespace') result.spec = structuredClone(current.spec);
      for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name'] as const) {
        if (current.metadata[field] === undefined) delete result.metadata[field];
        else (result.metadata as Record<string, unknown>)[field] = current.metadata[field];
      }
      result.apiVersion = current.apiVersion;
      result.kind = current.kind;
      if (type.kind === 'Deployment') defaultDeployment(result);
    }
    result.metadata.resourceVersion = current.metadata.resourceVersion;
    if (jsonEqual(result, current)) return current;
    // Spec changes count as a new generation; for Deployments, annotation changes through the main
    // resource too (upstream's deploymentStrategy; its status strategy leaves generation alone).
    const annotationsChanged = type.kind === 'Deployment' && subresource === undefined && !jsonEqual(result.metadata.annotations ?? {}, current.metadata.annotations ?? {});
    if (type.generation && (annotationsChanged || !jsonEqual(withoutMetaAndStatus(result), withoutMetaAndStatus(current)))) {
      result.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    if (result.metadata.deletionTimestamp && (result.metadata.finalizers ?? []).length === 0 && type.kind !== 'Namespace') {
      if (!(type.kind === 'Pod' && current.metadata.deletionGracePeriodSeconds)) {
        this.remove(type, result);
        return result;
      }
    }
    this.store.commit(resourceKey(type), keyOf(result), 'MODIFIED', result);
    if (type.kind === 'CustomResourceDefinition') this.registry.registerCrd(result as never);
    return type.kind === 'Namespace' ? this.deleteIfFinalized(type, result) : result;
  }

  /** A terminating namespace goes once both its `spec.finalizers` and `metadata.finalizers` are empty. */
  private deleteIfFinalized(type: ResourceType, ns: KubeObject): KubeObject {
    const specFinalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (ns.metadata.deletionTimestamp && specFinalizers.length === 0 && (ns.metadata.finalizers ?? []).length === 0) this.remove(type, ns);
    return ns;
  }

  private remove(type: ResourceType, obj: KubeObject): void {
    this.store.commit(resourceKey(type), keyOf(obj), 'DELETED', obj);
    if (type.kind === 'Service') this.clusterIPs.release(obj);
    if (type.kind === 'CustomResourceDefinition') this.registry.unregisterCrd(String(obj.metadata.name));
  }

  /** POST /api/v1/namespaces/{ns}/bindings: what a scheduler sends to put a pod on a node. */
  private bind(binding: KubeObject): KubeObject {
    const type = this.type({ group: '', version: 'v1', plural: 'pods' });
    const { namespace, name } = binding.metadata;
    const pod = structuredClone(this.current(type, namespace, String(name)));
    const spec = pod.spec as { nodeName?: string };
    if (spec.nodeName) throw errors.conflict('pods/binding', '', `${name}`);
    spec.nodeName = (binding.target as { name: string }).name;
    const status = pod.status as { conditions?: unknown[] };
    status.conditions = [...(status.conditions ?? []), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }];
    this.store.commit(resourceKey(type), keyOf(pod), 'MODIFIED', pod);
    return binding;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private type(ref: ResourceRef): ResourceType {
    const type = this.registry.lookup(ref.group, ref.version, ref.plural);
    if (!type) throw errors.noResource();
    return type;
  }

  private current(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(resourceKey(type), `${type.namespaced ? (namespace ?? '') : ''}/${name}`);
    if (!obj) throw errors.notFound(type.plural, type.group, name);
    return obj;
  }


  private fanOut(change: Change): void {
    for (const watch of this.watches) if (change.resource === resourceKey(watch.type)) this.deliverChange(watch, change);
  }

  private deliverChange(watch: Watch, change: Change): void {
    if (watch.namespace !== undefined && change.object.metadata.namespace !== watch.namespace) return;
    this.deliver(watch, { type: change.type, object: structuredClone(change.object) });
  }

  /** Synchronous delivery through one queue, as the real watch hub does: global order, re-entrancy safe. */
  private deliver(watch: Watch, event: WatchEvent): void {
    this.pending.push({ watch, event });
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        if (!next.watch.stopped) next.watch.onEvent(next.event);
      }
    } finally {
      this.draining = false;
    }
  }
}

/** The server-side defaults of a Deployment that its controller reads. */
function defaultDeployment(d: KubeObject): void {
  const spec = (d.spec ??= {}) as Record<string, unknown>;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const strategy = (spec.strategy ??= {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxSurge ??= '25%';
    strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function withoutMetaAndStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
