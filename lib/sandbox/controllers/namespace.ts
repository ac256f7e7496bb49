// SPDX-License-Identifier: Apache-2.0
// The namespace controller: empties a namespace that is being deleted, then lets it go.
//
// `kubectl delete namespace demo` does not delete anything yet: the API server marks the
// namespace Terminating (deletionTimestamp, `status.phase: Terminating`) and refuses new objects
// in it. Its `spec.finalizers: [kubernetes]` keeps it alive until this controller has deleted
// every object in it, of every namespaced type the server serves, custom resources included.
// Objects that take a while (pods shutting down, objects with finalizers of their own) make it
// look again shortly. When nothing is left it removes `kubernetes` from `spec.finalizers` through
// the namespace's `/finalize` subresource, and the API server deletes the namespace.
//
// Along the way it reports in `status.conditions` what `kubectl describe namespace` shows
// (NamespaceContentRemaining, NamespaceFinalizersRemaining, ...), with upstream's reasons.
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { Controller, type Logger, type ReconcileResult } from './controller.js';
import { refOf, servedResources } from './discovery.js';
import type { Informer, InformerFactory } from './informer.js';
import { isBeingDeleted, isNotFound, jsonEqual, now, setCondition, type Condition } from './objects.js';

const KUBERNETES_FINALIZER = 'kubernetes';
/** How soon to look again while content is still going away. */
const RECHECK_MS = 200;

export class NamespaceController extends Controller {
  readonly name = 'namespace-controller';
  private readonly namespaces: Informer;
  private readonly crds: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    log: Logger,
  ) {
    super(log);
    this.namespaces = informers.informer(refs.namespaces);
    this.crds = informers.informer(refs.crds);
    const enqueue = (ns: KubeObject) => {
      if (isBeingDeleted(ns)) this.queue.add(String(ns.metadata.name));
    };
    this.namespaces.addHandlers({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.get(undefined, name);
    if (!ns || !isBeingDeleted(ns)) return;
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!finalizers.includes(KUBERNETES_FINALIZER)) return;

    const { remaining, withFinalizers } = await this.deleteContent(name);
    const conditions = contentConditions(ns, remaining, withFinalizers);
    const status = { ...(ns.status as object), phase: 'Terminating', conditions };
    let current = ns;
    if (!jsonEqual(ns.status, status)) current = await this.api.update(refs.namespaces, { ...ns, status }, { subresource: 'status' });
    if (remaining.size > 0) return { requeueAfterMs: RECHECK_MS };

    const spec = { ...(current.spec as object), finalizers: finalizers.filter((f) => f !== KUBERNETES_FINALIZER) };
    await this.api.update(refs.namespaces, { ...current, spec }, { subresource: 'finalize' });
  }

  /**
   * Deletes every object in the namespace (Background: the garbage collector takes their
   * dependents) and counts, per resource, what is still there, and which finalizers hold it.
   */
  private async deleteContent(namespace: string) {
    const remaining = new Map<string, number>();
    const withFinalizers = new Map<string, number>();
    for (const type of servedResources(this.crds.list())) {
      if (!type.namespaced || !type.verbs.includes('list') || !type.verbs.includes('delete')) continue;
      const ref = refOf(type);
      let items: KubeObject[];
      try {
        items = (await this.api.list(ref, { namespace })).items;
      } catch (error) {
        if (isNotFound(error)) continue; // the type went away meanwhile (a CRD deleted)
        throw error;
      }
      // Upstream prints resource.group, so core types read "pods." (with the dot).
      const resource = `${type.plural}.${type.group}`;
      for (const item of items) {
        if (!isBeingDeleted(item)) {
          try {
            const after = await this.api.delete(ref, namespace, String(item.metadata.name), { propagationPolicy: 'Background' });
            if (!after || !isBeingDeleted(after)) continue; // gone at once
          } catch (error) {
            if (isNotFound(error)) continue;
            throw error;
          }
        }
        remaining.set(resource, (remaining.get(resource) ?? 0) + 1);
        for (const f of item.metadata.finalizers ?? []) withFinalizers.set(f, (withFinalizers.get(f) ?? 0) + 1);
      }
    }
    return { remaining, withFinalizers };
  }
}

/** The conditions kube-controller-manager's namespace deleter writes, as far as they apply here. */
function contentConditions(ns: KubeObject, remaining: Map<string, number>, withFinalizers: Map<string, number>): Condition[] {
  const set = (list: Condition[], type: string, status: Condition['status'], reason: string, message: string) =>
    setCondition(list, { type, status, reason, message, lastTransitionTime: now() });
  let conditions = ((ns.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
  conditions = set(conditions, 'NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered');
  conditions = set(conditions, 'NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed');
  conditions = set(conditions, 'NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization');
  conditions = remaining.size > 0
    ? set(conditions, 'NamespaceContentRemaining', 'True', 'SomeResourcesRemain',
      `Some resources are remaining: ${[...remaining].sort().map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`)
    : set(conditions, 'NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed');
  conditions = withFinalizers.size > 0
    ? set(conditions, 'NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain',
      `Some content in the namespace has finalizers remaining: ${[...withFinalizers].sort().map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`)
    : set(conditions, 'NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished');
  return conditions;
}
