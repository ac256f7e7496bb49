// SPDX-License-Identifier: Apache-2.0
// Watches: every client that asked `?watch=true` gets the store's changes for its type, filtered by
// namespace and selectors, in the one global order of the store's revisions.
//
// What a watcher sees, and why:
// - From no resourceVersion (or "0"): an ADDED event for each object that exists now, then changes.
// - From resourceVersion N: exactly the changes after N, replayed from history; if N is older than
//   the history kept, one ERROR event carrying a 410 Expired Status, then the end of the stream
//   (HTTP status is still 200, as the real apiserver answers). Informers then relist.
// - Selectors are evaluated on both sides of a change: an object that stops matching arrives as
//   DELETED, one that starts matching as ADDED, so a watcher's picture is never stale.
// - BOOKMARK events (only when asked for) tell the client how far it has been brought up to date.
//
// Delivery is synchronous with the commit, through one queue: a write made from inside an event
// callback (a controller reacting) is delivered after the current change has reached every
// watcher, so all watchers see all changes in the same order.
import { ApiError, errors } from './status.js';
import type { FieldSelector, LabelSelector } from './selectors.js';
import { asServed, fieldValues } from './objects.js';
import type { Change, Store } from './store.js';
import type { KubeObject, ResourceType, WatchEvent } from './types.js';
import { apiVersionOf } from './types.js';
import { resourceKey } from './resources.js';

/** Where a watcher's events go: an HTTP response, or an in-process callback. */
export interface WatchSink {
  send(event: WatchEvent): void;
  /** the stream ends (timeout, server shutdown, dropped by a fault, an ERROR event) */
  close(): void;
}

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** the watch-list protocol: initial state as ADDED, then a bookmark marked `k8s.io/initial-events-end` */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** marks watches opened over HTTP, which faults may drop */
  remote?: boolean;
}

export interface WatchHubOptions {
  /** how often a watcher that allows bookmarks gets one (default 60 s, as the apiserver) */
  bookmarkIntervalMs?: number;
  /** without timeoutSeconds, a watch ends after a random time in [min, 2·min] (default 1800 s) */
  minRequestTimeoutSeconds?: number;
}

/** A resourceVersion as the storage layer parses it: "" and "0" mean "any". */
export function parseResourceVersion(value: string | undefined, plural: string, group: string): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  if (!/^\d+$/.test(value)) {
    throw errors.invalid(plural, group, '', [{
      reason: 'FieldValueInvalid',
      field: 'resourceVersion',
      message: `Invalid value: "${value}": strconv.ParseUint: parsing "${value}": invalid syntax`,
    }]);
  }
  return Number(value);
}

export function tooLargeResourceVersion(requested: number, current: number): ApiError {
  return errors.timeout(`Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export class Watcher {
  /** every change up to this revision has been considered for this watcher */
  sentThrough = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    readonly request: WatchRequest,
    private readonly sink: WatchSink,
    private readonly onStop: (w: Watcher) => void,
  ) {}

  matches(object: KubeObject): boolean {
    const r = this.request;
    if (r.namespace !== undefined && object.metadata.namespace !== r.namespace) return false;
    if (!r.labelSelector.matches(object.metadata.labels)) return false;
    return r.fieldSelector.requirements.length === 0 || r.fieldSelector.matches(fieldValues(r.type, object));
  }

  /** Turns a store change into what this watcher must see, if anything. */
  deliver(change: Change): void {
    if (this.stopped || change.revision <= this.sentThrough) return;
    this.sentThrough = change.revision;
    const now = change.type !== 'DELETED' && this.matches(change.object);
    const before = change.previous !== undefined && this.matches(change.previous);
    if (change.type === 'DELETED') {
      if (this.matches(change.object)) this.emit('DELETED', change.object);
    } else if (now) {
      this.emit(change.type === 'ADDED' || !before ? 'ADDED' : 'MODIFIED', change.object);
    } else if (before) {
      // It left the selection: the watcher gets its last matching state, at the new revision.
      const gone = { ...change.previous!, metadata: { ...change.previous!.metadata, resourceVersion: String(change.revision) } };
      this.emit('DELETED', gone);
    }
  }

  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    this.send({ type, object: asServed(this.request.type, object) });
  }

  bookmark(revision: number, annotations?: Record<string, string>): void {
    const t = this.request.type;
    this.send({
      type: 'BOOKMARK',
      object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) } },
    });
  }

  /** One ERROR event (e.g. 410 Expired), then the end of the stream. */
  fail(error: ApiError): void {
    this.send({ type: 'ERROR', object: error.toStatus() as unknown as Record<string, unknown> });
    this.stop();
  }

  addTimer(timer: NodeJS.Timeout): void {
    timer.unref?.();
    this.timers.push(timer);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.onStop(this);
    this.sink.close();
  }

  private send(event: WatchEvent): void {
    if (this.stopped) return;
    try {
      this.sink.send(event);
    } catch {
      // A sink that throws (a closed socket, a buggy callback) ends its own watch, nobody else's.
      this.stop();
    }
  }
}

export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly queue: Change[] = [];
  private draining = false;
  private readonly bookmarkIntervalMs: number;
  private readonly minRequestTimeoutSeconds: number;

  constructor(private readonly store: Store, options: WatchHubOptions = {}) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.minRequestTimeoutSeconds = options.minRequestTimeoutSeconds ?? 1800;
    store.onChange((change) => this.enqueue(change));
  }

  /**
   * Starts a watch. Throws (before anything is streamed) for a resourceVersion that is not a
   * number or is ahead of the store; a too-old one is reported inside the stream as 410.
   */
  start(request: WatchRequest, sink: WatchSink): Watcher {
    const { type } = request;
    const from = parseResourceVersion(request.resourceVersion, type.plural, type.group);
    // A revision the store has not reached. The real watch cache first waits up to 3 s for it to
    // arrive (another apiserver of an HA cluster may be ahead) and only then answers this 504.
    // The sandbox is the only writer, so waiting could never help: it answers at once. Clients
    // see the same Status and retry after `retryAfterSeconds`, only sooner.
    if (from !== undefined && from > this.store.revision) throw tooLargeResourceVersion(from, this.store.revision);
    const watcher = new Watcher(request, sink, (w) => this.watchers.get(resourceKey(type))?.delete(w));
    const key = resourceKey(type);
    if (!this.watchers.has(key)) this.watchers.set(key, new Set());
    this.watchers.get(key)!.add(watcher);

    const now = this.store.revision;
    if (from === undefined || request.sendInitialEvents) {
      // The current state, as ADDED events in key order.
      const objects = this.store.list(key, type.namespaced ? request.namespace : undefined);
      watcher.sentThrough = now;
      for (const object of objects) if (watcher.matches(object)) watcher.emit('ADDED', object);
      if (request.sendInitialEvents) watcher.bookmark(now, { 'k8s.io/initial-events-end': 'true' });
    } else {
      const changes = this.store.changesSince(from);
      if (!changes) {
        watcher.fail(errors.expired(`too old resource version: ${from} (${this.store.oldestWatchableRevision + 1})`));
        return watcher;
      }
      for (const change of changes) if (change.resource === key) watcher.deliver(change);
      watcher.sentThrough = now;
    }

    const timeout = request.timeoutSeconds ?? this.minRequestTimeoutSeconds * (1 + Math.random());
    // Infinity (in-process watches) or anything beyond a timer's range (~24 days) means no timeout.
    if (timeout * 1000 < 2 ** 31 - 1) watcher.addTimer(setTimeout(() => watcher.stop(), timeout * 1000));
    if (request.allowWatchBookmarks) {
      const tick = (): void => {
        if (watcher.isStopped) return;
        watcher.bookmark(this.store.revision);
        watcher.sentThrough = Math.max(watcher.sentThrough, this.store.revision);
        watcher.addTimer(setTimeout(tick, this.bookmarkIntervalMs));
      };
      watcher.addTimer(setTimeout(tick, this.bookmarkIntervalMs));
    }
    return watcher;
  }

  /** Ends every watch (or those `which` selects) without an error event, like a dropped connection. */
  dropAll(which: (w: Watcher) => boolean = () => true): number {
    let n = 0;
    for (const set of this.watchers.values()) {
      for (const w of [...set]) {
        if (which(w)) {
          w.stop();
          n++;
        }
      }
    }
    return n;
  }

  /** How many watches are open. */
  get count(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  private enqueue(change: Change): void {
    this.queue.push(change);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let c = this.queue.shift(); c; c = this.queue.shift()) {
        const set = this.watchers.get(c.resource);
        if (set) for (const w of [...set]) w.deliver(c);
      }
    } finally {
      this.draining = false;
    }
  }
}
