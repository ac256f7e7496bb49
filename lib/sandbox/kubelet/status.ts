// SPDX-License-Identifier: Apache-2.0
// A pod's status as the kubelet reports it: phase, conditions and one status per container. Pure
// functions of what the pod worker knows, so the rules (pkg/kubelet/status/generate.go and
// kubelet_pods.go getPhase) can be read, and tested, without processes.
//
//   phase       Pending    until every container has started (or an init container is not done)
//               Running    a container runs, or is restarting (CrashLoopBackOff)
//               Succeeded  every container exited 0 and none will restart
//               Failed     every container stopped, one failed, and none will restart
//   conditions  PodReadyToStartContainers  the pod's sandbox (address, volumes) exists
//               Initialized                every init container exited 0
//               ContainersReady            every container is ready (running, readiness passed)
//               Ready                      ContainersReady, and every readiness gate True
//               PodScheduled               set when the pod was bound to the node (kept as is)
import type { KubeObject } from '../apiserver/types.js';

export interface ContainerStateWaiting {
  reason: string;
  message?: string;
}

export interface ContainerStateRunning {
  startedAt: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

interface Spec {
  restartPolicy?: string;
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  readinessGates?: { conditionType: string }[];
}

const specOf = (pod: KubeObject): Spec => (pod.spec ?? {}) as Spec;

/** The phase, from the container statuses (kubelet getPhase, without sidecar containers). */
export function podPhase(pod: KubeObject, initStatuses: ContainerStatus[], statuses: ContainerStatus[]): PodPhase {
  const spec = specOf(pod);
  const policy = spec.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s || s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): Omit<PodCondition, 'lastTransitionTime'> {
  return { type, status: ok ? 'True' : 'False', lastProbeTime: null, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** `[a b]`: how Go prints a list of names in these messages. */
const list = (names: string[]): string => `[${names.join(' ')}]`;

/** The kubelet's conditions, in the order a real pod lists them, before PodScheduled. */
export function podConditions(pod: KubeObject, phase: PodPhase, sandboxReady: boolean, initStatuses: ContainerStatus[], statuses: ContainerStatus[]): Omit<PodCondition, 'lastTransitionTime'>[] {
  const spec = specOf(pod);
  const out: Omit<PodCondition, 'lastTransitionTime'>[] = [condition('PodReadyToStartContainers', sandboxReady)];

  const incompleteInit = (spec.initContainers ?? [])
    .filter((c) => initStatuses.find((s) => s.name === c.name)?.state.terminated?.exitCode !== 0)
    .map((c) => c.name);
  // Once a regular container has run, the pod stays initialized whatever its init containers show.
  const regularStarted = statuses.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  const initialized = incompleteInit.length === 0 || regularStarted || phase === 'Succeeded';
  out.push(initialized ? condition('Initialized', true) : condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: ${list(incompleteInit)}`));

  const names = (spec.containers ?? []).map((c) => c.name);
  const unknown = names.filter((n) => !statuses.some((s) => s.name === n));
  const unready = names.filter((n) => statuses.some((s) => s.name === n && !s.ready));
  let containersReady: Omit<PodCondition, 'lastTransitionTime'>;
  if (phase === 'Succeeded' && unknown.length === 0) containersReady = condition('ContainersReady', false, 'PodCompleted');
  else if (unknown.length > 0 || unready.length > 0) {
    const messages = [];
    if (unknown.length > 0) messages.push(`containers with unknown status: ${list(unknown)}`);
    if (unready.length > 0) messages.push(`containers with unready status: ${list(unready)}`);
    containersReady = condition('ContainersReady', false, 'ContainersNotReady', messages.join(', '));
  } else containersReady = condition('ContainersReady', true);

  let ready = { ...containersReady, type: 'Ready' };
  if (containersReady.status === 'True') {
    const existing = ((pod.status ?? {}) as { conditions?: PodCondition[] }).conditions ?? [];
    const gates: string[] = [];
    for (const gate of spec.readinessGates ?? []) {
      const c = existing.find((x) => x.type === gate.conditionType);
      if (!c) gates.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
      else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
    }
    if (gates.length > 0) ready = condition('Ready', false, 'ReadinessGatesNotReady', gates.join(', '));
  }
  out.push(ready, containersReady);
  return out;
}

/**
 * Merges the kubelet's conditions into the pod's: `lastTransitionTime` moves only when a status
 * flips; conditions the kubelet does not own (PodScheduled, readiness gates) are kept.
 */
export function mergeConditions(previous: PodCondition[] | undefined, computed: Omit<PodCondition, 'lastTransitionTime'>[], now: string): PodCondition[] {
  const old = previous ?? [];
  const owned = new Set(computed.map((c) => c.type));
  const merged: PodCondition[] = computed.map((c) => {
    const before = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime : now };
  });
  return [...merged, ...old.filter((o) => !owned.has(o.type))];
}

/** QoS class from requests and limits (the API server sets it at create; kept if present). */
export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = (pod.spec ?? {}) as { containers?: { resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[]; initContainers?: { resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const has = (r: { limits?: Record<string, string>; requests?: Record<string, string> } | undefined) =>
    Object.keys(r?.limits ?? {}).some((k) => k === 'cpu' || k === 'memory') || Object.keys(r?.requests ?? {}).some((k) => k === 'cpu' || k === 'memory');
  if (!all.some((c) => has(c.resources))) return 'BestEffort';
  const guaranteed = all.every((c) => {
    const { limits = {}, requests = {} } = c.resources ?? {};
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && (requests[k] === undefined || requests[k] === limits[k]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export interface PodStatusInput {
  pod: KubeObject;
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  /** set once the pod's sandbox (address, volumes) exists */
  podIP?: string;
  hostIP: string;
  startTime?: string;
  /** the pod is being deleted and its containers have stopped: its phase is final */
  terminal: boolean;
  /** the conditions last written, for their transition times */
  lastConditions?: PodCondition[];
}

/** The whole `status` the kubelet writes for a pod. */
export function buildPodStatus(input: PodStatusInput): Record<string, unknown> & { conditions: PodCondition[] } {
  const { pod, initStatuses, podIP, hostIP } = input;
  // Container statuses are listed by name, as the kubelet sorts them; init containers in order.
  const statuses = [...input.statuses].sort((a, b) => a.name.localeCompare(b.name));
  let phase = podPhase(pod, initStatuses, statuses);
  if (input.terminal && !statuses.some((s) => s.state.running)) phase = statuses.every((s) => s.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
  const current = (pod.status ?? {}) as { conditions?: PodCondition[]; qosClass?: string };
  const computed = podConditions(pod, phase, podIP !== undefined, initStatuses, statuses);
  const owned = new Set(computed.map((c) => c.type));
  const previous = [
    ...(input.lastConditions ?? current.conditions ?? []).filter((c) => owned.has(c.type)),
    ...(current.conditions ?? []).filter((c) => !owned.has(c.type)),
  ];
  return {
    phase,
    conditions: mergeConditions(previous, computed, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    ...(input.startTime ? { startTime: input.startTime } : {}),
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: current.qosClass ?? qosClass(pod),
  };
}
