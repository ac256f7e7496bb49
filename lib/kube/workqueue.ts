// SPDX-License-Identifier: Apache-2.0
// The work queue every controller pulls from (the sandbox's controllers and the operator alike),
// modelled on client-go's workqueue.
//
// A controller never acts on a watch event directly. Events only say "this object may need
// attention", so handlers put the object's key (`namespace/name`) into a queue, and workers take
// keys out and reconcile the object from its *current* state. Three properties make that safe:
//
// - De-duplication: a key waiting in the queue is stored once, however many events named it, so a
//   burst of 50 pod updates costs one reconcile of their ReplicaSet, not 50.
// - One worker per key: a key being processed is not handed to a second worker. If it is added
//   again meanwhile, it is queued once more when the first worker calls `done()`, so the change
//   that arrived during processing is never lost.
// - Rate-limited retries: a failed reconcile (409 Conflict, a server error) comes back after an
//   exponentially growing delay per key, so one broken object cannot spin a CPU while the others
//   keep flowing. Success calls `forget()`, which resets that key's delay.

/** Per-key exponential back-off: base, 2·base, 4·base, ... up to max (client-go's ItemExponentialFailureRateLimiter). */
export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 10_000,
  ) {}

  /** The delay before the next retry of `key`; each call counts one more failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  /** How many failures in a row `key` has had. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

export class WorkQueue {
  /** keys waiting to be handed out, in order */
  private readonly order: string[] = [];
  /** keys that need processing (waiting, or re-added while being processed) */
  private readonly dirty = new Set<string>();
  /** keys a worker holds right now */
  private readonly processing = new Set<string>();
  /** delayed adds: key -> when it fires */
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** workers blocked in get(), waiting for a key */
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(readonly backoff = new ExponentialBackoff()) {}

  /** Marks `key` as needing a reconcile. Cheap and idempotent: call it from every event handler. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    // A worker holds this key: done() will queue it again, so a second worker never sees it.
    if (this.processing.has(key)) return;
    this.handOut(key);
  }

  /** Adds `key` after `delayMs`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    // A pending retry must not keep a process (a test run, a CLI) alive on its own.
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds `key` after its back-off delay: the answer to a failed reconcile. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.backoff.when(key));
  }

  /** The reconcile of `key` succeeded: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Waits for the next key; `undefined` once the queue is shut down. Pair every key with `done()`. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.order.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished `key`; if it was added again meanwhile, it goes back in line now. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.handOut(key);
  }

  /** Stops handing out keys; blocked `get()` calls resolve with `undefined`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** Nothing waiting and nothing being processed (delayed retries do not count). */
  get idle(): boolean {
    return this.order.length === 0 && this.processing.size === 0;
  }

  /** Keys waiting (not counting delayed ones or ones being processed). */
  get length(): number {
    return this.order.length;
  }

  private handOut(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.order.push(key);
    }
  }

  private take(): string {
    const key = this.order.shift() as string;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
