// SPDX-License-Identifier: Apache-2.0
// The SeldonDeployment's status, computed from what the cluster holds: the "current state" half of
// the operator pattern, reported where `kubectl get sdep` and a learner can see it.
//
//   state        Creating   children exist but not every Deployment is ready yet
//                Available  every Deployment is rolled out and ready, every Service exists
//                Failed     the spec breaks a rule, a write was refused, or a pod cannot start
//                           (a bad modelUri, an image that cannot be pulled, a crashing server);
//                           `description` says which and why
//
// Pure functions again: status from (SeldonDeployment, desired state, observed objects), so the
// tests need no cluster, and the reconcile loop writes the status only when it changed.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { jsonEqual } from './diff.js';
import type { DesiredState } from './render.js';
import type { Condition, DeploymentStatus, SeldonDeployment, SeldonDeploymentStatus } from './types.js';

/** Waiting reasons after which a container will not start by itself: a person has to act. */
const STUCK_REASONS = new Set([
  'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);

/**
 * Whether a Deployment has finished rolling out and is ready, as `kubectl rollout status` decides
 * (the controller saw the latest spec; every replica is updated and available; no old ones left),
 * plus Seldon's rule that at least one replica is ready.
 */
export function deploymentReady(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
  if ((s.updatedReplicas ?? 0) < want) return false;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return false;
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return false;
  if ((s.unavailableReplicas ?? 0) > 0) return false;
  return want === 0 || (s.readyReplicas ?? 0) > 0;
}

/** The last non-empty line of a termination message (the error, after any progress output). */
function lastLine(text: string | undefined): string {
  const lines = (text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines[lines.length - 1] ?? '';
  return line.length > 300 ? `…${line.slice(-300)}` : line;
}

/**
 * Why a pod cannot become ready by itself, or undefined when nothing says so (yet).
 *
 * The wording stays the same while the kubelet retries: a crash loop alternates between
 * "terminated" and "waiting: CrashLoopBackOff", a bad image between ErrImagePull and
 * ImagePullBackOff, and a status that changed with each of them would be rewritten (and announced
 * in an Event) every time.
 */
export function podProblem(pod: V1Pod): string | undefined {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []).map((s) => ({ s, what: 'init container' })),
    ...(pod.status?.containerStatuses ?? []).map((s) => ({ s, what: 'container' })),
  ];
  const name = pod.metadata?.name;
  for (const { s, what } of statuses) {
    const failed = (exitCode: number, message: string | undefined) =>
      // Without a termination message, the container's log has the reason: say where to look.
      `${what} "${s.name}" of pod ${name} failed (exit code ${exitCode}): ${lastLine(message) || `see kubectl logs -n ${pod.metadata?.namespace} ${name} -c ${s.name}`}`;
    const terminated = s.state?.terminated;
    const waiting = s.state?.waiting;
    if (terminated && terminated.exitCode !== 0) return failed(terminated.exitCode, terminated.message);
    if (!waiting?.reason || !STUCK_REASONS.has(waiting.reason)) continue;
    const last = s.lastState?.terminated;
    if (last && last.exitCode !== 0) return failed(last.exitCode, last.message);
    if (PULL_REASONS.has(waiting.reason)) return `${what} "${s.name}" of pod ${name} cannot pull its image ${JSON.stringify(s.image)}`;
    return `${what} "${s.name}" of pod ${name} cannot start (${waiting.reason})${waiting.message ? `: ${lastLine(waiting.message)}` : ''}`;
  }
  return undefined;
}

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

/** Why a Deployment will not become ready by itself: a stuck pod, or a rollout past its deadline. */
export function deploymentProblem(d: V1Deployment, pods: V1Pod[]): string | undefined {
  const selector = d.spec?.selector?.matchLabels ?? {};
  const mine = pods.filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v));
  for (const pod of mine) {
    const problem = podProblem(pod);
    if (problem) return `Deployment ${d.metadata?.name}: ${problem}`;
  }
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False') return `Deployment ${d.metadata?.name}: ${progressing.message ?? progressing.reason}`;
  return undefined;
}

export interface ObservedState {
  /** the Deployments that exist, by name */
  deployments: Map<string, V1Deployment>;
  /** names of the Services that exist */
  services: Set<string>;
  pods: V1Pod[];
}

/** A condition, keeping its lastTransitionTime while its status stays the same. */
function condition(previous: Condition[] | undefined, now: string, c: Omit<Condition, 'lastTransitionTime'>): Condition {
  const old = previous?.find((p) => p.type === c.type);
  const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  return { ...c, lastTransitionTime };
}

/** The status for a SeldonDeployment that could not be built: Seldon's message, other fields kept. */
export function failedStatus(sdep: SeldonDeployment, description: string, reason: string, now: string): SeldonDeploymentStatus {
  const previous = sdep.status ?? {};
  const conditions = previous.conditions?.filter((c) => c.type !== 'Ready') ?? [];
  conditions.push(condition(previous.conditions, now, { type: 'Ready', status: 'False', reason, message: description }));
  return { ...previous, state: 'Failed', description, observedGeneration: sdep.metadata.generation, conditions: sortConditions(conditions) };
}

function sortConditions(conditions: Condition[]): Condition[] {
  return [...conditions].sort((a, b) => a.type.localeCompare(b.type));
}

/** The status that describes `observed`, given what `desired` asked for. */
export function computeStatus(sdep: SeldonDeployment, desired: DesiredState, observed: ObservedState, now: string): SeldonDeploymentStatus {
  const previous = sdep.status?.conditions;
  const deploymentStatus: Record<string, DeploymentStatus> = {};
  const problems: string[] = [];
  const waiting: string[] = [];
  for (const want of desired.deployments) {
    const name = want.metadata!.name!;
    const found = observed.deployments.get(name);
    const entry: DeploymentStatus = { replicas: found?.status?.replicas ?? 0, availableReplicas: found?.status?.availableReplicas ?? 0 };
    if (!found || !deploymentReady(found)) {
      const problem = found ? deploymentProblem(found, observed.pods) : undefined;
      if (problem) {
        problems.push(problem);
        entry.status = 'Failed';
        entry.description = problem;
      } else {
        waiting.push(found ? `Deployment ${name}: ${entry.availableReplicas} of ${found.spec?.replicas ?? 1} replicas available` : `Deployment ${name} is not created yet`);
      }
    }
    deploymentStatus[name] = entry;
  }
  const missingServices = desired.services.map((s) => s.metadata!.name!).filter((n) => !observed.services.has(n));
  const deploymentsReady = problems.length === 0 && waiting.length === 0;
  const servicesReady = missingServices.length === 0;

  const conditions = sortConditions([
    condition(previous, now, deploymentsReady
      ? { type: 'DeploymentsReady', status: 'True', reason: 'DeploymentsAvailable', message: 'All Deployments are available' }
      : { type: 'DeploymentsReady', status: 'False', reason: problems.length > 0 ? 'DeploymentFailed' : 'DeploymentsNotReady', message: [...problems, ...waiting].join('; ') }),
    condition(previous, now, servicesReady
      ? { type: 'ServicesReady', status: 'True', reason: 'All services created' }
      : { type: 'ServicesReady', status: 'False', reason: 'Not all services created', message: `Missing: ${missingServices.join(', ')}` }),
    condition(previous, now, deploymentsReady && servicesReady
      ? { type: 'Ready', status: 'True' }
      : { type: 'Ready', status: 'False', reason: problems.length > 0 ? 'DeploymentFailed' : 'Creating', message: [...problems, ...waiting, ...missingServices.map((n) => `Service ${n} is not created yet`)].join('; ') }),
  ]);

  const serviceStatus = Object.fromEntries(Object.entries(desired.serviceStatus).filter(([name]) => observed.services.has(name)));
  const status: SeldonDeploymentStatus = {
    state: problems.length > 0 ? 'Failed' : deploymentsReady && servicesReady ? 'Available' : 'Creating',
    ...(problems.length > 0 ? { description: problems.join('; ') } : {}),
    deploymentStatus,
    serviceStatus,
    replicas: observed.deployments.get(desired.primaryDeployment)?.status?.replicas ?? 0,
    address: { url: desired.address },
    observedGeneration: sdep.metadata.generation,
    conditions,
  };
  return status;
}

/** True when writing `next` would change nothing a reader can see. */
export function sameStatus(current: SeldonDeploymentStatus | undefined, next: SeldonDeploymentStatus): boolean {
  return jsonEqual(current ?? {}, next);
}
