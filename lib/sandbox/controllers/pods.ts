// SPDX-License-Identifier: Apache-2.0
// What the workload controllers need to know about pods: is it active, ready, available; which
// pod goes first when a ReplicaSet scales down; and how a pod is made from a template.
// (k8s.io/kubernetes pkg/api/v1/pod and pkg/controller/controller_utils.go, same rules.)
import type { KubeObject } from '../apiserver/types.js';
import { controllerRef, findCondition, type Condition } from './objects.js';

export interface PodStatus {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: { restartCount?: number }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  startTime?: string;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
}

export function podStatus(pod: KubeObject): PodStatus {
  return (pod.status ?? {}) as PodStatus;
}

export function nodeNameOf(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

/** Counts toward a ReplicaSet: not finished (Succeeded/Failed) and not terminating. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: KubeObject): boolean {
  return findCondition(podStatus(pod).conditions, 'Ready')?.status === 'True';
}

/**
 * Available = ready for at least `minReadySeconds`. With 0 (the default) ready is available;
 * otherwise the controller must look again when the time has passed (see `availableInMs`).
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, at = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = findCondition(podStatus(pod).conditions, 'Ready')?.lastTransitionTime;
  return since !== undefined && Date.parse(since) + minReadySeconds * 1000 <= at;
}

/** How long until a ready pod becomes available; undefined if it is not ready or already available. */
export function availableInMs(pod: KubeObject, minReadySeconds: number, at = Date.now()): number | undefined {
  if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, at)) return undefined;
  const since = findCondition(podStatus(pod).conditions, 'Ready')?.lastTransitionTime;
  return since === undefined ? undefined : Math.max(0, Date.parse(since) + minReadySeconds * 1000 - at);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods "delete this one first" before "keep this one", as the ReplicaSet controller does
 * when it scales down: the pods that are the least far along, and the cheapest to lose, go first.
 *   1. not yet on a node          before on a node
 *   2. Pending < Unknown < Running
 *   3. not ready                  before ready
 *   4. ready for a shorter time   before ready for longer
 *   5. more container restarts    before fewer
 *   6. newer                      before older
 */
export function compareForDeletion(a: KubeObject, b: KubeObject): number {
  const assigned = (p: KubeObject) => (nodeNameOf(p) ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: KubeObject) => PHASE_RANK[podStatus(p).phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: KubeObject) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b)) {
    const readySince = (p: KubeObject) => Date.parse(findCondition(podStatus(p).conditions, 'Ready')?.lastTransitionTime ?? '') || 0;
    if (readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  }
  const restarts = (p: KubeObject) => Math.max(0, ...(podStatus(p).containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}

/**
 * A new pod for `owner` from its pod template: the template's labels, annotations and spec, a
 * controller reference to the owner, and `generateName` so the server picks the 5-character
 * suffix (`web-7d9f8b6c5-x2kqz`).
 */
export function podFromTemplate(owner: KubeObject, template: PodTemplate): KubeObject {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
