// SPDX-License-Identifier: Apache-2.0
// The ReplicaSet controller: keeps `spec.replicas` pods of a ReplicaSet's template alive.
//
// Too few pods (one was deleted, the ReplicaSet was scaled up) → create pods from the template,
// named `<replicaset>-<5 random characters>` and owned by the ReplicaSet. Too many → delete the
// ones that are least far along (see compareForDeletion). Then report in `status` how many pods
// exist, are ready, and are available, which the Deployment controller reads in turn.
//
// The same algorithm as kube-controller-manager's (pkg/controller/replicaset), minus pod
// affinity-aware ranking: expectations so that a slow cache never causes double creates,
// creations in slow-start batches (1, 2, 4, ...) so a template the server rejects costs one
// failed request, not five hundred, and adoption of matching orphan pods.
import { refs, type ApiHandle } from '../apiserver/api.js';
import { labelSelectorFromSpec, type LabelSelectorSpec } from '../apiserver/selectors.js';
import type { KubeObject } from '../apiserver/types.js';
import { claim } from './claim.js';
import { Controller, type Logger, type ReconcileResult } from './controller.js';
import { EventRecorder } from './events.js';
import { Expectations } from './expectations.js';
import type { Informer, InformerFactory } from './informer.js';
import {
  controllerOf, findCondition, isBeingDeleted, isNotFound, jsonEqual, now, objectKey, omitZero, removeCondition, setCondition, splitKey,
  type Condition,
} from './objects.js';
import {
  availableInMs, compareForDeletion, isPodActive, isPodAvailable, isPodReady, podFromTemplate, type PodTemplate,
} from './pods.js';

/** At most this many pods are created or deleted in one reconcile (upstream's burstReplicas). */
const BURST_REPLICAS = 500;

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export class ReplicaSetController extends Controller {
  readonly name = 'replicaset-controller';
  private readonly expectations = new Expectations();
  private readonly events: EventRecorder;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    log: Logger,
  ) {
    super(log);
    this.events = new EventRecorder(api, this.name);
    this.replicaSets = informers.informer(refs.replicasets);
    this.pods = informers.informer(refs.pods);

    this.replicaSets.addHandlers({
      onAdd: (rs) => this.queue.add(objectKey(rs)),
      onUpdate: (_old, rs) => this.queue.add(objectKey(rs)),
      onDelete: (rs) => this.expectations.forget(objectKey(rs)),
    });
    this.pods.addHandlers({
      onAdd: (pod) => {
        // A pod that arrives already terminating (after a restart) is no creation we were waiting for.
        if (isBeingDeleted(pod)) return this.podGone(pod);
        const owner = this.ownerKey(pod);
        if (owner) {
          this.expectations.creationObserved(owner);
          this.queue.add(owner);
        } else {
          this.enqueueAdopters(pod);
        }
      },
      onUpdate: (old, pod) => {
        if (isBeingDeleted(pod) && !isBeingDeleted(old)) return this.podGone(pod);
        const [before, after] = [this.ownerKey(old), this.ownerKey(pod)];
        if (before && before !== after) this.queue.add(before);
        if (after) this.queue.add(after);
        else this.enqueueAdopters(pod);
      },
      onDelete: (pod) => this.podGone(pod),
    });
  }

  /** The queue key of the ReplicaSet controlling `pod`, if that ReplicaSet exists. */
  private ownerKey(pod: KubeObject): string | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? objectKey(rs) : undefined;
  }

  private podGone(pod: KubeObject): void {
    const owner = this.ownerKey(pod);
    if (!owner) return;
    this.expectations.deletionObserved(owner, objectKey(pod));
    this.queue.add(owner);
  }

  /** An orphan pod: every ReplicaSet whose selector matches it may adopt it. */
  private enqueueAdopters(pod: KubeObject): void {
    if (isBeingDeleted(pod)) return;
    for (const rs of this.replicaSets.list(pod.metadata.namespace)) {
      const selector = (rs.spec as ReplicaSetSpec).selector;
      if (selector && safeMatches(selector, pod)) this.queue.add(objectKey(rs));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const rs = this.replicaSets.get(namespace, name);
    if (!rs) return this.expectations.forget(key);
    const spec = rs.spec as ReplicaSetSpec;
    const selector = labelSelectorFromSpec(spec.selector ?? {});

    // Only trust the cache's pod count when every create/delete we made has shown up in it.
    const needsSync = this.expectations.satisfied(key) && !isBeingDeleted(rs);
    const candidates = this.pods.list(namespace).filter(isPodActive);
    const pods = await claim(this.api, refs.pods, rs, selector, candidates);

    let failure: { reason: string; message: string } | undefined;
    if (needsSync) failure = await this.manageReplicas(key, rs, pods);

    await this.writeStatus(rs, this.calculateStatus(rs, pods, failure));
    if (failure) throw new Error(failure.message);

    // minReadySeconds: a ready pod becomes available later without any event; look again then.
    const waits = pods.map((p) => availableInMs(p, spec.minReadySeconds ?? 0)).filter((ms): ms is number => ms !== undefined);
    if (waits.length > 0) return { requeueAfterMs: Math.min(...waits) + 100 };
  }

  private async manageReplicas(key: string, rs: KubeObject, pods: KubeObject[]): Promise<{ reason: string; message: string } | undefined> {
    const spec = rs.spec as ReplicaSetSpec;
    const diff = pods.length - (spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      const { succeeded, error } = await slowStartBatch(count, async () => {
        const pod = await this.api.create(refs.pods, podFromTemplate(rs, spec.template ?? {}));
        this.events.normal(rs, 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      });
      // Pods that were not created will never arrive in the cache: stop waiting for them.
      for (let i = succeeded; i < count; i++) this.expectations.creationObserved(key);
      if (error) {
        // A namespace being deleted refuses new pods; that is the namespace controller's business.
        if (/being terminated/.test(messageOf(error))) return undefined;
        this.events.warning(rs, 'FailedCreate', `Error creating: ${messageOf(error)}`);
        return { reason: 'FailedCreate', message: messageOf(error) };
      }
    } else if (diff > 0) {
      const victims = [...pods].sort(compareForDeletion).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expectDeletions(key, victims.map(objectKey));
      let failed: unknown;
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.api.delete(refs.pods, pod.metadata.namespace, String(pod.metadata.name));
            this.events.normal(rs, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (error) {
            // No deletion event will come for this pod: stop waiting for one.
            this.expectations.deletionObserved(key, objectKey(pod));
            if (!isNotFound(error)) failed ??= error;
          }
        }),
      );
      if (failed) {
        this.events.warning(rs, 'FailedDelete', `Error deleting: ${messageOf(failed)}`);
        return { reason: 'FailedDelete', message: messageOf(failed) };
      }
    }
    return undefined;
  }

  private calculateStatus(rs: KubeObject, pods: KubeObject[], failure?: { reason: string; message: string }): ReplicaSetStatus {
    const spec = rs.spec as ReplicaSetSpec;
    const templateLabels = labelSelectorFromSpec({ matchLabels: spec.template?.metadata?.labels ?? {} });
    const previous = (rs.status ?? {}) as Partial<ReplicaSetStatus>;
    let conditions = previous.conditions;
    if (failure && !findCondition(conditions, 'ReplicaFailure')) {
      conditions = setCondition(conditions, { type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: failure.message, lastTransitionTime: now() });
    } else if (!failure) {
      conditions = removeCondition(conditions, 'ReplicaFailure');
    }
    // Go's json omits zero values here (`omitempty`); so do we, so the objects look the same.
    return omitZero({
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => templateLabels.matches(p.metadata.labels)).length,
      readyReplicas: pods.filter(isPodReady).length,
      availableReplicas: pods.filter((p) => isPodAvailable(p, spec.minReadySeconds ?? 0)).length,
      observedGeneration: rs.metadata.generation,
      conditions: conditions?.length ? conditions : undefined,
    }, ['replicas']);
  }

  /** Writes status only when it changed, through /status, with the resourceVersion as precondition. */
  private async writeStatus(rs: KubeObject, status: ReplicaSetStatus): Promise<void> {
    if (jsonEqual(rs.status ?? {}, status)) return;
    await this.api.update(refs.replicasets, { ...rs, status }, { subresource: 'status' });
  }
}

/**
 * Runs `count` calls in batches of 1, 2, 4, ... (upstream's slowStartBatch) and stops after the
 * first batch with a failure, so a request the server will refuse is not repeated hundreds of times.
 */
export async function slowStartBatch(count: number, call: () => Promise<void>): Promise<{ succeeded: number; error?: unknown }> {
  let succeeded = 0;
  for (let remaining = count, batch = 1; remaining > 0; batch *= 2) {
    const size = Math.min(batch, remaining);
    remaining -= size;
    const results = await Promise.allSettled(Array.from({ length: size }, call));
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { succeeded, error: failed.reason };
  }
  return { succeeded };
}

function safeMatches(selector: LabelSelectorSpec, obj: KubeObject): boolean {
  try {
    return labelSelectorFromSpec(selector).matches(obj.metadata.labels);
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
