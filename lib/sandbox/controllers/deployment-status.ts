// SPDX-License-Identifier: Apache-2.0
// A Deployment's status and its two conditions, exactly as `kubectl rollout status` and most
// "is it ready yet?" code read them (k8s.io/kubernetes pkg/controller/deployment/sync.go and
// progress.go).
//
//   replicas / updatedReplicas / readyReplicas / availableReplicas / unavailableReplicas
//       sums over the Deployment's ReplicaSets ("updated" = pods of the new ReplicaSet);
//   Available    True  MinimumReplicasAvailable    at least replicas − maxUnavailable are available
//                False MinimumReplicasUnavailable
//   Progressing  True  NewReplicaSetCreated        a rollout began
//                True  ReplicaSetUpdated           it is moving (pods updated, ready or available)
//                True  NewReplicaSetAvailable      it is complete
//                False ProgressDeadlineExceeded    no progress for progressDeadlineSeconds
//
// `kubectl rollout status` waits until observedGeneration ≥ generation, updatedReplicas =
// replicas = status.replicas and availableReplicas ≥ updatedReplicas, and fails on
// ProgressDeadlineExceeded.
import type { KubeObject } from '../apiserver/types.js';
import { findCondition, now, omitZero, type Condition } from './objects.js';
import {
  actualReplicas, availableReplicas, deploymentComplete, deploymentProgressing, maxUnavailable, readyReplicas, replicasOf,
  specOf, specReplicas, statusOf, type DeploymentStatus,
} from './rollout.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REASONS = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  failedReplicaSetCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

/** A condition stamped now; `lastUpdateTime` moves on every change, `lastTransitionTime` only when the status flips. */
export function deploymentCondition(type: string, status: Condition['status'], reason: string, message: string): Condition {
  const time = now();
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

/**
 * SetDeploymentCondition: no change when status and reason are the same; otherwise the
 * condition is replaced (moving to the end of the list, as upstream does), keeping its
 * lastTransitionTime when only the reason changed.
 */
export function setDeploymentCondition(conditions: Condition[] | undefined, next: Condition): Condition[] {
  const list = conditions ?? [];
  const current = findCondition(list, next.type);
  if (current && current.status === next.status && current.reason === next.reason) return list;
  const merged = current && current.status === next.status ? { ...next, lastTransitionTime: current.lastTransitionTime } : next;
  return [...list.filter((c) => c.type !== next.type), merged];
}

/** The status from the ReplicaSets, with the Available condition (what `sync` and `rollout` share). */
export function calculateStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const previous = statusOf(d);
  let conditions = previous.conditions ?? [];
  conditions =
    available >= replicasOf(d) - maxUnavailable(d)
      ? setDeploymentCondition(conditions, deploymentCondition(AVAILABLE, 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.'))
      : setDeploymentCondition(conditions, deploymentCondition(AVAILABLE, 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  return shape({
    observedGeneration: d.metadata.generation,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(allRSs) - available),
    conditions,
    collisionCount: previous.collisionCount,
  });
}

/**
 * The status after a rollout step: `calculateStatus` plus the Progressing condition. Returns the
 * status and, while the rollout is still under way, how long until its deadline would pass.
 */
export function rolloutStatus(
  d: KubeObject,
  allRSs: KubeObject[],
  newRS: KubeObject | undefined,
  at = Date.now(),
): { status: DeploymentStatus; deadlineInMs?: number } {
  const next = calculateStatus(d, allRSs, newRS);
  const deadline = specOf(d).progressDeadlineSeconds;
  if (deadline === undefined) {
    next.conditions = (next.conditions ?? []).filter((c) => c.type !== PROGRESSING);
    return { status: shape(next) };
  }
  const current = findCondition(next.conditions, PROGRESSING);
  const complete = next.replicas === next.updatedReplicas && current?.reason === REASONS.newReplicaSetAvailable;
  if (!complete) {
    const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, next)) {
      next.conditions = setDeploymentCondition(next.conditions, deploymentCondition(PROGRESSING, 'True', REASONS.newReplicaSetAvailable, `${rsName} has successfully progressed.`));
    } else if (deploymentProgressing(d, next)) {
      // Progress refreshes lastUpdateTime (the deadline is counted from it), even with the same reason.
      const cond = deploymentCondition(PROGRESSING, 'True', REASONS.replicaSetUpdated, `${rsName} is progressing.`);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      next.conditions = [...(next.conditions ?? []).filter((c) => c.type !== PROGRESSING), cond];
    } else if (timedOut(current, deadline, at)) {
      next.conditions = setDeploymentCondition(next.conditions, deploymentCondition(PROGRESSING, 'False', REASONS.progressDeadlineExceeded, `${rsName} has timed out progressing.`));
    }
  }
  const status = shape(next);
  const progressing = findCondition(status.conditions, PROGRESSING);
  // Not complete and not yet timed out: the deadline passes without any event, so look again then.
  if (progressing && !deploymentComplete(d, status) && progressing.reason !== REASONS.progressDeadlineExceeded && progressing.lastUpdateTime) {
    return { status, deadlineInMs: Math.max(0, Date.parse(progressing.lastUpdateTime) + deadline * 1000 - at) };
  }
  return { status };
}

function timedOut(progressing: Condition | undefined, deadlineSeconds: number, at: number): boolean {
  if (!progressing) return false;
  if (progressing.reason === REASONS.progressDeadlineExceeded) return true;
  if (progressing.reason === REASONS.newReplicaSetAvailable || !progressing.lastUpdateTime) return false;
  return Date.parse(progressing.lastUpdateTime) + deadlineSeconds * 1000 < at;
}

/** Go's `omitempty` on every DeploymentStatus field. */
function shape(status: DeploymentStatus): DeploymentStatus {
  return omitZero({ ...status, conditions: status.conditions?.length ? status.conditions : undefined });
}
