// SPDX-License-Identifier: Apache-2.0
// The garbage collector: deletes objects whose owners are gone, following `ownerReferences`.
//
// It keeps a graph of every object of every served type (except Events), with an edge from each
// object to the owners its ownerReferences name by uid. Deleting an owner never deletes anything
// by itself; what happens next depends on the propagation policy the DELETE asked for, which the
// API server turned into a finalizer on the owner:
//
//   Background (no finalizer)  the owner goes at once; its dependents now point at a uid that
//                              no longer exists ("dangling"), so the collector deletes them.
//   Foreground (`foregroundDeletion`)  the owner stays, with a deletionTimestamp, while the
//                              collector deletes the dependents that have blockOwnerDeletion set;
//                              when none is left it removes the finalizer and the owner goes.
//   Orphan (`orphan`)          the collector removes the owner from its dependents'
//                              ownerReferences, then removes the finalizer: the dependents stay.
//
// Before deleting anything the collector asks the server for the owners (a live GET, never the
// cache, since a missing owner must really be missing). An owner reference is only valid within
// the dependent's namespace: one naming an owner in another namespace finds nothing there and
// counts as dangling. Cycles of owners (A owns B, B owns A) do not block a foreground deletion:
// the dependent's blockOwnerDeletion towards a waiting owner is lifted first.
//
// This is kube-controller-manager's garbagecollector (attemptToDeleteItem,
// processDeletingDependentsItem, orphanDependents), without its metadata-only informers.
import type { ApiHandle, DeleteOptions, ResourceRef } from '../apiserver/api.js';
import { refs } from '../apiserver/api.js';
import type { KubeObject, OwnerReference, ResourceType } from '../apiserver/types.js';
import { runController, type Logger, type ReconcileResult, type RunningController } from './controller.js';
import { refOf, servedResources, typeOfKind } from './discovery.js';
import { EventRecorder } from './events.js';
import type { Informer, InformerFactory } from './informer.js';
import { isBeingDeleted, isNotFound } from './objects.js';
import { WorkQueue } from '../../kube/workqueue.js';

const MERGE = 'application/merge-patch+json';
const ORPHAN = 'orphan';
/** How soon to re-check a dependent whose owner exists but has not been observed yet. */
const UNOBSERVED_RECHECK_MS = 100;
const FOREGROUND = 'foregroundDeletion';

/** Events own nothing and nobody owns them: the collector does not watch them (neither does upstream's). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/** An object as the graph knows it. */
interface Node {
  uid: string;
  type: ResourceType;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  finalizers: string[];
  deleting: boolean;
}

export class GarbageCollector {
  readonly name = 'garbage-collector';
  /** objects whose owners may be gone, or owners waiting for their dependents to go (keys: uids) */
  private readonly attemptToDelete = new WorkQueue();
  /** owners being deleted with the orphan finalizer (keys: uids) */
  private readonly attemptToOrphan = new WorkQueue();
  private readonly nodes = new Map<string, Node>();
  /** owner uid -> uids of the objects naming it in their ownerReferences */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly watched = new Map<string, Informer>();
  private types: ResourceType[] = [];
  private readonly crds: Informer;
  private readonly events: EventRecorder;
  private running: RunningController[] = [];
  private stopped = false;

  constructor(
    private readonly api: ApiHandle,
    private readonly informers: InformerFactory,
    private readonly log: Logger,
  ) {
    this.events = new EventRecorder(api, 'garbage-collector-controller');
    this.crds = informers.informer(refs.crds);
    // A new CustomResourceDefinition is a new type to watch (upstream re-runs discovery for this).
    const resync = () => this.syncTypes();
    this.crds.addHandlers({ onAdd: resync, onUpdate: resync, onDelete: resync });
    this.syncTypes();
  }

  /** Starts processing once every watched type is in the graph, so "not in the graph" means something. */
  async start(): Promise<void> {
    // The CRDs first: their list adds the custom types to `watched`, whose lists we then await.
    await this.crds.waitForSync();
    await Promise.all([...this.watched.values()].map((i) => i.waitForSync()));
    if (this.stopped) return;
    this.running = [
      runController(`${this.name} (delete)`, this.attemptToDelete, (uid) => this.processAttemptToDelete(uid), this.log, 2),
      runController(`${this.name} (orphan)`, this.attemptToOrphan, (uid) => this.processAttemptToOrphan(uid), this.log),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
    await Promise.all(this.running.map((r) => r.stopped));
  }

  isIdle(): boolean {
    return this.attemptToDelete.idle && this.attemptToOrphan.idle;
  }

  // --- the graph ----------------------------------------------------------------------------------

  private syncTypes(): void {
    this.types = servedResources(this.crds.list());
    const wanted = new Map(this.types.filter((t) => !IGNORED.has(`${t.group}/${t.plural}`)).map((t) => [`${t.group}/${t.plural}`, t]));
    for (const [id, type] of wanted) {
      if (this.watched.has(id)) continue;
      const informer = this.informers.informer(refOf(type));
      informer.addHandlers({
        onAdd: (obj) => this.observe(type, undefined, obj),
        onUpdate: (old, obj) => this.observe(type, old, obj),
        onDelete: (obj) => this.forgetObject(obj),
      });
      this.watched.set(id, informer);
    }
    for (const [id, informer] of this.watched) {
      if (wanted.has(id)) continue;
      // The type is no longer served (its CRD is gone, and with it every object of the type).
      for (const obj of informer.list()) this.forgetObject(obj);
      this.informers.drop(informer.ref);
      this.watched.delete(id);
    }
  }

  private observe(type: ResourceType, old: KubeObject | undefined, obj: KubeObject): void {
    const uid = String(obj.metadata.uid);
    const node: Node = {
      uid,
      type,
      namespace: obj.metadata.namespace,
      name: String(obj.metadata.name),
      owners: obj.metadata.ownerReferences ?? [],
      finalizers: obj.metadata.finalizers ?? [],
      deleting: isBeingDeleted(obj),
    };
    const before = this.nodes.get(uid);
    this.nodes.set(uid, node);
    for (const ref of before?.owners ?? []) this.dependents.get(ref.uid)?.delete(uid);
    for (const ref of node.owners) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }

    // An owner being deleted with `orphan`: free its dependents.
    if (node.deleting && node.finalizers.includes(ORPHAN)) this.attemptToOrphan.add(uid);
    // An owner deleted in the foreground: its dependents must go first, then it may go.
    if (waitsForDependents(node)) {
      this.attemptToDelete.add(uid);
      for (const dep of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dep);
    }
    // A dependent whose owner is unknown (maybe gone), in another namespace (so, for it, absent)
    // or waiting for its dependents: check it.
    const suspect = (ref: OwnerReference) => {
      const owner = this.nodes.get(ref.uid);
      return !owner || waitsForDependents(owner) || (owner.type.namespaced && owner.namespace !== node.namespace);
    };
    if (node.owners.some(suspect)) this.attemptToDelete.add(uid);
    // Owners it no longer blocks (reference removed, or blockOwnerDeletion lifted) may now go.
    for (const ref of old?.metadata.ownerReferences ?? []) {
      const owner = this.nodes.get(ref.uid);
      if (owner && waitsForDependents(owner)) this.attemptToDelete.add(owner.uid);
    }
  }

  private forgetObject(obj: KubeObject): void {
    const uid = String(obj.metadata.uid);
    const node = this.nodes.get(uid);
    if (!node) return;
    this.nodes.delete(uid);
    for (const ref of node.owners) {
      this.dependents.get(ref.uid)?.delete(uid);
      // A foreground owner may have been waiting for just this one.
      const owner = this.nodes.get(ref.uid);
      if (owner && waitsForDependents(owner)) this.attemptToDelete.add(owner.uid);
    }
    // Its dependents now point at a uid that no longer exists.
    for (const dep of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dep);
  }

  // --- attemptToDelete ------------------------------------------------------------------------------

  private async processAttemptToDelete(uid: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    if (node.deleting && !waitsForDependents(node)) return; // on its way out already
    const latest = await this.getLatest(node);
    if (!latest) return;
    if (isBeingDeleted(latest) && (latest.metadata.finalizers ?? []).includes(FOREGROUND)) {
      return this.processDeletingDependents(node, latest);
    }
    const owners = latest.metadata.ownerReferences ?? [];
    if (owners.length === 0) return;

    const { solid, dangling, waiting } = await this.classifyOwners(latest, owners);
    if (solid.length > 0) {
      // Still owned: only drop the references to owners that are gone or going.
      if (dangling.length > 0 || waiting.length > 0) {
        const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
        await this.patchOwnerReferences(node, latest, owners.filter((r) => !drop.has(r.uid)));
      }
      // An owner that exists but is not in the graph yet (its type's informer is still listing)
      // could be deleted before we ever see it: look again until it shows up, as upstream does
      // with its "virtual" nodes.
      if (solid.some((r) => !this.nodes.has(r.uid))) return { requeueAfterMs: UNOBSERVED_RECHECK_MS };
      return;
    }
    const hasDependents = (this.dependents.get(uid)?.size ?? 0) > 0;
    if (waiting.length > 0 && hasDependents) {
      // Our owner waits for us and we have dependents ourselves: go in the foreground too. If one
      // of our dependents also waits for its own (a cycle), stop blocking our waiting owners first.
      const cycle = [...(this.dependents.get(uid) ?? [])].some((dep) => waitsForDependents(this.nodes.get(dep)));
      if (cycle) {
        const waitingUids = new Set(waiting.map((r) => r.uid));
        const unblocked = owners.map((r) => (waitingUids.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
        latest.metadata = (await this.patchOwnerReferences(node, latest, unblocked))?.metadata ?? latest.metadata;
      }
      return this.deleteObject(node, latest, 'Foreground');
    }
    const finalizers = latest.metadata.finalizers ?? [];
    const policy = finalizers.includes(ORPHAN) ? 'Orphan' : finalizers.includes(FOREGROUND) ? 'Foreground' : 'Background';
    return this.deleteObject(node, latest, policy);
  }

  /** A foreground deletion: wait for the blocking dependents to go, then let the owner go. */
  private async processDeletingDependents(node: Node, latest: KubeObject): Promise<void> {
    const blocking = [...(this.dependents.get(node.uid) ?? [])]
      .map((dep) => this.nodes.get(dep))
      .filter((dep): dep is Node => dep !== undefined && dep.owners.some((r) => r.uid === node.uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      const finalizers = (latest.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
      await this.patch(node, { metadata: { resourceVersion: latest.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } });
      return;
    }
    for (const dep of blocking) if (!dep.deleting) this.attemptToDelete.add(dep.uid);
  }

  /**
   * Sorts an object's owners: solid (exists, not waiting), dangling (no object with that uid where
   * the reference points), waiting (being deleted in the foreground).
   */
  private async classifyOwners(item: KubeObject, owners: OwnerReference[]) {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of owners) {
      const type = typeOfKind(this.types, ref.apiVersion, ref.kind);
      if (!type) throw new Error(`owner ${ref.kind}.${ref.apiVersion} "${ref.name}" is of a type the server does not serve (yet)`);
      // A cluster-scoped object cannot be owned by a namespaced one: an error no retry will fix.
      if (type.namespaced && !item.metadata.namespace) {
        this.log.error(`${this.name}: cluster-scoped ${item.kind} "${item.metadata.name}" names a namespaced owner; ignoring that reference`);
        solid.push(ref);
        continue;
      }
      let owner: KubeObject | undefined;
      try {
        owner = await this.api.get(refOf(type), type.namespaced ? item.metadata.namespace : undefined, ref.name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      if (!owner || owner.metadata.uid !== ref.uid) {
        dangling.push(ref);
        const elsewhere = this.nodes.get(ref.uid);
        if (elsewhere && elsewhere.namespace !== item.metadata.namespace) {
          this.events.warning(item, 'OwnerRefInvalidNamespace',
            `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${item.metadata.namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${item.metadata.namespace}"`);
        }
      }
      else if (isBeingDeleted(owner) && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  // --- attemptToOrphan ----------------------------------------------------------------------------

  private async processAttemptToOrphan(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const latest = await this.getLatest(node);
    if (!latest || !isBeingDeleted(latest) || !(latest.metadata.finalizers ?? []).includes(ORPHAN)) return;
    for (const depUid of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.nodes.get(depUid);
      if (!dep) continue;
      const current = await this.getLatest(dep);
      const owners = current?.metadata.ownerReferences ?? [];
      if (!current || !owners.some((r) => r.uid === uid)) continue;
      await this.patchOwnerReferences(dep, current, owners.filter((r) => r.uid !== uid));
    }
    const finalizers = (latest.metadata.finalizers ?? []).filter((f) => f !== ORPHAN);
    await this.patch(node, { metadata: { resourceVersion: latest.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } });
  }

  // --- talking to the server ----------------------------------------------------------------------

  /** The object as stored now, if it is still the object the graph knows (same uid). */
  private async getLatest(node: Node): Promise<KubeObject | undefined> {
    try {
      const obj = await this.api.get(refOf(node.type), node.namespace, node.name);
      return obj.metadata.uid === node.uid ? obj : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async deleteObject(node: Node, latest: KubeObject, propagationPolicy: DeleteOptions['propagationPolicy']): Promise<void> {
    try {
      // The uid precondition: never delete a new object that took the old one's name.
      await this.api.delete(refOf(node.type), node.namespace, node.name, { propagationPolicy, preconditions: { uid: latest.metadata.uid } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async patchOwnerReferences(node: Node, latest: KubeObject, ownerReferences: OwnerReference[]): Promise<KubeObject | undefined> {
    return this.patch(node, { metadata: { resourceVersion: latest.metadata.resourceVersion, ownerReferences: ownerReferences.length ? ownerReferences : null } });
  }

  /** A merge patch carrying the resourceVersion read: a concurrent change makes it a 409 and a retry. */
  private async patch(node: Node, body: unknown): Promise<KubeObject | undefined> {
    try {
      return await this.api.patch(refOf(node.type) as ResourceRef, node.namespace, node.name, body, MERGE);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function waitsForDependents(node: Node | undefined): boolean {
  return node !== undefined && node.deleting && node.finalizers.includes(FOREGROUND);
}
