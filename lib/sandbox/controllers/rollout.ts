// SPDX-License-Identifier: Apache-2.0
// The arithmetic of a Deployment rollout, as pure functions (k8s.io/kubernetes
// pkg/controller/deployment/util). Kept apart from the controller so each rule can be read, and
// tested, on its own:
//
//   maxSurge        how many pods above `replicas` may exist during a rollout (25% by default,
//                   rounded up): the room the new ReplicaSet gets to scale up into;
//   maxUnavailable  how many of `replicas` may be unavailable (25%, rounded down): how far old
//                   ReplicaSets may be scaled down before new pods have become available.
//
// With replicas 4 and the defaults: at most 5 pods exist, at least 3 are available, at any time.
import type { KubeObject } from '../apiserver/types.js';
import type { Condition } from './objects.js';
import type { PodTemplate } from './pods.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Deployment annotations never copied onto its ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

export type IntOrPercent = number | string;

export interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  template?: PodTemplate;
  strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export const specOf = (d: KubeObject): DeploymentSpec => (d.spec ?? {}) as DeploymentSpec;
export const statusOf = (d: KubeObject): DeploymentStatus => (d.status ?? {}) as DeploymentStatus;
export const replicasOf = (obj: KubeObject): number => (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
const rsStatus = (rs: KubeObject) => (rs.status ?? {}) as { replicas?: number; readyReplicas?: number; availableReplicas?: number };

export function isRollingUpdate(d: KubeObject): boolean {
  return specOf(d).strategy?.type !== 'Recreate';
}

/** `25%` of `total`, rounded up or down; a plain number is itself. */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) value = '25%';
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or a percentage`);
  }
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable as pod counts; both 0 would block every rollout, so then maxUnavailable is 1. */
export function resolveFenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const rolling = specOf(d).strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const maxSurge = scaledValue(rolling?.maxSurge, desired, true);
  const maxUnavailable = scaledValue(rolling?.maxUnavailable, desired, false);
  return maxSurge === 0 && maxUnavailable === 0 ? { maxSurge, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}

// --- sums over ReplicaSets ---------------------------------------------------------------------

/** Pods the ReplicaSets are asked for (spec). */
export const specReplicas = (rss: (KubeObject | undefined)[]): number => sum(rss, (rs) => replicasOf(rs));
/** Pods the ReplicaSets have (status). */
export const actualReplicas = (rss: (KubeObject | undefined)[]): number => sum(rss, (rs) => rsStatus(rs).replicas ?? 0);
export const readyReplicas = (rss: (KubeObject | undefined)[]): number => sum(rss, (rs) => rsStatus(rs).readyReplicas ?? 0);
export const availableReplicas = (rss: (KubeObject | undefined)[]): number => sum(rss, (rs) => rsStatus(rs).availableReplicas ?? 0);

function sum(rss: (KubeObject | undefined)[], f: (rs: KubeObject) => number): number {
  return rss.reduce((acc, rs) => acc + (rs ? f(rs) : 0), 0);
}

/** ReplicaSets that are asked for pods. */
export function activeReplicaSets(rss: (KubeObject | undefined)[]): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => rs !== undefined && replicasOf(rs) > 0);
}

/** Oldest first; ties by name, so the order is stable. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const [ta, tb] = [a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? ''];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return String(a.metadata.name) < String(b.metadata.name) ? -1 : 1;
}

// --- which ReplicaSet is new -------------------------------------------------------------------

/** Pod templates equal apart from the pod-template-hash label (the ReplicaSet's has it, the Deployment's not). */
export function equalIgnoringHash(a: PodTemplate | undefined, b: PodTemplate | undefined, equal: (x: unknown, y: unknown) => boolean): boolean {
  const strip = (t: PodTemplate | undefined): PodTemplate => {
    const copy = structuredClone(t ?? {});
    if (copy.metadata?.labels) {
      delete copy.metadata.labels[POD_TEMPLATE_HASH];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    return copy;
  };
  return equal(strip(a), strip(b));
}

export function revisionOf(rs: KubeObject): number {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/**
 * The replica count for the new ReplicaSet in this step. RollingUpdate: grow into the room that
 * maxSurge leaves above `replicas` (counting every ReplicaSet's pods). Recreate: everything at once.
 */
export function newReplicaSetReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = specReplicas(allRSs);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

/** The new ReplicaSet already runs the whole Deployment, and all of it is available. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS]);
  return desired === replicasOf(d) && replicasOf(rs) === replicasOf(d) && (rsStatus(rs).availableReplicas ?? 0) === replicasOf(d);
}

/** Every replica is updated, exists and is available, and the latest spec has been seen. */
export function deploymentComplete(d: KubeObject, status: DeploymentStatus): boolean {
  const desired = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Did the rollout move forward between the stored status and `next`? */
export function deploymentProgressing(d: KubeObject, next: DeploymentStatus): boolean {
  const old = statusOf(d);
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

// --- annotations -------------------------------------------------------------------------------

/** Sets desired-replicas and max-replicas on a ReplicaSet; true if anything changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  const changed = annotations[DESIRED_REPLICAS] !== String(desired) || annotations[MAX_REPLICAS] !== String(max);
  annotations[DESIRED_REPLICAS] = String(desired);
  annotations[MAX_REPLICAS] = String(max);
  return changed;
}

/**
 * The annotations of the Deployment's new ReplicaSet: the Deployment's own (minus bookkeeping
 * ones), the revision, and the replica annotations. A ReplicaSet brought back by a rollback
 * keeps its earlier revisions in `revision-history`. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  const before = JSON.stringify(annotations);
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
  const old = annotations[REVISION];
  if (old === undefined || Number(old) < newRevision) {
    annotations[REVISION] = String(newRevision);
    if (old !== undefined) {
      annotations[REVISION_HISTORY] = annotations[REVISION_HISTORY] ? `${annotations[REVISION_HISTORY]},${old}` : old;
    }
  }
  if (!exists) setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d));
  return JSON.stringify(annotations) !== before;
}
