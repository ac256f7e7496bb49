// SPDX-License-Identifier: Apache-2.0
// An in-memory ClusterApi for the reconcile tests: objects in maps, uids and resourceVersions,
// JSON merge patch, label selectors, Kubernetes' error Status bodies, and a little of the API
// server's defaulting (clusterIP, protocol, dnsPolicy, quantities in canonical form) so that the
// "nothing to write" logic is tested against objects that do not come back as they were sent.
// The real API (the sandbox) is tested in operator.e2e.test.ts; this one makes odd cases easy.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { ChildKind, ClusterApi, RequestCounts } from '../kube-api.js';
import type { KubeObject, SeldonDeployment } from '../types.js';

/** Thrown like client-node's ApiException: a code and the Status JSON as body. */
export function apiError(code: number, reason: string, message: string): Error & { code: number; body: string } {
  return Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ kind: 'Status', status: 'Failure', reason, message, code }) });
}

/** RFC 7386. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function matches(obj: KubeObject, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    const labels = obj.metadata.labels ?? {};
    return value === undefined ? key in labels : labels[key] === value;
  });
}

/** What a real API server changes on the way in. */
function defaulted(kind: ChildKind, obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test double poking at untyped JSON
  const spec = out.spec as any;
  if (kind === 'Service') {
    spec.clusterIP = '10.96.0.10';
    spec.clusterIPs = ['10.96.0.10'];
    spec.ipFamilies = ['IPv4'];
  }
  if (kind === 'Deployment') {
    spec.progressDeadlineSeconds ??= 600;
    spec.revisionHistoryLimit ??= 10;
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
    const pod = spec.template.spec;
    pod.dnsPolicy ??= 'ClusterFirst';
    pod.restartPolicy ??= 'Always';
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      for (const m of c.volumeMounts ?? []) if (m.readOnly === false) delete m.readOnly;
      for (const group of [c.resources?.requests, c.resources?.limits]) {
        for (const [k, v] of Object.entries(group ?? {})) if (v === '0.5') (group as Record<string, string>)[k] = '500m';
      }
    }
    for (const v of pod.volumes ?? []) if (v.downwardAPI) v.downwardAPI.defaultMode = 420;
  }
  return out;
}

export class MemoryClusterApi implements ClusterApi {
  readonly counts: RequestCounts = { reads: 0, writes: 0 };
  readonly sdeps = new Map<string, SeldonDeployment>();
  readonly objects: Record<ChildKind, Map<string, KubeObject>> = { Deployment: new Map(), Service: new Map(), Mapping: new Map() };
  readonly events: CoreV1Event[] = [];
  readonly pods: V1Pod[] = [];
  /** the merge patches sent, in order, to look at in tests */
  readonly patches: { kind: ChildKind | 'status'; name: string; body: unknown }[] = [];
  /** make the next call of this method throw */
  failNext: Partial<Record<keyof ClusterApi, Error>> = {};
  private revision = 100;
  private uid = 0;

  private check(method: keyof ClusterApi): void {
    const error = this.failNext[method];
    if (error) {
      delete this.failNext[method];
      throw error;
    }
  }

  private stamp<T extends { metadata: KubeObject['metadata'] }>(obj: T): T {
    obj.metadata.resourceVersion = String(++this.revision);
    return obj;
  }

  addSeldonDeployment(sdep: SeldonDeployment): SeldonDeployment {
    const stored = structuredClone(sdep);
    stored.metadata = { namespace: 'default', ...stored.metadata, uid: stored.metadata.uid ?? `uid-${++this.uid}`, generation: (stored.metadata.generation ?? 0) + 1 };
    this.sdeps.set(`${stored.metadata.namespace}/${stored.metadata.name}`, this.stamp(stored as SeldonDeployment & { metadata: KubeObject['metadata'] }));
    return structuredClone(stored);
  }

  async getSeldonDeployment(namespace: string, name: string): Promise<SeldonDeployment | undefined> {
    this.counts.reads++;
    this.check('getSeldonDeployment');
    const found = this.sdeps.get(`${namespace}/${name}`);
    return found && structuredClone(found);
  }

  async patchSeldonDeploymentStatus(namespace: string, name: string, patch: unknown): Promise<void> {
    this.counts.writes++;
    this.check('patchSeldonDeploymentStatus');
    const found = this.sdeps.get(`${namespace}/${name}`);
    if (!found) throw apiError(404, 'NotFound', `seldondeployments.machinelearning.seldon.io "${name}" not found`);
    this.patches.push({ kind: 'status', name, body: patch });
    found.status = (applyMergePatch({ status: found.status }, patch) as { status: SeldonDeployment['status'] }).status;
    this.stamp(found as SeldonDeployment & { metadata: KubeObject['metadata'] });
  }

  async list(kind: ChildKind, namespace: string, labelSelector: string): Promise<KubeObject[]> {
    this.counts.reads++;
    this.check('list');
    return [...this.objects[kind].values()].filter((o) => o.metadata.namespace === namespace && matches(o, labelSelector)).map((o) => structuredClone(o));
  }

  async get(kind: ChildKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.counts.reads++;
    this.check('get');
    const found = this.objects[kind].get(`${namespace}/${name}`);
    return found && structuredClone(found);
  }

  async create(kind: ChildKind, obj: KubeObject): Promise<KubeObject> {
    this.counts.writes++;
    this.check('create');
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    if (this.objects[kind].has(key)) throw apiError(409, 'AlreadyExists', `${kind.toLowerCase()}s "${obj.metadata.name}" already exists`);
    const stored = this.stamp(defaulted(kind, obj));
    stored.metadata.uid = `uid-${++this.uid}`;
    stored.metadata.generation = 1;
    this.objects[kind].set(key, stored);
    return structuredClone(stored);
  }

  async patch(kind: ChildKind, namespace: string, name: string, patch: unknown): Promise<KubeObject> {
    this.counts.writes++;
    this.check('patch');
    const key = `${namespace}/${name}`;
    const found = this.objects[kind].get(key);
    if (!found) throw apiError(404, 'NotFound', `${kind.toLowerCase()}s "${name}" not found`);
    this.patches.push({ kind, name, body: patch });
    const next = this.stamp(defaulted(kind, applyMergePatch(found, patch) as KubeObject));
    this.objects[kind].set(key, next);
    return structuredClone(next);
  }

  async delete(kind: ChildKind, namespace: string, name: string, uid: string): Promise<void> {
    this.counts.writes++;
    this.check('delete');
    const key = `${namespace}/${name}`;
    if (this.objects[kind].get(key)?.metadata.uid === uid) this.objects[kind].delete(key);
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    this.counts.reads++;
    return this.pods.filter((p) => p.metadata?.namespace === namespace && matches(p as KubeObject, labelSelector));
  }

  async createEvent(_namespace: string, event: CoreV1Event): Promise<void> {
    this.counts.writes++;
    this.events.push(event);
  }

  /** Acts as the Deployment controller: the named Deployment is rolled out and ready. */
  rollOut(namespace: string, name: string): void {
    const d = this.objects.Deployment.get(`${namespace}/${name}`);
    if (!d) throw new Error(`no Deployment ${namespace}/${name}`);
    const replicas = (d.spec as { replicas?: number }).replicas ?? 1;
    d.status = { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
    this.stamp(d);
  }
}
