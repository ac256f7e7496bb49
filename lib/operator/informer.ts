// SPDX-License-Identifier: Apache-2.0
// A watch that keeps going: @kubernetes/client-node's informer, plus the two things it leaves to
// its user.
//
// client-node's informer (makeInformer -> ListWatch) lists a resource, then watches it from the
// list's resourceVersion, re-watches when the server ends a watch, and lists again when the server
// answers 410 Gone ("that version is too old"). Two gaps remain, known from its issue tracker:
//
// 1. On any other error (the API server restarting, a network cut, 403 while RBAC is being
//    fixed) it calls its `error` handlers and stops for good. Here it starts again after a
//    back-off that doubles up to 30 s, from where it was.
// 2. A watch can go quiet without an error (a proxy dropping an idle connection), and then the
//    operator would never hear of new objects. Here a fresh informer lists everything again
//    every few minutes (the relist period), which also re-delivers every object as `add`:
//    harmless, because reconciling is level-triggered, and it repairs anything missed.
//
// And one thing for memory: the informer keeps every object it has seen in its cache, whole. An
// operator that only needs to know *which* object changed can trim each one first (`transform`,
// what client-go calls SetTransform); see `keepMetadataOnly` below.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { ExponentialBackoff } from '../kube/workqueue.js';

export interface WatchSpec<T extends KubernetesObject> {
  /** for log lines, e.g. "SeldonDeployments" */
  what: string;
  /** the collection's URL path, e.g. /apis/apps/v1/deployments */
  path: string;
  /** lists the collection (with the same label selector as the watch) */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
}

export type ChangeHandler<T> = (obj: T, change: 'add' | 'update' | 'delete') => void;

export interface ResilientInformerOptions<T = KubernetesObject> {
  /** list everything again this often (default 5 minutes) */
  relistIntervalMs?: number;
  log?: (line: string) => void;
  /**
   * Changes each object in place, before the handler sees it. client-node's cache holds the very
   * object it hands to handlers, so whatever this removes is not kept either. It must leave
   * `metadata.name`, `namespace` and `resourceVersion`: the cache goes by them.
   */
  transform?: (obj: T) => void;
}

/**
 * A `transform` for watches that only say *which* object changed: it drops everything but
 * `apiVersion`, `kind` and `metadata`, and the metadata's `managedFields` (server-side apply's
 * bookkeeping, often the biggest part of an object). The operator reads every object it acts on
 * fresh from the API server, so its watches need no more. With 200 SeldonDeployments (and their
 * Deployments, Services, Mappings and pods) the operator's heap holds 18 MB instead of 28 MB
 * (bench/operator.ts).
 */
export function keepMetadataOnly(obj: KubernetesObject): void {
  const record = obj as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') delete record[key];
  }
  if (obj.metadata) delete obj.metadata.managedFields;
}

export class ResilientInformer<T extends KubernetesObject> {
  private current: (Informer<T> & ObjectCache<T>) | undefined;
  /** each informer made gets a number; events from an older one are dropped */
  private generation = 0;
  private running = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartPending = false;
  private relistTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new ExponentialBackoff(500, 30_000);
  private readonly relistIntervalMs: number;
  private readonly log: (line: string) => void;
  private readonly transform: ((obj: T) => void) | undefined;
  private synced = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly spec: WatchSpec<T>,
    private readonly onChange: ChangeHandler<T>,
    options: ResilientInformerOptions<T> = {},
  ) {
    this.relistIntervalMs = options.relistIntervalMs ?? 5 * 60_000;
    this.log = options.log ?? (() => {});
    this.transform = options.transform;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.restartTimer);
    clearTimeout(this.relistTimer);
    void this.current?.stop();
    this.current = undefined;
  }

  /** True once a first list has succeeded. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The objects the informer's cache holds now (after `transform`). */
  cached(): readonly T[] {
    return this.current?.list() ?? [];
  }

  /** Lists again now with a fresh informer (what the relist period does). */
  relist(): void {
    if (this.running) this.open();
  }

  private open(): void {
    void this.current?.stop();
    clearTimeout(this.restartTimer);
    this.restartPending = false;
    clearTimeout(this.relistTimer);
    const generation = ++this.generation;
    const mine = () => this.running && generation === this.generation;
    const informer = makeInformer<T>(this.kubeConfig, this.spec.path, this.spec.list, this.spec.labelSelector);
    informer.on('add', (obj) => mine() && this.deliver(obj, 'add'));
    informer.on('update', (obj) => mine() && this.deliver(obj, 'update'));
    informer.on('delete', (obj) => mine() && this.deliver(obj, 'delete'));
    informer.on('error', (err) => {
      if (mine()) this.restartLater(informer, err);
    });
    this.current = informer;
    this.startInformer(informer, mine);
    // A little jitter, so the informers of many operators (or of one) do not all relist at once.
    const relistIn = this.relistIntervalMs * (0.9 + 0.2 * Math.random());
    this.relistTimer = setTimeout(() => this.relist(), relistIn);
    this.relistTimer.unref();
  }

  private startInformer(informer: Informer<T>, mine: () => boolean): void {
    let failed = false;
    const onError = () => {
      failed = true;
    };
    informer.on('error', onError);
    informer.start().then(
      () => {
        informer.off('error', onError);
        if (mine() && !failed) this.synced = true;
      },
      (err: unknown) => {
        if (mine()) this.restartLater(informer, err);
      },
    );
  }

  private deliver(obj: T, change: 'add' | 'update' | 'delete'): void {
    this.backoff.forget('restart');
    try {
      this.transform?.(obj);
      this.onChange(obj, change);
    } catch (e) {
      this.log(`watch of ${this.spec.what}: a handler failed: ${(e as Error).message}`);
    }
  }

  /** client-node gave up on this watch; start it again later, from its last resourceVersion. */
  private restartLater(informer: Informer<T>, err: unknown): void {
    if (!this.running || this.restartPending) return;
    this.restartPending = true;
    // Say so on the first failure of a streak, then only every tenth: a missing CRD fails forever.
    const streak = this.backoff.retries('restart');
    const delay = this.backoff.when('restart');
    if (streak % 10 === 0) this.log(`watch of ${this.spec.what} failed (${describe(err)}); trying again in ${(delay / 1000).toFixed(1)} s`);
    this.restartTimer = setTimeout(() => {
      this.restartPending = false;
      if (informer === this.current && this.running) this.startInformer(informer, () => this.running && informer === this.current);
    }, delay);
    this.restartTimer.unref();
  }
}

function describe(err: unknown): string {
  const e = err as { statusCode?: number; code?: unknown; message?: string };
  if (typeof e?.statusCode === 'number') return `HTTP ${e.statusCode}`;
  return e?.message || String(err);
}
