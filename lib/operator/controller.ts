// SPDX-License-Identifier: Apache-2.0
// The running operator: watches in, a work queue in the middle, reconciles out.
//
//   SeldonDeployment events ─────────────┐
//   Deployment/Service/Mapping events ───┼─► key "ns/name" ─► WorkQueue ─► Reconciler.reconcile(key)
//     (mapped to their owner's key)      │      (one entry per key,          │ ok: done
//   pod events (mapped by label) ────────┘       however many events)        └ error: again later,
//                                                                               after a back-off
//
// It runs in a notebook cell (`startOperator({ kubeConfig })`), in a test, and as a container
// (`seldon-lab operator`), with the same code against minikube and the sandbox: it only speaks the
// Kubernetes API through @kubernetes/client-node. With more than one replica, a Lease decides which
// one works (leader.ts); the others wait.
import { hostname } from 'node:os';
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import { WorkQueue, ExponentialBackoff } from '../kube/workqueue.js';
import { defaultOperatorConfig, type OperatorConfig } from './config.js';
import { withKeepAlive } from './connection.js';
import { EventRecorder } from './events.js';
import { keepMetadataOnly, ResilientInformer, type WatchSpec } from './informer.js';
import { KubeClusterApi, type ClusterApi } from './kube-api.js';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import { hashIfLong, LABELS } from './names.js';
import { isRetryable, Reconciler } from './reconcile.js';
import { EMISSARY_GROUP } from './render-routes.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** watch one namespace only (default: all) */
  namespace?: string;
  /** default: cluster/operator-config.yaml */
  config?: OperatorConfig;
  /** one line per thing that happened (default: console.log with an `[operator]` prefix) */
  log?: (line: string) => void;
  /** reconciles running at once (default 4; one SeldonDeployment is never reconciled twice at once) */
  workers?: number;
  /** list everything again this often, to repair missed events (default 5 minutes) */
  relistIntervalMs?: number;
  /** with several replicas: elect a leader through a Lease (default: off, this process leads) */
  leaderElection?: LeaderElectionOptions | false;
  /** for tests: the API layer (default: client-node against kubeConfig) */
  api?: ClusterApi;
}

export interface OperatorStats {
  reconciles: number;
  /** reconciles that threw (and were retried) */
  failures: number;
  /** requests of the reconcile loop (the watches are not counted) */
  reads: number;
  writes: number;
  /** keys waiting in the queue */
  queued: number;
  leader: boolean;
}

export interface Operator {
  /** stops watching and reconciling; resolves when the last reconcile has finished */
  stop(): Promise<void>;
  /** queues every known SeldonDeployment again (what a relist does) */
  resync(): void;
  /** resolves once nothing is queued or being reconciled (rejects after `timeoutMs`) */
  idle(timeoutMs?: number): Promise<void>;
  stats(): OperatorStats;
  /**
   * Ready to work: the leader (or the only replica) has listed the SeldonDeployments; a replica
   * standing by for the Lease is ready while it can reach the API server.
   */
  ready(): boolean;
}

const SELDON_PATH = 'machinelearning.seldon.io/v1';

// #region start-operator
export function startOperator(options: OperatorOptions): Operator {
  const config = options.config ?? defaultOperatorConfig();
  const log = options.log ?? ((line: string) => console.log(`[operator] ${line}`));
  const kc = withKeepAlive(options.kubeConfig);
  const ns = options.namespace;
  const api = options.api ?? new KubeClusterApi(kc, config);
  const identity = (options.leaderElection && options.leaderElection.identity) || `${hostname()}-${process.pid}`;
  const reconciler = new Reconciler({ api, config, events: new EventRecorder(api, identity, log), log });
  // A fresh queue for every term as leader: a shut-down queue cannot be restarted.
  let queue = new WorkQueue(new ExponentialBackoff(100, 60_000));
  const known = new Map<string, string>(); // seldon-deployment-id label -> "ns/name", for pods
  const stats = { reconciles: 0, failures: 0 };
  let busy = 0;
  let workers: Promise<void>[] = [];
  let informers: ResilientInformer<KubernetesObject>[] = [];

  // --- what to watch, and which SeldonDeployment each event is about -----------------------
  const keyOf = (obj: KubernetesObject) => `${obj.metadata?.namespace}/${obj.metadata?.name}`;
  const ownerKey = (obj: KubernetesObject) => {
    const owner = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'SeldonDeployment');
    return owner ? `${obj.metadata?.namespace}/${owner.name}` : undefined;
  };
  const podKey = (obj: KubernetesObject) => {
    const id = obj.metadata?.labels?.[LABELS.seldonId];
    return id ? known.get(`${obj.metadata?.namespace}/${id}`) : undefined;
  };
  const watches = makeWatches(kc, ns, config);
  // The watches only say which SeldonDeployment to look at (the reconcile reads what it needs
  // fresh from the API server), so their caches keep each object's metadata and nothing more.
  const informerOptions = { relistIntervalMs: options.relistIntervalMs, log, transform: keepMetadataOnly };
  const watch = <T extends KubernetesObject>(spec: WatchSpec<T>, key: (obj: T) => string | undefined) =>
    new ResilientInformer<T>(kc, spec, (obj) => {
      const k = key(obj);
      if (k) queue.add(k);
    }, informerOptions);

  // What a SeldonDeployment looked like outside its status, to skip the update events that only
  // report our own status writes (each would cost a reconcile that finds nothing to do).
  const seen = new Map<string, string>();
  const signature = (obj: KubernetesObject) => JSON.stringify([obj.metadata?.generation, obj.metadata?.deletionTimestamp, obj.metadata?.labels, obj.metadata?.annotations]);
  const sdeps = new ResilientInformer<KubernetesObject>(kc, watches.sdeps, (obj, change) => {
    const key = keyOf(obj);
    const id = `${obj.metadata?.namespace}/${hashIfLong(obj.metadata?.name ?? '')}`;
    if (change === 'delete') {
      known.delete(id);
      seen.delete(key);
      return; // nothing to do: the garbage collector removes the children
    }
    known.set(id, key);
    const sig = signature(obj);
    if (change === 'update' && seen.get(key) === sig) return;
    seen.set(key, sig);
    queue.add(key);
  }, informerOptions);

  // --- the loop: take a key, reconcile, decide when to look again ----------------------------
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      busy++;
      stats.reconciles++;
      try {
        await reconciler.reconcile(key);
        queue.forget(key);
      } catch (e) {
        stats.failures++;
        if (!isRetryable(e)) log(`${key}: reconcile failed, will retry: ${(e as Error).message}`);
        queue.addRateLimited(key);
      } finally {
        busy--;
        queue.done(key);
      }
    }
  };

  const begin = () => {
    queue = new WorkQueue(new ExponentialBackoff(100, 60_000));
    log(`watching SeldonDeployments in ${ns ? `namespace ${ns}` : 'all namespaces'} (ingress: ${config.ingress})`);
    informers = [
      sdeps,
      watch(watches.deployments, ownerKey),
      watch(watches.services, ownerKey),
      watch(watches.pods, podKey),
      ...(watches.mappings ? [watch(watches.mappings, ownerKey)] : []),
    ];
    for (const informer of informers) informer.start();
    workers = Array.from({ length: options.workers ?? 4 }, worker);
  };
  const end = async () => {
    for (const informer of informers) informer.stop();
    informers = [];
    queue.shutDown();
    await Promise.all(workers);
  };

  const elector = options.leaderElection ? new LeaderElector(kc, { ...options.leaderElection, identity }, { onStartedLeading: begin, onStoppedLeading: () => void end() }, log) : undefined;
  if (elector) elector.start();
  else begin();

  return {
    async stop() {
      if (elector) await elector.stop();
      await end();
    },
    resync() {
      for (const key of known.values()) queue.add(key);
    },
    async idle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Look after a timer tick: a key just handed to a worker is counted once the worker runs.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (sdeps.hasSynced() && queue.length === 0 && busy === 0) return;
        if (Date.now() > deadline) throw new Error(`the operator is still busy after ${timeoutMs} ms (${queue.length} queued, ${busy} reconciling)`);
      }
    },
    ready: () => (elector && !elector.isLeader() ? elector.canReachLease() : sdeps.hasSynced()),
    stats: () => ({ ...stats, reads: api.counts.reads, writes: api.counts.writes, queued: queue.length, leader: elector ? elector.isLeader() : true }),
  };
}
// #endregion start-operator

/** The five watches, each limited to the namespace (if any) and, for children, to Seldon's label. */
function makeWatches(kc: KubeConfig, ns: string | undefined, config: OperatorConfig) {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const labelSelector = LABELS.seldonId; // "has the label": only objects Seldon's naming made
  const within = (group: string, plural: string) => (ns ? `${group}/namespaces/${ns}/${plural}` : `${group}/${plural}`);
  type List = () => Promise<KubernetesListObject<KubernetesObject>>;
  const customList = (group: string, version: string, plural: string, selector?: string): List => () =>
    (ns
      ? custom.listNamespacedCustomObject({ group, version, plural, namespace: ns, labelSelector: selector })
      : custom.listClusterCustomObject({ group, version, plural, labelSelector: selector })) as Promise<KubernetesListObject<KubernetesObject>>;
  const mappingVersion = config.ingress === 'ambassador-v2' ? 'v2' : 'v3alpha1';
  return {
    sdeps: { what: 'SeldonDeployments', path: within(`/apis/${SELDON_PATH}`, 'seldondeployments'), list: customList('machinelearning.seldon.io', 'v1', 'seldondeployments') },
    deployments: {
      what: 'Deployments', path: within('/apis/apps/v1', 'deployments'), labelSelector,
      list: (() => (ns ? apps.listNamespacedDeployment({ namespace: ns, labelSelector }) : apps.listDeploymentForAllNamespaces({ labelSelector }))) as List,
    },
    services: {
      what: 'Services', path: within('/api/v1', 'services'), labelSelector,
      list: (() => (ns ? core.listNamespacedService({ namespace: ns, labelSelector }) : core.listServiceForAllNamespaces({ labelSelector }))) as List,
    },
    pods: {
      what: 'Pods', path: within('/api/v1', 'pods'), labelSelector,
      list: (() => (ns ? core.listNamespacedPod({ namespace: ns, labelSelector }) : core.listPodForAllNamespaces({ labelSelector }))) as List,
    },
    mappings: config.ingress === 'none' ? undefined : {
      what: 'Mappings', path: within(`/apis/${EMISSARY_GROUP}/${mappingVersion}`, 'mappings'), labelSelector,
      list: customList(EMISSARY_GROUP, mappingVersion, 'mappings', labelSelector),
    },
  } satisfies Record<string, WatchSpec<KubernetesObject> | undefined>;
}
