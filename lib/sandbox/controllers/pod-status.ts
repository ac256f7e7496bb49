// SPDX-License-Identifier: Apache-2.0
// What a kubelet writes into a pod's status once its containers run: the one place the sandbox
// makes up pod status. The stand-in kubelet (kubelet-sim.ts) writes it at once, as kwok's
// `pod-ready` stage does; the real process kubelet of the next issue writes the same shape when
// its containers have really started and their readiness probes pass.
import type { KubeObject } from '../apiserver/types.js';
import { findCondition, now, type Condition } from './objects.js';

interface Container {
  name: string;
  image?: string;
}

/** Containers whose requests and limits decide a pod's QoS class. */
interface Resources {
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface RunningStatusOptions {
  podIP: string;
  hostIP: string;
  /** when the containers started (default: now) */
  startedAt?: string;
}

/**
 * The status of a pod whose containers all run and are ready: phase Running; conditions
 * PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled True; one
 * running, ready containerStatus per container; init containers completed; pod and host IPs.
 */
export function runningPodStatus(pod: KubeObject, options: RunningStatusOptions): Record<string, unknown> {
  const time = options.startedAt ?? now();
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const previous = (pod.status ?? {}) as { conditions?: Condition[] };
  const scheduled = findCondition(previous.conditions, 'PodScheduled');
  const condition = (type: string): Condition => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: time });
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers'),
      condition('Initialized'),
      condition('Ready'),
      condition('ContainersReady'),
      scheduled ?? condition('PodScheduled'),
    ],
    hostIP: options.hostIP,
    hostIPs: [{ ip: options.hostIP }],
    podIP: options.podIP,
    podIPs: [{ ip: options.podIP }],
    startTime: time,
    ...((spec.initContainers ?? []).length
      ? {
        initContainerStatuses: (spec.initContainers ?? []).map((c) => ({
          name: c.name, image: c.image, imageID: '', containerID: '', ready: true, restartCount: 0, started: false,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: time, finishedAt: time } },
        })),
      }
      : {}),
    containerStatuses: (spec.containers ?? []).map((c) => ({
      name: c.name, image: c.image, imageID: '', containerID: '', ready: true, restartCount: 0, started: true,
      state: { running: { startedAt: time } },
    })),
    qosClass: qosClass(pod),
  };
}

/** BestEffort (no requests or limits), Guaranteed (limits = requests for cpu and memory everywhere), else Burstable. */
export function qosClass(pod: KubeObject): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const spec = (pod.spec ?? {}) as { containers?: Resources[]; initContainers?: Resources[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const any = all.some((c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) =>
    ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && (c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) === c.resources?.limits?.[r]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
