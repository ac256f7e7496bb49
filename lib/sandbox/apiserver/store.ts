// SPDX-License-Identifier: Apache-2.0
// The sandbox's etcd: every object, one global revision counter, and a bounded history of changes.
//
// Like etcd under kube-apiserver, every write gets the next revision of the whole store, and that
// number becomes the object's `metadata.resourceVersion`. So resourceVersions rise across all
// types, a list's resourceVersion says "everything up to here", and a watch can resume from any
// recent revision by replaying the history. History is bounded (etcd compacts it too); asking for
// a revision older than what is kept is what produces `410 Gone` / `Expired`.
//
// The store knows nothing of HTTP, validation or watch filtering: it stores what the handlers
// decided, in order, and tells its listeners (the watch hub, persistence) about each change.
import type { KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed write. `object` is the state after it (for DELETED, the last state, with the new revision). */
export interface Change {
  revision: number;
  type: ChangeType;
  /** storage identity of the type, e.g. `apps/deployments` (see resources.ts) */
  resource: string;
  /** `namespace/name`, or `/name` for cluster-scoped objects */
  key: string;
  object: KubeObject;
  /** the state before a MODIFIED or DELETED change; watchers need it for selector transitions */
  previous?: KubeObject;
}

export interface StoreOptions {
  /** how many changes to keep for watch replay (default 10 000) */
  historyLimit?: number;
  /** the revision to start from (after loading a snapshot) */
  revision?: number;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** A table of one resource type's objects, with its keys kept sorted for paged lists. */
class Table {
  readonly objects = new Map<string, KubeObject>();
  private sorted: string[] | undefined;

  set(key: string, object: KubeObject): void {
    if (!this.objects.has(key)) this.sorted = undefined;
    this.objects.set(key, object);
  }

  delete(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }

  /** Keys in etcd order (byte order of `namespace/name`). */
  keys(): string[] {
    if (!this.sorted) this.sorted = [...this.objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }
}

export class Store {
  private revisionNow: number;
  /** every change after `compactedThrough`, in revision order */
  private history: Change[] = [];
  /** history up to and including this revision has been dropped */
  private compactedThrough: number;
  private readonly tables = new Map<string, Table>();
  private readonly historyLimit: number;
  private readonly listeners: ((change: Change) => void)[] = [];

  constructor(options: StoreOptions = {}) {
    this.revisionNow = options.revision ?? 0;
    this.compactedThrough = this.revisionNow;
    this.historyLimit = options.historyLimit ?? 10_000;
  }

  /** The revision of the last write (what a list answers as its resourceVersion). */
  get revision(): number {
    return this.revisionNow;
  }

  /** The oldest revision a watch can still start from. */
  get oldestWatchableRevision(): number {
    return this.compactedThrough;
  }

  get(resource: string, key: string): KubeObject | undefined {
    return this.tables.get(resource)?.objects.get(key);
  }

  /** Objects of one type in key order, optionally one namespace only. */
  list(resource: string, namespace?: string): KubeObject[] {
    const table = this.tables.get(resource);
    if (!table) return [];
    const keys = table.keys();
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const out: KubeObject[] = [];
    for (const key of keys) if (prefix === undefined || key.startsWith(prefix)) out.push(table.objects.get(key)!);
    return out;
  }

  /** How many objects of one type are stored. */
  count(resource: string): number {
    return this.tables.get(resource)?.objects.size ?? 0;
  }

  /** Every type that has objects. */
  resources(): string[] {
    return [...this.tables.keys()].filter((r) => this.count(r) > 0);
  }

  /**
   * The objects of one type as they were at `revision` (for paged lists, which must be consistent
   * across pages): the current state with the later changes undone. Undefined when the history
   * needed has been compacted.
   */
  listAt(resource: string, revision: number, namespace?: string): KubeObject[] | undefined {
    if (revision >= this.revisionNow) return this.list(resource, namespace);
    if (revision < this.compactedThrough) return undefined;
    const state = new Map<string, KubeObject>(this.tables.get(resource)?.objects ?? []);
    for (let i = this.history.length - 1; i >= 0 && this.history[i].revision > revision; i--) {
      const change = this.history[i];
      if (change.resource !== resource) continue;
      if (change.type === 'ADDED') state.delete(change.key);
      else state.set(change.key, change.previous!);
    }
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    return [...state.keys()]
      .filter((k) => prefix === undefined || k.startsWith(prefix))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((k) => state.get(k)!);
  }

  /**
   * Writes one object: sets its resourceVersion to the next revision, records the change and
   * tells the listeners. The caller has decided the write is valid; `object` must not be changed
   * afterwards (the store keeps it as it is).
   */
  commit(resource: string, key: string, type: ChangeType, object: KubeObject): Change {
    const previous = this.get(resource, key);
    const revision = ++this.revisionNow;
    object.metadata.resourceVersion = String(revision);
    let table = this.tables.get(resource);
    if (!table) this.tables.set(resource, (table = new Table()));
    if (type === 'DELETED') table.delete(key);
    else table.set(key, object);
    const change: Change = { revision, type, resource, key, object, ...(previous ? { previous } : {}) };
    this.history.push(change);
    // Trim in batches, so a busy store pays for trimming once per thousand writes, not per write.
    if (this.history.length > this.historyLimit + 1000) this.compact(this.history[this.history.length - this.historyLimit - 1].revision);
    for (const listener of this.listeners) listener(change);
    return change;
  }

  /** Changes after `revision`, or undefined when some of them have been compacted away. */
  changesSince(revision: number): Change[] | undefined {
    if (revision < this.compactedThrough) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Drops history up to and including `revision` (default: all of it), as etcd compaction does. */
  compact(revision = this.revisionNow): void {
    const through = Math.min(revision, this.revisionNow);
    if (through <= this.compactedThrough) return;
    const firstKept = this.history.findIndex((c) => c.revision > through);
    this.history.splice(0, firstKept < 0 ? this.history.length : firstKept);
    this.compactedThrough = through;
  }

  /** Puts an object back as it was stored, without a new revision or history (loading from disk). */
  restore(resource: string, key: string, object: KubeObject): void {
    let table = this.tables.get(resource);
    if (!table) this.tables.set(resource, (table = new Table()));
    table.set(key, object);
  }

  /** Called synchronously after each commit, in revision order. */
  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }
}
