// SPDX-License-Identifier: Apache-2.0
// The loop every sandbox controller runs: take a key from the work queue, reconcile it, decide
// when to look again. This is the whole "operator pattern" in thirty lines; the controllers in
// this folder differ only in their `reconcile` function and in which watch events enqueue keys.
//
//   watch events ──► key ──► WorkQueue ──► reconcile(key) ──┬─ ok ─────────► forget (reset back-off)
//                                  ▲                        ├─ requeueAfter ► look again later
//                                  └──── rate-limited ◄─────┴─ error ───────► retry with back-off
//
// `reconcile` is level-triggered: it is told *which* object to look at, never *what happened*. It
// reads the current state, compares it with the desired state and writes the difference, so a
// missed or repeated event does no harm.
import { isRetryable } from './objects.js';
import { WorkQueue } from '../../kube/workqueue.js';

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/** Says nothing: the default in tests and lessons, where the cluster's state is what matters. */
export const silentLogger: Logger = { info: () => {}, error: () => {} };

/** What a reconcile may ask for besides success: a second look after a while (a deadline, a poll). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface RunningController {
  /** Resolves when every worker has finished its current key and stopped. */
  stopped: Promise<void>;
}

/**
 * Runs `workers` loops over `queue` until it is shut down. A failing reconcile never stops the
 * loop: the key is retried with back-off. Conflicts and busy servers are routine (someone else
 * wrote first) and are not logged; anything else is.
 */
export function runController(
  name: string,
  queue: WorkQueue,
  reconcile: Reconcile,
  log: Logger,
  workers = 1,
): RunningController {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        if (!isRetryable(error)) log.error(`${name}: reconciling ${key} failed (will retry): ${describe(error)}`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return { stopped: Promise.all(Array.from({ length: workers }, worker)).then(() => undefined) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The shape every single-queue controller here shares: event handlers (set up in the subclass's
 * constructor) add keys to `queue`; `start()` runs the loop above over `reconcile`.
 */
export abstract class Controller {
  abstract readonly name: string;
  protected readonly queue = new WorkQueue();
  private running: RunningController | undefined;

  constructor(protected readonly log: Logger) {}

  /** Brings the object named by `key` to its desired state, reading the current state afresh. */
  abstract reconcile(key: string): Promise<ReconcileResult | void>;

  start(): void {
    this.running = runController(this.name, this.queue, (key) => this.reconcile(key), this.log);
  }

  /** Stops taking keys and waits for the reconcile in progress, if any. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running?.stopped;
  }

  /** Nothing queued and nothing being reconciled (tests use it to know the controllers are quiet). */
  isIdle(): boolean {
    return this.queue.idle;
  }
}
