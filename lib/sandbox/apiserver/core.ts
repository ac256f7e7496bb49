// SPDX-License-Identifier: Apache-2.0
// The heart of the sandbox API server: what happens to an object on create, update, patch and
// delete, in the order kube-apiserver does it. HTTP (server.ts) and the in-process handle
// (local-api.ts) both call these methods, so a controller and kubectl meet exactly the same rules.
//
// A write goes through:
//   decode      the body must be an object of the URL's apiVersion and kind, in the URL's namespace
//   prepare     server-owned fields: uid, creationTimestamp, generation, status split, finalizers
//   validate    metadata rules, then the type's rules: the CRD schema (prune, default, validate)
//               for custom resources, builtins/ for built-in types; 422 Invalid with causes
//   admit       the namespace must exist and not be terminating
//   allocate    what the object takes from the server (a Service's cluster IP), only now that
//               nothing can refuse the write any more
//   commit      next revision, history, watchers; a write that changes nothing is not written
// Every step either passes or throws an ApiError carrying the real server's Status.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { validateCustomResource, type FieldValidation, type JSONSchemaProps } from '../../kube/index.js';
import { bindPod, isBindings } from './binding.js';
import { ClusterIPAllocator } from './clusterip.js';
import { applyPatch, defaultBuiltin, mergeCauses, trackUpdate, validateBuiltin, validateMeta } from './collaborators.js';
import { deleteObject, type DeleteOutcome } from './deletion.js';
import { lifecycleOf } from './lifecycle.js';
import { listObjects, type ListQuery } from './list.js';
import { asServed, generatedName, isPlainObject, timestamp } from './objects.js';
import { resourceKey, ResourceRegistry } from './resources.js';
import { applyScale, scaleOf } from './scale.js';
import { ApiError, errors, type StatusCause } from './status.js';
import { statusWrite } from './status-subresource.js';
import { objectKey, Store, type Change } from './store.js';
import type { DeleteOptions } from './api.js';
import type { KubeObject, ResourceType } from './types.js';
import { apiVersionOf } from './types.js';
import { WatchHub, type WatchRequest, type WatchSink, type Watcher } from './watch.js';

/** Per-request options of a write, from the query string (or the in-process call). */
export interface WriteContext {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  force?: boolean;
  userAgent?: string;
  /** collected `Warning:` headers (unknown fields under fieldValidation=Warn, ...) */
  warnings: string[];
}

export interface WriteResult {
  object: KubeObject;
  /** answered 201 Created rather than 200 */
  created: boolean;
}

export interface CoreOptions {
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  minRequestTimeoutSeconds?: number;
  /** the cluster CA in PEM, published in every namespace as ConfigMap `kube-root-ca.crt` */
  caPem?: string;
  /** where Services' cluster IPs come from (default 10.96.0.0/16) */
  serviceCIDR?: string;
}

export function newContext(partial: Partial<WriteContext> = {}): WriteContext {
  return { warnings: [], ...partial };
}

/** Drops `null` values, as decoding JSON into Go structs does for built-in types. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/** The field manager the apiserver derives from a User-Agent when `?fieldManager=` is absent. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0].trim();
  return prefix.length > 0 ? prefix.slice(0, 128) : 'unknown';
}

/** Everything but metadata (and status, when status is written through its own subresource). */
function specPart(type: ResourceType, obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return type.subresources.status ? rest : { ...rest, status };
}

export class ApiCore {
  readonly registry = new ResourceRegistry();
  readonly watches: WatchHub;
  /** the Services' address range; what stored Services hold is taken */
  readonly clusterIPs: ClusterIPAllocator;

  constructor(readonly store: Store, readonly options: CoreOptions = {}) {
    this.watches = new WatchHub(store, options);
    this.clusterIPs = new ClusterIPAllocator(options.serviceCIDR);
    this.clusterIPs.restore(store.list(resourceKey({ group: '', plural: 'services' })));
  }

  /** The served type for a URL's group, version and plural; 404 when there is none. */
  resolve(group: string, version: string, plural: string): ResourceType {
    const type = this.registry.lookup(group, version, plural);
    if (!type) throw errors.noResource();
    return type;
  }

  /** Serves the CRDs found in the store (after loading from disk). */
  registerStoredCrds(): void {
    const crds = this.resolve('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    for (const crd of this.store.list(resourceKey(crds))) this.registry.registerCrd(crd);
  }

  // --- reads ------------------------------------------------------------------------------------

  /**
   * 405 for a verb the type does not serve: every verb but `create` on `bindings`, and
   * `deletecollection` on namespaces.
   */
  checkVerb(type: ResourceType, verb: string): void {
    if (!type.verbs.includes(verb)) throw errors.methodNotAllowed();
  }

  /** The stored object (callers must not change it). */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(resourceKey(type), objectKey(type.namespaced ? namespace : undefined, name));
    if (!found) throw errors.notFound(type.plural, type.group, name);
    return found;
  }

  /** GET of an object or of its status / scale subresource, as served. */
  read(type: ResourceType, namespace: string | undefined, name: string, subresource?: string): unknown {
    if (subresource === undefined) this.checkVerb(type, 'get');
    this.checkSubresource(type, subresource, 'get');
    const object = asServed(type, this.get(type, namespace, name));
    return subresource === 'scale' ? scaleOf(type, object) : object;
  }

  list(type: ResourceType, query: ListQuery): Record<string, unknown> {
    this.checkVerb(type, 'list');
    return listObjects(this, type, query);
  }

  watch(request: WatchRequest, sink: WatchSink): Watcher {
    this.checkVerb(request.type, 'watch');
    return this.watches.start(request, sink);
  }

  // --- writes -----------------------------------------------------------------------------------

  /** POST: a new object; 201. */
  create(type: ResourceType, namespace: string | undefined, body: unknown, ctx: WriteContext, how: { operation?: 'Update' | 'Apply' } = {}): WriteResult {
    this.checkVerb(type, 'create');
    // A Binding is an action on a pod, not an object to store (binding.ts).
    if (isBindings(type)) return { object: bindPod(this, namespace, undefined, body, ctx), created: true };
    const obj = this.decode(type, namespace, body);
    const applied = how.operation === 'Apply' ? obj.metadata.managedFields : undefined;
    if (type.crdName && this.crdTerminating(type.crdName)) {
      throw errors.methodNotAllowed('create', `${type.plural}.${type.group}`);
    }
    if (obj.metadata.resourceVersion) throw errors.unknown('resourceVersion should not be set on objects to be created');
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    if (type.generation) meta.generation = 1;
    else delete meta.generation;
    // Status is the status subresource's to write; only a Node may be born with one (its
    // kubelet registers it with what it already knows).
    if (type.subresources.status && !(type.group === '' && type.plural === 'nodes')) {
      if (type.builtin) obj.status = {};
      else delete obj.status;
    }
    lifecycleOf(type).prepareForCreate?.(this, type, obj);
    const final = this.validated(type, obj, undefined, ctx, undefined);
    // Server-side apply computed its own field ownership; every other create is an Update.
    final.metadata.managedFields = applied ?? trackUpdate(undefined, final, type, this.manager(ctx), { now: final.metadata.creationTimestamp });
    if (final.metadata.managedFields === undefined) delete final.metadata.managedFields;
    this.admit(type, final);
    const key = objectKey(final.metadata.namespace, final.metadata.name!);
    if (this.store.get(resourceKey(type), key)) throw errors.alreadyExists(type.plural, type.group, final.metadata.name!);
    lifecycleOf(type).beforeCommit?.(this, type, final, undefined, ctx);
    if (ctx.dryRun) return { object: asServed(type, final), created: true };
    const change = this.commit(type, key, 'ADDED', final);
    lifecycleOf(type).afterCommit?.(this, type, change);
    return { object: asServed(type, change.object), created: true };
  }

  /** POST to a subresource: `pods/{name}/binding` is the one there is. */
  createSubresource(type: ResourceType, namespace: string | undefined, name: string, subresource: string, body: unknown, ctx: WriteContext): WriteResult {
    this.checkSubresource(type, subresource, 'create');
    if (type.group === '' && type.plural === 'pods' && subresource === 'binding') {
      return { object: bindPod(this, namespace, name, body, ctx), created: true };
    }
    throw errors.noResource();
  }

  /** PUT of an object, or of its status / scale subresource. */
  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, ctx: WriteContext, subresource?: string): WriteResult {
    if (subresource === undefined) this.checkVerb(type, 'update');
    this.checkSubresource(type, subresource, 'update');
    if (subresource === 'scale') {
      const current = this.get(type, namespace, name);
      const next = applyScale(type, current, body);
      const result = this.write(type, namespace, name, () => next, ctx, undefined, { unconditional: true, trackAs: 'scale' });
      return { object: scaleOf(type, result.object) as unknown as KubeObject, created: false };
    }
    const candidate = this.decode(type, namespace, body);
    if (candidate.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${candidate.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    return this.write(type, namespace, name, () => candidate, ctx, subresource, {
      createIfMissing: type.allowCreateOnUpdate === true && subresource === undefined,
      unconditional: type.builtin,
    });
  }

  /** PATCH in any of the four patch types, on an object or its status / scale subresource. */
  patch(
    type: ResourceType, namespace: string | undefined, name: string,
    body: Buffer | string, contentType: string, ctx: WriteContext, subresource?: string,
  ): WriteResult {
    if (subresource === undefined) this.checkVerb(type, 'patch');
    this.checkSubresource(type, subresource, 'patch');
    const opts = { fieldManager: ctx.fieldManager, force: ctx.force, subresource, name, namespace: type.namespaced ? namespace : undefined, now: timestamp() };
    if (subresource === 'scale') {
      const current = this.get(type, namespace, name);
      const patchedScale = applyPatch(scaleOf(type, asServed(type, current)) as unknown as KubeObject, body, contentType, type, opts);
      const next = applyScale(type, current, patchedScale);
      const result = this.write(type, namespace, name, () => next, ctx, undefined, { unconditional: true, trackAs: 'scale' });
      return { object: scaleOf(type, result.object) as unknown as KubeObject, created: false };
    }
    const isApply = contentType.split(';')[0].trim() === 'application/apply-patch+yaml';
    return this.write(type, namespace, name, (current) => {
      const patched = applyPatch(current && asServed(type, current), body, contentType, type, opts);
      if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) throw errors.badRequest('the patch produced an object without metadata');
      if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
      }
      const decoded = this.decode(type, namespace, { ...patched, metadata: { ...patched.metadata, name } });
      return decoded;
    }, ctx, subresource, { createIfMissing: isApply, unconditional: true, operation: isApply ? 'Apply' : 'Update' });
  }

  /** DELETE of one object. */
  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions & { orphanDependents?: boolean }, ctx: WriteContext): DeleteOutcome {
    this.checkVerb(type, 'delete');
    return deleteObject(this, type, namespace, name, options, ctx);
  }

  /** DELETE of a collection: every object the selectors match; answers the list of what was deleted. */
  deleteCollection(type: ResourceType, query: ListQuery, options: DeleteOptions, ctx: WriteContext): Record<string, unknown> {
    this.checkVerb(type, 'deletecollection');
    const { items } = listObjects(this, type, { ...query, limit: undefined, continueToken: undefined }) as { items: KubeObject[] };
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        const outcome = this.delete(type, item.metadata.namespace, item.metadata.name!, options, ctx);
        deleted.push(outcome.object ?? item);
      } catch (e) {
        // Gone in the meantime (a finalizer finished): not an error for a collection delete.
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { apiVersion: apiVersionOf(type), kind: type.listKind, metadata: { resourceVersion: String(this.store.revision) }, items: deleted };
  }

  // --- the shared update path -------------------------------------------------------------------

  /**
   * Update, patch and scale all end here: `compute` turns the current object (undefined if
   * missing) into the candidate; this applies the status split, preconditions, generation,
   * validation, finalizer rules and the no-op check, then commits.
   */
  write(
    type: ResourceType, namespace: string | undefined, name: string,
    compute: (current: KubeObject | undefined) => KubeObject,
    ctx: WriteContext, subresource: string | undefined,
    how: {
      createIfMissing?: boolean; unconditional?: boolean; operation?: 'Update' | 'Apply';
      /** the subresource the field manager records (a scale write changes the main object, but is `scale`'s) */
      trackAs?: string;
    },
  ): WriteResult {
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const current = this.store.get(resourceKey(type), key);
    if (!current) {
      if (!how.createIfMissing) throw errors.notFound(type.plural, type.group, name);
      const candidate = compute(undefined);
      delete candidate.metadata.resourceVersion;
      return this.create(type, namespace, candidate, ctx, { operation: how.operation });
    }
    const candidate = compute(current);
    const meta = candidate.metadata;
    if (meta.resourceVersion) {
      if (meta.resourceVersion !== current.metadata.resourceVersion) throw errors.conflict(type.plural, type.group, name);
    } else if (!how.unconditional) {
      throw errors.invalid(type.kind, type.group, name, [{
        reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update',
      }]);
    }
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw errors.preconditionFailed(type.plural, type.group, name, `UID in precondition: ${meta.uid}, UID in object meta: ${current.metadata.uid}`);
    }

    // The status split: a status write changes .status (and the metadata its type's status
    // strategy allows, see status-subresource.ts), a main write never changes .status.
    let next: KubeObject;
    if (subresource === 'status') {
      next = statusWrite(type, current, candidate);
    } else {
      next = candidate;
      if (type.subresources.status) {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
    }
    // Fields only the server sets come from the stored object.
    const m = next.metadata;
    for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace'] as const) {
      if (current.metadata[field] === undefined) delete m[field];
      else (m as Record<string, unknown>)[field] = current.metadata[field];
    }
    delete m.selfLink;
    delete m.generateName;
    if (current.metadata.generateName) m.generateName = current.metadata.generateName;
    if (current.metadata.deletionTimestamp) {
      const added = (m.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw errors.invalid(type.kind, type.group, name, [{
          reason: 'FieldValueForbidden', field: 'metadata.finalizers',
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        }]);
      }
    }
    lifecycleOf(type).prepareForUpdate?.(this, type, next, current, subresource);

    const final = this.validated(type, next, current, ctx, subresource);
    if (type.generation) {
      // Spec changes make a new generation; for a Deployment, annotation changes too (they are
      // copied to its ReplicaSets). Status writes never do, whatever else they may change.
      // (The stored object is compared as it is read, with its CRD's current defaults.)
      const bumped = subresource !== 'status' && (
        !isDeepStrictEqual(specPart(type, final), specPart(type, asServed(type, current)))
        || (type.group === 'apps' && type.plural === 'deployments' && !isDeepStrictEqual(final.metadata.annotations, current.metadata.annotations)));
      final.metadata.generation = (current.metadata.generation ?? 0) + (bumped ? 1 : 0);
    }
    final.metadata.managedFields = how.operation === 'Apply'
      ? candidate.metadata.managedFields
      : trackUpdate(current, final, type, this.manager(ctx), { subresource: how.trackAs ?? subresource, now: timestamp() });
    if (final.metadata.managedFields === undefined) delete final.metadata.managedFields;

    final.metadata.resourceVersion = current.metadata.resourceVersion;
    if (isDeepStrictEqual(final, current)) return { object: asServed(type, current), created: false };

    // The last finalizer gone from an object being deleted: the update is its deletion.
    const lifecycle = lifecycleOf(type);
    const deleting = final.metadata.deletionTimestamp && (final.metadata.finalizers ?? []).length === 0 && (lifecycle.readyToDelete?.(final) ?? true);
    if (!deleting) lifecycle.beforeCommit?.(this, type, final, current, ctx);
    if (ctx.dryRun) return { object: asServed(type, final), created: false };
    if (deleting) {
      const change = this.commit(type, key, 'DELETED', final);
      this.afterDelete(type, change);
      return { object: asServed(type, change.object), created: false };
    }
    const change = this.commit(type, key, 'MODIFIED', final);
    lifecycle.afterCommit?.(this, type, change);
    return { object: asServed(type, change.object), created: false };
  }

  // --- steps shared by the writes ---------------------------------------------------------------

  /** Checks a body is an object of this type, and gives it the URL's namespace. */
  decode(type: ResourceType, namespace: string | undefined, body: unknown): KubeObject {
    if (!isPlainObject(body)) {
      throw errors.badRequest(`the body of the request is not a JSON object of kind ${type.kind}`);
    }
    const obj = (type.builtin ? dropNulls(structuredClone(body)) : structuredClone(body)) as KubeObject;
    const apiVersion = apiVersionOf(type);
    if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
    if (obj.kind === undefined || obj.kind === '') obj.kind = type.kind;
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') throw errors.badRequest('apiVersion and kind must be strings');
    const [group] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [''];
    if (group !== type.group || (obj.apiVersion !== apiVersion && !this.registry.lookup(type.group, obj.apiVersion.split('/').pop()!, type.plural))) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
    }
    if (obj.kind !== type.kind) {
      throw errors.badRequest(`${obj.kind} in version "${obj.apiVersion.split('/').pop()}" cannot be handled as a ${type.kind}: the kind in the data does not match the kind of the URL`);
    }
    obj.apiVersion = apiVersion;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (!isPlainObject(obj.metadata)) throw errors.badRequest(`metadata must be an object`);
    const meta = obj.metadata;
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    return obj;
  }

  /**
   * Metadata rules, then the type's own: schema pruning, defaulting and validation for custom
   * resources; defaults and validation from builtins/ for built-in types. Returns the object to
   * store; throws 400 (unknown fields under Strict) or 422 Invalid.
   */
  validated(type: ResourceType, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, subresource: string | undefined): KubeObject {
    const name = obj.metadata.name ?? '';
    let result = obj;
    let causes: StatusCause[];
    if (!type.builtin) {
      causes = validateMeta(type, obj, old);
      if (type.schema) {
        // Without ?fieldValidation, the apiserver warns about unknown fields and prunes them.
        const mode = ctx.fieldValidation ?? 'Warn';
        const validation = validateCustomResource(type.schema as JSONSchemaProps, obj, { fieldValidation: mode });
        if (validation.unknownFields.length > 0 && subresource === undefined) {
          if (mode === 'Strict') {
            throw errors.badRequest(`strict decoding error: ${validation.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
          }
          if (mode === 'Warn') for (const f of validation.unknownFields) ctx.warnings.push(`unknown field "${f}"`);
        }
        causes = mergeCauses(causes, validation.causes);
        result = validation.object as KubeObject;
      }
    } else {
      result = defaultBuiltin(type, obj, old);
      causes = validateBuiltin(type, result, old);
    }
    causes = mergeCauses(causes, lifecycleOf(type).validate?.(this, type, result, old) ?? []);
    if (causes.length > 0) throw errors.invalid(type.kind, type.group, name, causes);
    return result;
  }

  /** Admission: objects live in namespaces that exist and are not being deleted. */
  private admit(type: ResourceType, obj: KubeObject): void {
    if (!type.namespaced) return;
    const ns = obj.metadata.namespace ?? '';
    const namespace = this.store.get('/namespaces', objectKey(undefined, ns));
    if (!namespace) throw errors.notFound('namespaces', '', ns);
    if (namespace.metadata.deletionTimestamp) {
      throw errors.forbidden(`${type.plural}${type.group ? `.${type.group}` : ''} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name: obj.metadata.name, group: type.group, kind: type.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private manager(ctx: WriteContext): string {
    return ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent);
  }

  checkSubresource(type: ResourceType, subresource: string | undefined, verb: string): void {
    if (subresource === undefined) return;
    if (subresource === 'status' && type.subresources.status) return;
    if (subresource === 'scale' && type.subresources.scale) return;
    const other = type.otherSubresources?.find((s) => s.name === subresource);
    if (other && other.verbs.includes(verb)) return;
    throw errors.noResource();
  }

  commit(type: ResourceType, key: string, changeType: Change['type'], object: KubeObject): Change {
    return this.store.commit(resourceKey(type), key, changeType, object);
  }

  /** After an object is gone: type hooks, and the end of a terminating CRD once its objects are. */
  afterDelete(type: ResourceType, change: Change): void {
    lifecycleOf(type).afterCommit?.(this, type, change);
    if (type.crdName) lifecycleOf(this.resolve('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')).onInstanceDeleted?.(this, type.crdName);
  }

  crdTerminating(crdName: string): boolean {
    return Boolean(this.store.get('apiextensions.k8s.io/customresourcedefinitions', objectKey(undefined, crdName))?.metadata.deletionTimestamp);
  }
}
