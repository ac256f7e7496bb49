// SPDX-License-Identifier: Apache-2.0
// What the kubelet remembers about one container of a pod across its instances: whether it runs,
// why it waits, how its last two runs ended, how often it restarted. `containerStatus()` turns that
// into the `containerStatuses[]` entry `kubectl get pod -o yaml` shows.
import type { V1Container } from '@kubernetes/client-node';
import type { ProbeKind, ProbeWorker } from './probes.js';
import type { ContainerProcess } from './process.js';
import type { PreparedContainer } from './runtime.js';
import type { ContainerStateTerminated, ContainerStateWaiting, ContainerStatus } from './status.js';

/** One running instance of a container. */
export interface Instance {
  prepared: PreparedContainer;
  process: ContainerProcess;
  startedAt: string;
  /** the image the instance was started from (a changed `image` restarts the container) */
  specImage: string | undefined;
  probes: Map<ProbeKind, ProbeWorker>;
  /** set while the kubelet stops this instance (deletion, failed liveness probe) */
  stopping?: Promise<void>;
}

export interface ContainerRecord {
  spec: V1Container;
  init: boolean;
  /** waiting (not started, or between runs), running, or terminated (and not restarting) */
  phase: 'waiting' | 'running' | 'terminated';
  waiting: ContainerStateWaiting;
  /** how the most recent runs ended, newest last (two are kept: state and lastState) */
  terminations: ContainerStateTerminated[];
  /** when the last run ended, in ms (the crash back-off counts from here) */
  lastExitAt?: number;
  /** how many instances were started (a failed start counts) */
  attempts: number;
  restartCount: number;
  instance?: Instance;
  ready: boolean;
  started: boolean;
  /** the normalised image name once the image is known, else the spec's */
  image: string;
  imageID: string;
  containerID?: string;
  /** the last failed image pull, in ms */
  pullFailedAt?: number;
  /** restart once the instance stops, whatever the restart policy (its definition changed) */
  forceRestart?: boolean;
}

export function newRecord(spec: V1Container, init: boolean, podHasInit: boolean): ContainerRecord {
  return {
    spec,
    init,
    phase: 'waiting',
    waiting: { reason: podHasInit ? 'PodInitializing' : 'ContainerCreating' },
    terminations: [],
    attempts: 0,
    restartCount: 0,
    ready: false,
    started: false,
    image: spec.image ?? '',
    imageID: '',
  };
}

/**
 * Takes over a container a previous kubelet ran (the sandbox restarted with its state on disk):
 * its process is gone, so it counts as ended with an unknown cause, as after a node reboot, and
 * the restart policy decides what happens next.
 */
export function adoptRecord(record: ContainerRecord, previous: ContainerStatus | undefined, now: string): void {
  if (!previous || record.init) return;
  const wasStarted = previous.state.running || previous.state.terminated || previous.lastState.terminated;
  if (!wasStarted) return;
  record.restartCount = previous.restartCount;
  record.attempts = 1;
  record.phase = 'terminated';
  record.lastExitAt = Date.now();
  record.terminations = [{ exitCode: 255, reason: 'Unknown', startedAt: previous.state.running?.startedAt, finishedAt: now, ...(previous.containerID ? { containerID: previous.containerID } : {}) }];
  record.containerID = previous.containerID;
}

export function containerStatus(record: ContainerRecord): ContainerStatus {
  const last = record.terminations[record.terminations.length - 1];
  const before = record.terminations[record.terminations.length - 2];
  let state: ContainerStatus['state'];
  let lastState: ContainerStatus['lastState'];
  if (record.phase === 'running' && record.instance) {
    state = { running: { startedAt: record.instance.startedAt } };
    lastState = last ? { terminated: last } : {};
  } else if (record.phase === 'terminated' && last) {
    state = { terminated: last };
    lastState = before ? { terminated: before } : {};
  } else {
    state = { waiting: record.waiting };
    lastState = last ? { terminated: last } : {};
  }
  return {
    name: record.spec.name,
    state,
    lastState,
    ready: record.ready,
    restartCount: record.restartCount,
    image: record.image,
    imageID: record.imageID,
    ...(record.containerID ? { containerID: record.containerID } : {}),
    started: record.started,
  };
}
