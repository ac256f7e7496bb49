// SPDX-License-Identifier: Apache-2.0
// Binding a pod to a node: what a scheduler does, and the one write that sets `spec.nodeName`.
//
// A scheduler never edits a pod. It POSTs a `Binding` (`target: {kind: Node, name: ...}`), either
// to the pod's subresource `/api/v1/namespaces/{ns}/pods/{name}/binding` (kube-scheduler) or to the
// older collection `/api/v1/namespaces/{ns}/bindings`, and the API server (k8s.io/kubernetes
// pkg/registry/core/pod/storage, BindingREST) then, in one step:
//
//   - refuses a pod that is being deleted, already on a node, or still has scheduling gates
//     (409 Conflict on `pods/binding`, with the reason in the message);
//   - sets `spec.nodeName` (the only way it can change: a pod's spec is otherwise immutable),
//     copies the Binding's annotations onto the pod, and sets the condition `PodScheduled: True`;
//   - stores nothing else: a Binding is an action, not an object. The answer is 201 with a
//     `Status` of `Success`, and nobody can get, list or watch bindings.
//
// The pod is written straight to storage, like the real server's GuaranteedUpdate: no pod
// validation or admission runs (they would refuse a changed spec), only the checks above.
import type { ApiCore, WriteContext } from './core.js';
import { isPlainObject, timestamp } from './objects.js';
import { ApiError, errors } from './status.js';
import { objectKey } from './store.js';
import type { KubeObject, ResourceType } from './types.js';

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

/** `true` for the `bindings` collection, whose POST binds rather than stores. */
export function isBindings(type: Pick<ResourceType, 'group' | 'plural'>): boolean {
  return type.group === '' && type.plural === 'bindings';
}

/** A conflict as BindingREST words it: `Operation cannot be fulfilled on pods/binding "x": <why>`. */
function cannotBind(name: string, why: string): ApiError {
  return errors.conflictBecause('pods/binding', '', name, why);
}

/**
 * Binds a pod. `urlName` is the pod named in a `pods/{name}/binding` URL (undefined for the
 * `bindings` collection, where the Binding's own name says which pod). Returns the Success Status.
 */
export function bindPod(core: ApiCore, namespace: string | undefined, urlName: string | undefined, body: unknown, ctx: WriteContext): KubeObject {
  const bindingType = core.resolve('', 'v1', 'bindings');
  const binding = core.decode(bindingType, namespace, body);
  const name = binding.metadata.name ?? '';
  if (urlName !== undefined && urlName !== name) throw errors.badRequest('name in URL does not match name in Binding object');

  // ValidatePodBinding; its field errors reach the client as a plain error (500, no reason).
  const target = isPlainObject(binding.target) ? binding.target : {};
  const problems: string[] = [];
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    problems.push(`target.kind: Unsupported value: ${JSON.stringify(target.kind)}: supported values: "Node", "<empty>"`);
  }
  if (typeof target.name !== 'string' || target.name === '') problems.push('target.name: Required value');
  if (problems.length > 0) throw errors.unknown(problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`);
  const nodeName = target.name as string;

  const pods = core.resolve('', 'v1', 'pods');
  const pod = core.get(pods, namespace, name);
  // On the subresource, the Binding's uid and resourceVersion are preconditions on the pod.
  if (urlName !== undefined) {
    const key = `/registry/pods/${namespace ?? ''}/${name}`;
    const failed = (detail: string) =>
      errors.conflictBecause('pods', '', name, `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ${detail}`);
    const { uid, resourceVersion } = binding.metadata;
    if (uid && uid !== pod.metadata.uid) throw failed(`UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    if (resourceVersion && resourceVersion !== pod.metadata.resourceVersion) {
      throw failed(`ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
    }
  }
  const spec = (pod.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
  if (pod.metadata.deletionTimestamp) throw cannotBind(name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (spec.nodeName) throw cannotBind(name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
  if ((spec.schedulingGates ?? []).length > 0) throw cannotBind(name, `pod ${name} has non-empty .spec.schedulingGates`);

  const next = structuredClone(pod);
  (next.spec as { nodeName?: string }).nodeName = nodeName;
  if (binding.metadata.annotations) next.metadata.annotations = { ...next.metadata.annotations, ...binding.metadata.annotations };
  setScheduled(next);
  if (!ctx.dryRun) core.commit(pods, objectKey(namespace, name), 'MODIFIED', next);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** podutil.UpdatePodCondition with `PodScheduled: True`: the transition time moves only if the status does. */
function setScheduled(pod: KubeObject): void {
  const status = (pod.status ??= {}) as { conditions?: Condition[] };
  const conditions = status.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === 'PodScheduled');
  const old = conditions[index] as Condition | undefined;
  const condition: Condition = {
    type: 'PodScheduled',
    status: 'True',
    lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : timestamp(),
  };
  status.conditions = index >= 0 ? conditions.map((c, i) => (i === index ? condition : c)) : [...conditions, condition];
}
