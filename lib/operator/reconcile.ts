// SPDX-License-Identifier: Apache-2.0
// One reconcile of one SeldonDeployment: make the cluster match render(), then report.
//
//   1. read the SeldonDeployment again (the event that queued it may be old news); gone or being
//      deleted -> nothing to do: the garbage collector removes its children through their
//      owner references, as in Seldon (no finalizers);
//   2. check Seldon's rules -> on failure: status Failed with Seldon's message, a Warning Event,
//      and no children at all;
//   3. desired = render(sdep, config);
//   4. read the children that exist (by the `seldon-deployment-id` label) and, for each desired
//      one, create it when missing or merge-patch it when it differs; delete children that are
//      no longer desired (a renamed predictor);
//   5. compute the status from what exists (and, while not ready, from the pods) and write it
//      through /status, only if it changed.
//
// Level-triggered: it never asks what event brought it here, only how the world is now, so a
// missed, repeated or reordered event does no harm, and running it twice in a row writes nothing
// the second time.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { covers, jsonEqual, mergePatch } from './diff.js';
import type { EventRecorder } from './events.js';
import { apiFailure, isTransient, type ChildKind, type ClusterApi } from './kube-api.js';
import { LABELS, seldonId } from './names.js';
import { render, type DesiredState } from './render.js';
import { computeStatus, deploymentReady, failedStatus, sameStatus, type ObservedState } from './status.js';
import type { KubeObject, SeldonDeployment, SeldonDeploymentStatus } from './types.js';
import { formatFieldErrors, validateForReconcile } from './validate.js';

/** A failure that retrying will not fix until something changes; it becomes status Failed. */
export class ReconcileError extends Error {
  constructor(message: string, readonly transient = false) {
    super(message);
    this.name = 'ReconcileError';
  }
}

export interface ReconcilerDeps {
  api: ClusterApi;
  config: OperatorConfig;
  events: EventRecorder;
  log: (line: string) => void;
  /** the time for conditions' lastTransitionTime (tests fix it) */
  now?: () => Date;
}

/** `namespace/name` -> [namespace, name] */
export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Kubernetes timestamps have whole seconds. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  private say(sdep: SeldonDeployment, message: string): void {
    this.deps.log(`${sdep.metadata.namespace}/${sdep.metadata.name}: ${message}`);
  }

  // #region reconcile
  async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const sdep = await this.deps.api.getSeldonDeployment(namespace, name);
    if (!sdep || sdep.metadata.deletionTimestamp) return;

    const problems = validateForReconcile(sdep, this.deps.config);
    if (problems.length > 0) return this.fail(sdep, formatFieldErrors(problems), 'InternalError');

    const desired = render(sdep, this.deps.config);
    let observed: ObservedState;
    try {
      observed = await this.applyChildren(sdep, desired);
    } catch (e) {
      if (isRetryable(e)) throw e;
      await this.fail(sdep, e instanceof ReconcileError ? e.message : describeApiFailure(e), 'InternalError');
      throw e; // retried with back-off: the cause may be fixed outside (a CRD installed, RBAC granted)
    }
    const status = computeStatus(sdep, desired, observed, timestamp(this.now()));
    await this.writeStatus(sdep, status);
  }
  // #endregion reconcile

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Creates, patches and deletes children until they match `desired`; returns what exists then. */
  private async applyChildren(sdep: SeldonDeployment, desired: DesiredState): Promise<ObservedState> {
    const ns = sdep.metadata.namespace!;
    const selector = `${LABELS.seldonId}=${seldonId(sdep)}`;
    const observed: ObservedState = { deployments: new Map(), services: new Set(), pods: [] };
    const groups: [ChildKind, KubeObject[]][] = [
      ['Service', desired.services as KubeObject[]],
      ['Deployment', desired.deployments as KubeObject[]],
    ];
    if (this.deps.config.ingress !== 'none') groups.push(['Mapping', desired.mappings]);

    for (const [kind, wanted] of groups) {
      const existing = new Map<string, KubeObject>();
      for (const obj of await this.list(kind, ns, selector)) if (controlledBy(obj, sdep)) existing.set(obj.metadata.name, obj);
      for (const want of wanted) {
        const now = await this.ensure(kind, want, existing.get(want.metadata.name), sdep);
        if (!now) continue;
        if (kind === 'Deployment') observed.deployments.set(now.metadata.name, now as unknown as V1Deployment);
        if (kind === 'Service') observed.services.add(now.metadata.name);
      }
      const names = new Set(wanted.map((w) => w.metadata.name));
      for (const stale of existing.values()) {
        if (names.has(stale.metadata.name)) continue;
        await this.deps.api.delete(kind, ns, stale.metadata.name, stale.metadata.uid!);
        this.say(sdep, `deleted ${kind} ${stale.metadata.name} (no longer in the spec)`);
        await this.deps.events.record(sdep, 'Normal', `Delete${kind}`, `Deleted ${kind} ${JSON.stringify(stale.metadata.name)}`);
      }
    }
    if ([...observed.deployments.values()].some((d) => !deploymentReady(d)) || observed.deployments.size < desired.deployments.length) {
      observed.pods = (await this.deps.api.listPods(ns, selector)) as V1Pod[];
    }
    return observed;
  }

  private async list(kind: ChildKind, ns: string, selector: string): Promise<KubeObject[]> {
    try {
      return await this.deps.api.list(kind, ns, selector);
    } catch (e) {
      if (kind === 'Mapping' && apiFailure(e).code === 404) {
        throw new ReconcileError(
          `the Mapping kind (getambassador.io, ${this.deps.config.ingress}) is not installed in this cluster: install Emissary-ingress (npm run cluster:up does), or set "ingress: none" in the operator configuration`,
        );
      }
      throw e;
    }
  }

  /** Makes one child match `want`; returns it as it is afterwards (undefined: deleted, to be re-created). */
  private async ensure(kind: ChildKind, want: KubeObject, found: KubeObject | undefined, sdep: SeldonDeployment): Promise<KubeObject | undefined> {
    const { api, events } = this.deps;
    const ns = want.metadata.namespace!;
    const name = want.metadata.name;
    if (!found) {
      try {
        const created = await api.create(kind, want);
        this.say(sdep, `created ${kind} ${name}`);
        await events.record(sdep, 'Normal', `Create${kind}`, `Created ${kind} ${JSON.stringify(name)}`);
        return created;
      } catch (e) {
        if (apiFailure(e).reason !== 'AlreadyExists') throw e;
        found = await api.get(kind, ns, name); // it exists without our label, or the list was stale
        if (!found) throw e;
      }
    }
    if (!controlledBy(found, sdep)) throw notOurs(kind, found, sdep);
    if (kind === 'Deployment' && !jsonEqual((found.spec as V1Deployment['spec'])?.selector, (want.spec as V1Deployment['spec'])?.selector)) {
      // A Deployment's selector cannot change: replace the Deployment.
      await api.delete(kind, ns, name, found.metadata.uid!);
      this.say(sdep, `deleted Deployment ${name} to re-create it with a new selector`);
      throw new ReconcileError(`Deployment ${name} is being re-created with a new selector`, true);
    }
    const patch = patchFor(kind, found, want);
    if (!patch) return found;
    const updated = await api.patch(kind, ns, name, patch);
    this.say(sdep, `updated ${kind} ${name}`);
    await events.record(sdep, 'Normal', `Update${kind}`, `Updated ${kind} ${JSON.stringify(name)}`);
    return updated;
  }

  /** Status Failed with `description`, a Warning Event: once per new description, not on every retry. */
  private async fail(sdep: SeldonDeployment, description: string, reason: string): Promise<void> {
    const status = failedStatus(sdep, description, reason, timestamp(this.now()));
    if (sameStatus(sdep.status, status)) return;
    await this.deps.api.patchSeldonDeploymentStatus(sdep.metadata.namespace!, sdep.metadata.name!, { status: mergePatch(sdep.status ?? {}, status) });
    const repeated = sdep.status?.state === 'Failed' && sdep.status.description === description;
    if (!repeated) {
      this.say(sdep, `state Failed: ${description}`);
      await this.deps.events.record(sdep, 'Warning', reason, description);
    }
  }

  private async writeStatus(sdep: SeldonDeployment, status: SeldonDeploymentStatus): Promise<void> {
    const patch = mergePatch(sdep.status ?? {}, status);
    if (patch === undefined) return;
    await this.deps.api.patchSeldonDeploymentStatus(sdep.metadata.namespace!, sdep.metadata.name!, { status: patch });
    const before = sdep.status;
    if (before?.state === status.state && before?.description === status.description) return;
    if (status.state === 'Failed') {
      this.say(sdep, `state Failed: ${status.description}`);
      await this.deps.events.record(sdep, 'Warning', 'DeploymentFailed', status.description ?? '');
    } else {
      this.say(sdep, status.state === 'Available' ? `state Available at ${status.address?.url}` : `state ${status.state}`);
      await this.deps.events.record(sdep, 'Normal', 'Updated', `Updated SeldonDeployment ${JSON.stringify(sdep.metadata.name)}`);
    }
  }
}

/** Worth a quiet retry (a busy server, a conflict, a namesake being deleted), not a Failed status. */
export function isRetryable(e: unknown): boolean {
  return e instanceof ReconcileError ? e.transient : isTransient(e);
}

/** True when `obj`'s controller is this SeldonDeployment (same uid, not just the same name). */
export function controlledBy(obj: KubeObject, sdep: SeldonDeployment): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'SeldonDeployment' && r.uid === sdep.metadata.uid);
}

function notOurs(kind: ChildKind, found: KubeObject, sdep: SeldonDeployment): ReconcileError {
  const owner = (found.metadata.ownerReferences ?? []).find((r) => r.controller);
  const id = `${sdep.metadata.namespace}/${sdep.metadata.name}`;
  if (found.metadata.deletionTimestamp || (owner?.kind === 'SeldonDeployment' && owner.name === sdep.metadata.name)) {
    // Left over from an earlier SeldonDeployment of the same name: the garbage collector is on it.
    return new ReconcileError(`${kind} ${found.metadata.name} of an earlier SeldonDeployment ${id} is still being deleted`, true);
  }
  const by = owner ? ` (it belongs to ${owner.kind} ${owner.name})` : '';
  return new ReconcileError(`${kind} ${JSON.stringify(found.metadata.name)} already exists and is not owned by SeldonDeployment ${id}${by}; delete it, or rename the SeldonDeployment or its predictor`);
}

/** Every Mapping field render() may write (render-routes.ts). */
const MAPPING_FIELDS = ['hostname', 'prefix', 'rewrite', 'service', 'timeout_ms', 'idle_timeout_ms', 'weight', 'shadow', 'ambassador_id'];

/** The merge patch that brings `found` to `want`, or undefined when it already matches. */
export function patchFor(kind: ChildKind, found: KubeObject, want: KubeObject): Record<string, unknown> | undefined {
  const metaOk = covers(found.metadata.labels, want.metadata.labels) && covers(found.metadata.ownerReferences, want.metadata.ownerReferences);
  const meta = { labels: want.metadata.labels, ownerReferences: want.metadata.ownerReferences };
  if (kind === 'Mapping') {
    // An exact diff over the fields the operator writes, so one it stopped writing (a weight) goes;
    // fields someone else added (Emissary's version conversion, say) are left alone.
    const ours = Object.fromEntries(Object.entries((found.spec ?? {}) as Record<string, unknown>).filter(([k]) => MAPPING_FIELDS.includes(k)));
    // No ambassador_id means Emissary's default ID, and Emissary says so when it can: it stores
    // Mappings as getambassador.io/v2, and a v3alpha1 Mapping without an ID comes back from that
    // round trip with `ambassador_id: ["default"]`. Removing it would be a write on every reconcile.
    const wanted = (want.spec ?? {}) as Record<string, unknown>;
    if (wanted.ambassador_id === undefined && jsonEqual(ours.ambassador_id, ['default'])) delete ours.ambassador_id;
    const spec = mergePatch(ours, want.spec);
    if (metaOk && spec === undefined) return undefined;
    return { metadata: meta, ...(spec === undefined ? {} : { spec }) };
  }
  if (metaOk && covers(found.spec, want.spec, ['spec'])) return undefined;
  return { metadata: meta, spec: want.spec };
}

function describeApiFailure(e: unknown): string {
  const f = apiFailure(e);
  return f.code ? `the API server refused a write (${f.code}${f.reason ? ` ${f.reason}` : ''}): ${f.message}` : f.message;
}
