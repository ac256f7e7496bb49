// SPDX-License-Identifier: Apache-2.0
// The Deployment controller: turns a Deployment into ReplicaSets and rolls pods from one pod
// template to the next.
//
// Each distinct pod template gets its own ReplicaSet, `<deployment>-<pod-template-hash>`, owned
// by the Deployment and numbered by the `deployment.kubernetes.io/revision` annotation. A change
// of the template (a new image) makes a new ReplicaSet; the rollout then moves pods over:
//
//   RollingUpdate  scale the new ReplicaSet up into the room maxSurge allows, scale old ones down
//                  as far as maxUnavailable allows, repeat as pods become available (each step is
//                  a reconcile, triggered by the ReplicaSets' status changes);
//   Recreate       scale every old ReplicaSet to 0, wait until their pods are gone, then start
//                  the new one at full size.
//
// Changing only `replicas` (`kubectl scale`) is no rollout: the ReplicaSets are resized in
// proportion. Finished rollouts leave at most `revisionHistoryLimit` old, empty ReplicaSets
// behind, for `kubectl rollout undo`.
//
// The algorithm is kube-controller-manager's (pkg/controller/deployment); the arithmetic is in
// rollout.ts and the status in deployment-status.ts.
import { refs, type ApiHandle } from '../apiserver/api.js';
import { labelSelectorFromSpec, type LabelSelectorSpec } from '../apiserver/selectors.js';
import type { KubeObject } from '../apiserver/types.js';
import { claim } from './claim.js';
import { Controller, type Logger, type ReconcileResult } from './controller.js';
import { calculateStatus, deploymentCondition, PROGRESSING, REASONS, rolloutStatus, setDeploymentCondition } from './deployment-status.js';
import { EventRecorder } from './events.js';
import type { Informer, InformerFactory } from './informer.js';
import { controllerOf, controllerRef, findCondition, isAlreadyExists, isBeingDeleted, isNotFound, jsonEqual, objectKey, splitKey, type Condition } from './objects.js';
import { podTemplateHash } from './pod-template-hash.js';
import {
  activeReplicaSets, actualReplicas, availableReplicas, byCreation, deploymentComplete, equalIgnoringHash, isRollingUpdate, isSaturated,
  maxRevision, maxSurge, maxUnavailable, newReplicaSetReplicas, POD_TEMPLATE_HASH, replicasOf, REVISION, revisionOf,
  setNewReplicaSetAnnotations, setReplicasAnnotations, specOf, specReplicas, statusOf, DESIRED_REPLICAS, MAX_REPLICAS,
  type DeploymentStatus,
} from './rollout.js';

/** The Deployment being reconciled, replaced by the server's answer after each write to it. */
interface Ctx {
  d: KubeObject;
  /** annotations changed locally, to be written with the next status write */
  annotationsChanged?: boolean;
}

export class DeploymentController extends Controller {
  readonly name = 'deployment-controller';
  private readonly events: EventRecorder;
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    log: Logger,
  ) {
    super(log);
    this.events = new EventRecorder(api, this.name);
    this.deployments = informers.informer(refs.deployments);
    this.replicaSets = informers.informer(refs.replicasets);
    this.pods = informers.informer(refs.pods);

    const enqueue = (d: KubeObject) => this.queue.add(objectKey(d));
    this.deployments.addHandlers({ onAdd: enqueue, onUpdate: (_old, d) => enqueue(d), onDelete: enqueue });
    this.replicaSets.addHandlers({
      onAdd: (rs) => this.enqueueOwner(rs),
      onUpdate: (old, rs) => {
        this.enqueueOwner(old);
        this.enqueueOwner(rs);
      },
      onDelete: (rs) => this.enqueueOwner(rs),
    });
    // Recreate waits for the old pods to be gone; their deletion is the signal to go on.
    this.pods.addHandlers({
      onDelete: (pod) => {
        const ref = controllerOf(pod);
        const rs = ref?.kind === 'ReplicaSet' ? this.replicaSets.get(pod.metadata.namespace, ref.name) : undefined;
        if (rs) this.enqueueOwner(rs, true);
      },
    });
  }

  private enqueueOwner(rs: KubeObject, onlyRecreate = false): void {
    const ref = controllerOf(rs);
    if (ref) {
      const d = ref.kind === 'Deployment' ? this.deployments.get(rs.metadata.namespace, ref.name) : undefined;
      if (d && d.metadata.uid === ref.uid && (!onlyRecreate || !isRollingUpdate(d))) this.queue.add(objectKey(d));
      return;
    }
    // An orphan ReplicaSet: a Deployment whose selector matches may adopt it.
    for (const d of this.deployments.list(rs.metadata.namespace)) {
      const selector = specOf(d).selector as LabelSelectorSpec | undefined;
      if (selector && !isEmptySelector(selector) && labelSelectorFromSpec(selector).matches(rs.metadata.labels)) this.queue.add(objectKey(d));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const ctx: Ctx = { d: structuredClone(cached) };
    const spec = specOf(ctx.d);

    const selectorSpec = (spec.selector ?? {}) as LabelSelectorSpec;
    if (isEmptySelector(selectorSpec)) {
      this.events.warning(ctx.d, 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((statusOf(ctx.d).observedGeneration ?? 0) < (ctx.d.metadata.generation ?? 0)) {
        await this.writeStatus(ctx, { ...statusOf(ctx.d), observedGeneration: ctx.d.metadata.generation });
      }
      return;
    }
    // Copies: this reconcile updates them with the server's answers as it writes.
    const claimed = await claim(this.api, refs.replicasets, ctx.d, labelSelectorFromSpec(selectorSpec), this.replicaSets.list(namespace));
    const rsList = claimed.map((rs) => structuredClone(rs));

    if (isBeingDeleted(ctx.d)) return this.sync(ctx, rsList, false);
    await this.checkPausedConditions(ctx);
    if (spec.paused) return this.sync(ctx, rsList, true);
    if (await this.isScalingEvent(ctx, rsList)) return this.sync(ctx, rsList, false);
    return isRollingUpdate(ctx.d) ? this.rolloutRolling(ctx, rsList) : this.rolloutRecreate(ctx, rsList);
  }

  // --- rollouts --------------------------------------------------------------------------------

  private async rolloutRolling(ctx: Ctx, rsList: KubeObject[]): Promise<ReconcileResult | void> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(ctx, rsList, true);
    if (!newRS) return;
    const all = () => [...oldRSs, newRS];

    // Scale up the new ReplicaSet, as far as maxSurge allows.
    const desired = replicasOf(ctx.d);
    const target = replicasOf(newRS) > desired ? desired : newReplicaSetReplicas(ctx.d, all(), newRS);
    if (replicasOf(newRS) !== target) {
      refresh(newRS, await this.scaleReplicaSet(ctx, newRS, target));
      return this.syncRolloutStatus(ctx, all(), newRS);
    }

    // Scale down old ReplicaSets, as far as maxUnavailable allows.
    if (await this.reconcileOldReplicaSets(ctx, oldRSs, newRS)) return this.syncRolloutStatus(ctx, all(), newRS);

    if (deploymentComplete(ctx.d, statusOf(ctx.d))) await this.cleanupOldReplicaSets(ctx, oldRSs);
    return this.syncRolloutStatus(ctx, all(), newRS);
  }

  private async reconcileOldReplicaSets(ctx: Ctx, oldRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
    const d = ctx.d;
    if (specReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - availableReplicas([newRS]);
    const maxScaledDown = specReplicas([...oldRSs, newRS]) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    // First drop old pods that are not available anyway: they count against nothing.
    let scaledDown = 0;
    const old = [...oldRSs].sort(byCreation);
    for (const rs of old) {
      if (scaledDown >= maxScaledDown) break;
      const unhealthy = replicasOf(rs) - availableReplicas([rs]);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const count = Math.min(maxScaledDown - scaledDown, unhealthy);
      refresh(rs, await this.scaleReplicaSet(ctx, rs, replicasOf(rs) - count));
      scaledDown += count;
    }

    // Then available ones, oldest ReplicaSet first, keeping minAvailable.
    const available = availableReplicas([...oldRSs, newRS]);
    if (available > minAvailable) {
      let budget = available - minAvailable;
      for (const rs of old) {
        if (budget <= 0) break;
        if (replicasOf(rs) === 0) continue;
        const count = Math.min(replicasOf(rs), budget);
        refresh(rs, await this.scaleReplicaSet(ctx, rs, replicasOf(rs) - count));
        budget -= count;
        scaledDown += count;
      }
    }
    return scaledDown > 0;
  }

  private async rolloutRecreate(ctx: Ctx, rsList: KubeObject[]): Promise<ReconcileResult | void> {
    let { newRS, oldRSs } = await this.replicaSetsAndRevision(ctx, rsList, false);
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];

    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) {
      refresh(rs, await this.scaleReplicaSet(ctx, rs, 0));
      scaledDown = true;
    }
    if (scaledDown || this.oldPodsRunning(ctx, rsList, oldRSs, newRS)) return this.syncRolloutStatus(ctx, all(), newRS);

    if (!newRS) {
      ({ newRS, oldRSs } = await this.replicaSetsAndRevision(ctx, rsList, true));
      if (!newRS) return;
    }
    if (replicasOf(newRS) !== replicasOf(ctx.d)) refresh(newRS, await this.scaleReplicaSet(ctx, newRS, replicasOf(ctx.d)));
    if (deploymentComplete(ctx.d, statusOf(ctx.d))) await this.cleanupOldReplicaSets(ctx, oldRSs);
    return this.syncRolloutStatus(ctx, all(), newRS);
  }

  /** Recreate must not start new pods while any pod of an old ReplicaSet still exists (even terminating). */
  private oldPodsRunning(ctx: Ctx, rsList: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject | undefined): boolean {
    if (actualReplicas(oldRSs) > 0) return true;
    const oldUids = new Set(rsList.filter((rs) => rs !== newRS).map((rs) => rs.metadata.uid));
    return this.pods.list(ctx.d.metadata.namespace).some((pod) => {
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      return oldUids.has(controllerOf(pod)?.uid) && phase !== 'Succeeded' && phase !== 'Failed';
    });
  }

  // --- scaling without a rollout ---------------------------------------------------------------

  /** Did `replicas` change since the ReplicaSets were last sized (their desired-replicas annotation)? */
  private async isScalingEvent(ctx: Ctx, rsList: KubeObject[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(ctx, rsList, false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== replicasOf(ctx.d);
    });
  }

  /** Resize without rolling (scaling, paused, being deleted), then report status. */
  private async sync(ctx: Ctx, rsList: KubeObject[], cleanup: boolean): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(ctx, rsList, false);
    if (!isBeingDeleted(ctx.d)) await this.scale(ctx, newRS, oldRSs);
    if (cleanup) await this.cleanupOldReplicaSets(ctx, oldRSs);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    await this.writeStatus(ctx, calculateStatus(ctx.d, all, newRS));
  }

  /**
   * One active ReplicaSet: give it all replicas. Several (scaled mid-rollout): spread the change
   * over them in proportion to their size, so the rollout's progress is kept.
   */
  private async scale(ctx: Ctx, newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const d = ctx.d;
    const desired = replicasOf(d);
    const active = activeReplicaSets([...oldRSs, newRS]);
    // One active ReplicaSet gets everything; with none active, the newest one does.
    const newest = newRS ?? [...oldRSs].sort(byCreation).reverse()[0];
    const target = active.length === 1 ? active[0] : active.length === 0 ? newest : undefined;
    if (target) {
      if (replicasOf(target) !== desired) refresh(target, await this.scaleReplicaSet(ctx, target, desired));
      return;
    }
    if (active.length === 0) return;
    if (isSaturated(d, newRS)) {
      for (const rs of activeReplicaSets(oldRSs)) refresh(rs, await this.scaleReplicaSet(ctx, rs, 0));
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(active);
    // Scaling up, the biggest (then newest) ReplicaSets go first; scaling down, the biggest (then oldest).
    const ordered = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? -byCreation(a, b) : byCreation(a, b)));
    const sizes = new Map<KubeObject, number>();
    let added = 0;
    for (const rs of ordered) {
      const share = toAdd === 0 ? 0 : proportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + share);
      added += share;
    }
    if (ordered.length > 0 && toAdd !== 0) sizes.set(ordered[0], Math.max(0, (sizes.get(ordered[0]) ?? 0) + toAdd - added));
    for (const rs of ordered) refresh(rs, await this.scaleReplicaSet(ctx, rs, sizes.get(rs) ?? replicasOf(rs)));
  }

  // --- the new ReplicaSet and revisions ----------------------------------------------------------

  /**
   * Finds the ReplicaSet whose template is the Deployment's (the oldest such, if several), brings
   * its revision up to date, and creates it when asked and missing.
   */
  private async replicaSetsAndRevision(ctx: Ctx, rsList: KubeObject[], create: boolean): Promise<{ newRS?: KubeObject; oldRSs: KubeObject[] }> {
    const d = ctx.d;
    const sorted = [...rsList].sort(byCreation);
    const existing = sorted.find((rs) => equalIgnoringHash((rs.spec as { template?: object }).template, specOf(d).template, jsonEqual));
    const oldRSs = sorted.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;

    if (existing) {
      const copy = structuredClone(existing);
      const rsSpec = copy.spec as { minReadySeconds?: number };
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const newRS = existing;
      if (annotationsChanged || (rsSpec.minReadySeconds ?? 0) !== (specOf(d).minReadySeconds ?? 0)) {
        rsSpec.minReadySeconds = specOf(d).minReadySeconds ?? 0;
        refresh(newRS, await this.api.update(refs.replicasets, copy));
      }
      this.setDeploymentRevision(ctx, revisionOf(newRS));
      if (specOf(ctx.d).progressDeadlineSeconds !== undefined && !findCondition(statusOf(ctx.d).conditions, PROGRESSING)) {
        const cond = deploymentCondition(PROGRESSING, 'True', REASONS.foundNewReplicaSet, `Found new replica set "${newRS.metadata.name}"`);
        await this.writeStatus(ctx, { ...statusOf(ctx.d), conditions: setDeploymentCondition(statusOf(ctx.d).conditions, cond) });
      }
      return { newRS, oldRSs };
    }
    if (!create) return { oldRSs };
    return { newRS: await this.createNewReplicaSet(ctx, oldRSs, newRevision), oldRSs };
  }

  private async createNewReplicaSet(ctx: Ctx, oldRSs: KubeObject[], newRevision: number): Promise<KubeObject | undefined> {
    const d = ctx.d;
    const spec = specOf(d);
    const status = statusOf(d);
    const hash = podTemplateHash(spec.template ?? {}, status.collisionCount);
    const template = structuredClone(spec.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: template.metadata.labels, ownerReferences: [controllerRef(d)] },
      spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    };
    (rs.spec as { replicas: number }).replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: KubeObject;
    try {
      created = await this.api.create(refs.replicasets, rs);
    } catch (error) {
      if (isAlreadyExists(error)) {
        // Ours, and the cache was just slow? Or another template with the same hash (a collision)?
        const found = await this.api.get(refs.replicasets, d.metadata.namespace, String(rs.metadata.name));
        if (controllerOf(found)?.uid === d.metadata.uid && equalIgnoringHash((found.spec as { template?: object }).template, spec.template, jsonEqual)) {
          return found;
        }
        // A collision: count it, which changes the next hash, and try again.
        await this.writeStatus(ctx, { ...status, collisionCount: (status.collisionCount ?? 0) + 1 });
        throw error;
      }
      if (/being terminated/.test(String((error as Error).message))) return undefined;
      const message = `Failed to create new replica set "${rs.metadata.name}": ${(error as Error).message}`;
      this.events.warning(d, REASONS.failedReplicaSetCreate, message);
      if (spec.progressDeadlineSeconds !== undefined) {
        const cond = deploymentCondition(PROGRESSING, 'False', REASONS.failedReplicaSetCreate, message);
        await this.writeStatus(ctx, { ...status, conditions: setDeploymentCondition(status.conditions, cond) }).catch(() => undefined);
      }
      throw error;
    }
    const replicas = replicasOf(created);
    if (replicas > 0) this.events.normal(d, 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    this.setDeploymentRevision(ctx, newRevision);
    if (spec.progressDeadlineSeconds !== undefined) {
      const cond = deploymentCondition(PROGRESSING, 'True', REASONS.newReplicaSetCreated, `Created new replica set "${created.metadata.name}"`);
      await this.writeStatus(ctx, { ...statusOf(ctx.d), conditions: setDeploymentCondition(statusOf(ctx.d).conditions, cond) });
    }
    return created;
  }

  /**
   * The Deployment carries the revision of its newest ReplicaSet (`kubectl rollout history` reads
   * it). Like upstream, the annotation travels with the next status write: the Deployment's
   * /status keeps annotation changes, and unlike a write of the main resource, it does not
   * count as a new generation.
   */
  private setDeploymentRevision(ctx: Ctx, revision: number): void {
    if (ctx.d.metadata.annotations?.[REVISION] === String(revision)) return;
    ctx.d.metadata.annotations = { ...ctx.d.metadata.annotations, [REVISION]: String(revision) };
    ctx.annotationsChanged = true;
  }

  // --- writes ------------------------------------------------------------------------------------

  /** Resizes a ReplicaSet (and refreshes its replica annotations); returns the ReplicaSet as stored. */
  private async scaleReplicaSet(ctx: Ctx, rs: KubeObject, replicas: number): Promise<KubeObject> {
    const d = ctx.d;
    const from = replicasOf(rs);
    const copy = structuredClone(rs);
    (copy.spec as { replicas: number }).replicas = replicas;
    const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (from === replicas && !annotationsChanged) return rs;
    const updated = await this.api.update(refs.replicasets, copy);
    if (from !== replicas) {
      this.events.normal(d, 'ScalingReplicaSet', `Scaled ${from < replicas ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    }
    return updated;
  }

  /** Deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupOldReplicaSets(ctx: Ctx, oldRSs: KubeObject[]): Promise<void> {
    const limit = specOf(ctx.d).revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = oldRSs.filter((rs) => !isBeingDeleted(rs));
    const excess = alive.length - limit;
    if (excess <= 0) return;
    const oldestFirst = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of oldestFirst.slice(0, excess)) {
      const status = (rs.status ?? {}) as { replicas?: number; observedGeneration?: number };
      // Only empty ReplicaSets whose controller has caught up: never delete running pods this way.
      if ((status.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) continue;
      try {
        await this.api.delete(refs.replicasets, rs.metadata.namespace, String(rs.metadata.name));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  private async syncRolloutStatus(ctx: Ctx, allRSs: KubeObject[], newRS: KubeObject | undefined): Promise<ReconcileResult | void> {
    const { status, deadlineInMs } = rolloutStatus(ctx.d, allRSs, newRS);
    const failure = [newRS, ...allRSs]
      .map((rs) => findCondition((rs?.status as { conditions?: Condition[] } | undefined)?.conditions, 'ReplicaFailure'))
      .find((c) => c?.status === 'True');
    status.conditions = failure
      ? setDeploymentCondition(status.conditions, { ...deploymentCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? '') })
      : status.conditions?.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions?.length === 0) delete status.conditions;
    await this.writeStatus(ctx, status);
    // Without progress no event will come: look again when the deadline passes.
    if (deadlineInMs !== undefined) return { requeueAfterMs: deadlineInMs + 100 };
  }

  private async checkPausedConditions(ctx: Ctx): Promise<void> {
    if (specOf(ctx.d).progressDeadlineSeconds === undefined) return;
    const cond = findCondition(statusOf(ctx.d).conditions, PROGRESSING);
    if (cond?.reason === REASONS.progressDeadlineExceeded) return;
    const pausedShown = cond?.reason === REASONS.paused;
    const paused = specOf(ctx.d).paused === true;
    if (paused === pausedShown) return;
    const next = paused
      ? deploymentCondition(PROGRESSING, 'Unknown', REASONS.paused, 'Deployment is paused')
      : deploymentCondition(PROGRESSING, 'Unknown', REASONS.resumed, 'Deployment is resumed');
    await this.writeStatus(ctx, { ...statusOf(ctx.d), conditions: setDeploymentCondition(statusOf(ctx.d).conditions, next) });
  }

  /** Writes status through /status when it changed; the Deployment's resourceVersion guards against lost updates. */
  private async writeStatus(ctx: Ctx, status: DeploymentStatus): Promise<void> {
    if (jsonEqual(ctx.d.status ?? {}, status) && !ctx.annotationsChanged) return;
    ctx.d = await this.api.update(refs.deployments, { ...ctx.d, status }, { subresource: 'status' });
    ctx.annotationsChanged = false;
  }
}

/** How many of `toAdd` replicas a ReplicaSet gets, in proportion to its share of the Deployment. */
function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  const fraction = replicaSetFraction(rs, d);
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? statusOf(d).replicas ?? 0);
  if (!annotated) return 0;
  return Math.round((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs);
}

/** Makes `target` (a working copy) the object the server answered with. */
function refresh(target: KubeObject, stored: KubeObject): void {
  if (target === stored) return;
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, stored);
}

function isEmptySelector(selector: LabelSelectorSpec): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
