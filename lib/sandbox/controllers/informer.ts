// SPDX-License-Identifier: Apache-2.0
// An informer: a local, always-current copy of one resource type, kept by list + watch.
//
// Controllers read from this cache instead of asking the server on every reconcile, and they
// learn about changes from its event handlers. The protocol is the one every Kubernetes client
// uses (client-go's Reflector, client-node's ListWatch):
//
//   1. LIST the type. The list carries a resourceVersion: "this is the state as of revision N".
//   2. WATCH from N. Every change after N arrives, in order, exactly once.
//   3. If the watch fails with 410 Gone ("revision N is too old, it was compacted away"), events
//      were lost: LIST again and diff the new list against the cache, so handlers still see every
//      add, update and delete. Any other failure: WATCH again from the last revision seen, after
//      a back-off.
//
// Bookmarks (empty events that only carry a newer revision) keep the restart point fresh when
// nothing of this type changes for a long time, so a restart rarely needs the expensive relist.
//
// Objects in the cache are shared by every controller: never mutate one; copy it first.
import type { ApiHandle, ResourceRef, WatchHandle } from '../apiserver/api.js';
import type { KubeObject, WatchEvent } from '../apiserver/types.js';
import { silentLogger, type Logger } from './controller.js';
import { apiErrorCode, objectKey } from './objects.js';
import { ExponentialBackoff } from '../../kube/workqueue.js';

export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  /** Gets the object's last known state. */
  onDelete?(obj: KubeObject): void;
}

const NAMESPACE_INDEX = 'namespace';

/** Computes the index values of an object, e.g. the uids of its owners. */
export type IndexFunc = (obj: KubeObject) => string[];

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private readonly indexers = new Map<string, { fn: IndexFunc; index: Map<string, Set<string>> }>();
  private readonly backoff = new ExponentialBackoff(100, 10_000);
  private lastResourceVersion = '';
  private watch: WatchHandle | undefined;
  /** Bumped whenever a watch is abandoned, so late events of an old watch are ignored. */
  private watchGeneration = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private running = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(
    private readonly api: ApiHandle,
    readonly ref: ResourceRef,
    private readonly log: Logger = silentLogger,
  ) {
    // Controllers mostly ask for "the pods of this namespace": answer that without a full scan.
    this.addIndex(NAMESPACE_INDEX, (obj) => [obj.metadata.namespace ?? '']);
  }

  /**
   * Registers handlers. Added after the first list, they are first told about every cached
   * object as an add, so a late subscriber starts from the same picture as an early one.
   */
  addHandlers(handlers: InformerHandlers): void {
    this.handlers.push(handlers);
    if (this.synced) for (const obj of this.cache.values()) this.call(handlers, 'onAdd', obj);
  }

  /** Maintains an index, e.g. `owner-uid` → objects: `byIndex('owner-uid', uid)`. */
  addIndex(name: string, fn: IndexFunc): void {
    const index = new Map<string, Set<string>>();
    this.indexers.set(name, { fn, index });
    for (const [key, obj] of this.cache) this.indexAdd(index, fn, key, obj);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
  }

  stop(): void {
    this.running = false;
    this.abandonWatch();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    // Nobody should wait forever for a list that will not come.
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  /** True once the first list has filled the cache: before that, "not in the cache" means nothing. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first list (or when the informer is stopped before it). */
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): KubeObject[] {
    return namespace === undefined ? [...this.cache.values()] : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byIndex(indexName: string, value: string): KubeObject[] {
    const indexer = this.indexers.get(indexName);
    if (!indexer) throw new Error(`informer for ${this.ref.plural}: no index named "${indexName}"; call addIndex() first`);
    const keys = indexer.index.get(value) ?? new Set<string>();
    return [...keys].map((key) => this.cache.get(key)).filter((obj): obj is KubeObject => obj !== undefined);
  }

  // --- list and watch --------------------------------------------------------------------------

  private async relist(): Promise<void> {
    this.abandonWatch();
    let items: KubeObject[];
    try {
      const list = await this.api.list(this.ref);
      items = list.items;
      this.lastResourceVersion = list.resourceVersion;
    } catch (error) {
      return this.restartLater('list', error, () => this.relist());
    }
    if (!this.running) return;
    this.replace(items);
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
    this.startWatch();
  }

  private startWatch(): void {
    const generation = ++this.watchGeneration;
    const current = () => generation === this.watchGeneration && this.running;
    const onEvent = (event: WatchEvent): void => {
      if (current()) this.onWatchEvent(event);
    };
    // The server ended the watch (a timeout, a dropped connection, a restart): resume from the
    // last revision seen. Nothing was lost, since the watch starts exactly where we were.
    const onClose = (): void => {
      if (!current()) return;
      this.abandonWatch();
      this.restartLater('watch', undefined, () => this.startWatch());
    };
    try {
      const handle = this.api.watch(this.ref, { resourceVersion: this.lastResourceVersion, allowWatchBookmarks: true }, onEvent, onClose);
      // An ERROR may already have arrived while watch() was still setting up; then this watch is over.
      if (generation === this.watchGeneration) this.watch = handle;
      else handle.stop();
    } catch (error) {
      this.restartLater('watch', error, () => this.startWatch());
    }
  }

  private onWatchEvent(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; message?: string };
      this.abandonWatch();
      // 410: our revision was compacted away, events are lost; only a fresh list can recover.
      if (status.code === 410) return void this.relist();
      return this.restartLater('watch', status, () => this.startWatch());
    }
    const obj = event.object as KubeObject;
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.lastResourceVersion = rv;
    this.backoff.forget('restart');
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.remove(key);
      this.notify('onDelete', obj);
    } else {
      this.store(key, obj);
      if (old) this.notifyUpdate(old, obj);
      else this.notify('onAdd', obj);
    }
  }

  /** After a (re)list: make the cache equal to `items`, telling handlers what changed while we were not watching. */
  private replace(items: KubeObject[]): void {
    const fresh = new Map(items.map((obj) => [objectKey(obj), obj]));
    for (const [key, old] of [...this.cache]) {
      if (!fresh.has(key)) {
        this.remove(key);
        this.notify('onDelete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.store(key, obj);
      if (old) this.notifyUpdate(old, obj);
      else this.notify('onAdd', obj);
    }
  }

  private abandonWatch(): void {
    this.watchGeneration++;
    this.watch?.stop();
    this.watch = undefined;
  }

  /** Retries after a back-off; `error` undefined means a normal end (not logged). */
  private restartLater(what: string, error: unknown, restart: () => void): void {
    if (!this.running) return;
    const delay = this.backoff.when('restart');
    if (error !== undefined && apiErrorCode(error) !== 404) {
      this.log.error(`informer for ${this.ref.plural}: ${what} failed, retrying in ${delay} ms: ${describe(error)}`);
    }
    this.restartTimer = setTimeout(() => {
      if (this.running) restart();
    }, delay);
    this.restartTimer.unref();
  }

  // --- cache and indexes ---------------------------------------------------------------------

  private store(key: string, obj: KubeObject): void {
    const old = this.cache.get(key);
    for (const { fn, index } of this.indexers.values()) {
      if (old) this.indexRemove(index, fn, key, old);
      this.indexAdd(index, fn, key, obj);
    }
    this.cache.set(key, obj);
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    for (const { fn, index } of this.indexers.values()) this.indexRemove(index, fn, key, old);
    this.cache.delete(key);
  }

  private indexAdd(index: Map<string, Set<string>>, fn: IndexFunc, key: string, obj: KubeObject): void {
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private indexRemove(index: Map<string, Set<string>>, fn: IndexFunc, key: string, obj: KubeObject): void {
    for (const value of fn(obj)) {
      const keys = index.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(value);
    }
  }

  // --- handlers ------------------------------------------------------------------------------

  private notify(kind: 'onAdd' | 'onDelete', obj: KubeObject): void {
    for (const handlers of this.handlers) this.call(handlers, kind, obj);
  }

  private notifyUpdate(oldObj: KubeObject, newObj: KubeObject): void {
    for (const handlers of this.handlers) {
      try {
        handlers.onUpdate?.(oldObj, newObj);
      } catch (error) {
        this.log.error(`informer for ${this.ref.plural}: an update handler threw: ${describe(error)}`);
      }
    }
  }

  /** A throwing handler must not break the informer or the other handlers. */
  private call(handlers: InformerHandlers, kind: 'onAdd' | 'onDelete', obj: KubeObject): void {
    try {
      handlers[kind]?.(obj);
    } catch (error) {
      this.log.error(`informer for ${this.ref.plural}: a ${kind} handler threw: ${describe(error)}`);
    }
  }
}

/**
 * One informer per resource type, shared by every controller that needs it (client-go's
 * SharedInformerFactory): the ReplicaSet, Service and garbage-collector controllers all read pods
 * from the same cache, fed by one watch.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly api: ApiHandle,
    private readonly log: Logger = silentLogger,
  ) {}

  informer(ref: ResourceRef): Informer {
    const id = `${ref.group}/${ref.version}/${ref.plural}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer(this.api, ref, this.log);
      this.informers.set(id, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Starts every informer made so far; later ones start as they are made. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }

  /** Stops and forgets one informer (a CRD was deleted: its type is no longer served). */
  drop(ref: ResourceRef): void {
    const id = `${ref.group}/${ref.version}/${ref.plural}`;
    this.informers.get(id)?.stop();
    this.informers.delete(id);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
