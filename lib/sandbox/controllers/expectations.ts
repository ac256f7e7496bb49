// SPDX-License-Identifier: Apache-2.0
// Expectations: what a controller has asked the server to do but not yet seen in its informer.
//
// A ReplicaSet wants 3 pods and its cache shows 0, so it creates 3. The creates succeed, but the
// watch events that bring the new pods into the cache may not have arrived yet when the next
// reconcile of that ReplicaSet runs (another pod changed meanwhile). Counting from the cache, it
// would see 0 pods again and create 3 more. So before each batch of writes the controller records
// "I expect 3 pods to appear" (or "these 2 to go"), the pod event handlers count them off as they
// arrive, and the controller only counts and acts again once nothing is outstanding. This is
// client-go's ControllerExpectations, which the upstream ReplicaSet and Job controllers use.
//
// An expectation that is never met (an event that got lost) expires after `ttlMs`, so a
// controller is at worst slowed down, never stuck.

interface Pending {
  adds: number;
  /** keys of objects we asked to delete and have not yet seen go */
  deletes: Set<string>;
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly ttlMs = 60_000) {}

  /** True when the controller may trust its cache for `key`: nothing outstanding, or it expired. */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if ((p.adds <= 0 && p.deletes.size === 0) || Date.now() - p.since > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  expectCreations(key: string, count: number): void {
    this.pending.set(key, { adds: count, deletes: new Set(), since: Date.now() });
  }

  expectDeletions(key: string, objectKeys: string[]): void {
    this.pending.set(key, { adds: 0, deletes: new Set(objectKeys), since: Date.now() });
  }

  /** An object created for `key` arrived in the cache (or its create failed: it never will). */
  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p) p.adds--;
  }

  /** An object deleted for `key` left the cache, or started terminating (or its delete failed). */
  deletionObserved(key: string, objectKey: string): void {
    this.pending.get(key)?.deletes.delete(objectKey);
  }

  /** The owner itself is gone. */
  forget(key: string): void {
    this.pending.delete(key);
  }
}
