// SPDX-License-Identifier: Apache-2.0
// One pod on the sandbox node, from its first sync to its last process (the kubelet's pod worker).
//
// Like the real one, the worker is level-triggered: whatever happened (the pod changed, a process
// exited, a probe flipped, a back-off ran out) it looks at the whole pod again in `sync()` and
// takes the next step, then reports the pod's status through the status subresource:
//
//   1. the pod's sandbox: its own address (addresses.ts) and volumes (volumes.ts)
//   2. init containers, one at a time; each must exit 0 before the next starts
//   3. the containers, all started; the restart policy and the crash back-off decide what
//      happens to one that exits (timing.ts); probes decide readiness and liveness (probes.ts)
//   4. on deletion: preStop hooks, SIGTERM, SIGKILL at the grace deadline, then the pod object
//      is removed for good (DELETE with gracePeriodSeconds 0)
//
// This worker is the only writer of a pod's status in the sandbox: conditions, container states
// and readiness all come from here (status.ts has the rules).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import type { Logger } from '../controllers/controller.js';
import type { EventRecorder } from '../controllers/events.js';
import { apiErrorCode, now } from '../controllers/objects.js';
import type { PodAddressPool } from './addresses.js';
import { ContainerLifecycle, type PodHost } from './container-lifecycle.js';
import { adoptRecord, containerStatus, newRecord, type ContainerRecord } from './container-record.js';
import type { EnvSources } from './env.js';
import type { LogStore } from './logs.js';
import type { ContainerProcess } from './process.js';
import type { PodSandbox } from './runtime.js';
import { buildPodStatus, type ContainerStatus, type PodCondition } from './status.js';
import { goDuration, scaledMs, type Backoff } from './timing.js';
import { setUpVolumes, VolumeSetupError, volumeUses, type VolumeSources } from './volumes.js';

/** What every pod worker of a kubelet shares. */
export interface WorkerContext {
  api: ApiHandle;
  nodeName: string;
  hostIP: string;
  /** pods live in `<podsDir>/<uid>` */
  podsDir: string;
  timeScale: number;
  kitCommand: string[];
  nodeEnv: Record<string, string>;
  sources: EnvSources & VolumeSources;
  addresses: PodAddressPool;
  logs: LogStore;
  events: EventRecorder;
  crashBackoff: Backoff;
  pullBackoff: Backoff;
  log: Logger;
}

export class PodWorker implements PodHost {
  readonly uid: string;
  private current: KubeObject;
  private readonly init: ContainerRecord[];
  private readonly containers: ContainerRecord[];
  private podSandbox: PodSandbox | undefined;
  private startTime: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly lifecycle = new ContainerLifecycle(this);
  /** commands run in containers (exec probes and hooks) while they run */
  private readonly execs = new Set<ContainerProcess>();
  readonly execTracker = {
    add: (p: ContainerProcess): void => {
      this.execs.add(p);
      // One that started while the kubelet was stopping must not outlive it.
      if (this.isClosed) p.signal('SIGKILL');
    },
    delete: (p: ContainerProcess): void => void this.execs.delete(p),
  };
  private syncing: Promise<void> | undefined;
  private dirty = false;
  /** all containers have stopped for good: the pod is Succeeded or Failed */
  private finished = false;
  private termination: Promise<void> | undefined;
  /** the pod object is gone from the API */
  private gone = false;
  /** the kubelet is stopping or the worker is done: no more syncs, no more API writes */
  private isClosed = false;
  private lastWritten: string | undefined;
  private lastConditions: PodCondition[] | undefined;
  private lastMountError: string | undefined;

  constructor(
    pod: KubeObject,
    readonly ctx: WorkerContext,
  ) {
    this.current = pod;
    this.uid = String(pod.metadata.uid);
    const spec = this.spec();
    const hasInit = (spec.initContainers ?? []).length > 0;
    this.init = (spec.initContainers ?? []).map((c) => newRecord(c, true, hasInit));
    this.containers = (spec.containers ?? []).map((c) => newRecord(c, false, hasInit));
    // A pod a previous kubelet ran: its processes are gone, and the restart policy takes over.
    const previous = ((pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; phase?: string });
    for (const record of this.containers) adoptRecord(record, previous.containerStatuses?.find((s) => s.name === record.spec.name), now());
    if (previous.phase === 'Succeeded' || previous.phase === 'Failed') this.finished = true;
  }

  /** A newer version of the pod (from the watch). */
  update(pod: KubeObject): void {
    const before = this.current.metadata;
    this.current = pod;
    // Downward API volumes follow the pod's labels and annotations.
    if (this.podSandbox && (JSON.stringify(before.labels) !== JSON.stringify(pod.metadata.labels) || JSON.stringify(before.annotations) !== JSON.stringify(pod.metadata.annotations))) {
      setUpVolumes(pod, this.podDir(), this.ctx.sources, this.addresses()).catch((error: Error) => this.ctx.events.warning(pod, 'FailedMount', error.message));
    }
    const spec = this.spec();
    for (const record of [...this.init, ...this.containers]) {
      const next = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find((c) => c.name === record.spec.name);
      if (next) record.spec = next;
    }
    this.kick();
  }

  /** A ConfigMap or Secret changed: refresh the volumes that follow it, and retry what waited for it. */
  sourceChanged(kind: 'configmap' | 'secret', name: string): void {
    const volumes = (this.spec().volumes ?? []).filter((v) => volumeUses(v, kind, name));
    if (this.podSandbox && volumes.length > 0) {
      setUpVolumes(this.current, this.podDir(), this.ctx.sources, this.addresses()).catch((error: Error) => this.ctx.events.warning(this.current, 'FailedMount', error.message));
    }
    this.kick();
  }

  /** The pod object is gone (deleted at once, or after our own final DELETE). Resolves when cleaned up. */
  removed(): Promise<void> {
    this.gone = true;
    return this.beginTermination();
  }

  /** The kubelet stops: every process is killed at once; nothing is written to the API. */
  async stop(): Promise<void> {
    this.isClosed = true;
    for (const t of this.timers) clearTimeout(t);
    await this.syncing;
    const all = [...this.init, ...this.containers];
    await Promise.all([...all.map((r) => r.instance?.process.kill()), ...[...this.execs].map((p) => p.kill())]);
    await this.cleanUp();
  }

  /** The status of one container (for log requests), or undefined if the pod has no such container. */
  containerStatus(name: string): ContainerStatus | undefined {
    const record = [...this.init, ...this.containers].find((r) => r.spec.name === name);
    return record ? containerStatus(record) : undefined;
  }

  is(namespace: string, name: string): boolean {
    return this.current.metadata.namespace === namespace && this.current.metadata.name === name;
  }

  /** Pids of every process of the pod, containers and exec'd commands (for tests and diagnostics). */
  pids(): number[] {
    const all = [...this.init, ...this.containers].flatMap((r) => (r.instance ? [r.instance.process] : []));
    return [...all, ...this.execs].flatMap((p) => [p.pid, p.guardPid ?? -1]).filter((pid) => pid > 0);
  }

  // --- what a container needs of its pod (PodHost) ----------------------------------------------

  pod(): KubeObject {
    return this.current;
  }

  sandbox(): PodSandbox {
    return this.podSandbox!;
  }

  closed(): boolean {
    return this.isClosed;
  }

  terminating(): boolean {
    return this.termination !== undefined;
  }

  // --- the loop ------------------------------------------------------------------------------

  kick(): void {
    if (this.isClosed) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = (async () => {
      try {
        do {
          this.dirty = false;
          await this.sync();
        } while (this.dirty && !this.isClosed);
      } catch (error) {
        this.ctx.log.error(`kubelet: syncing pod ${this.name()} failed (will retry): ${(error as Error).stack ?? error}`);
        this.wakeIn(1000);
      } finally {
        this.syncing = undefined;
      }
    })();
  }

  wakeIn(ms: number): void {
    if (this.isClosed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.kick();
    }, ms);
    this.timers.add(timer);
  }

  private async sync(): Promise<void> {
    if (this.isClosed) return;
    if (this.gone || this.current.metadata.deletionTimestamp) {
      void this.beginTermination();
      return;
    }
    if (!this.finished) {
      if (!this.podSandbox && !(await this.createSandbox())) return this.writeStatus();
      if (!this.initDone()) await this.syncInitContainers();
      if (this.initDone() && !this.finished) await this.syncContainers();
    }
    await this.writeStatus();
  }

  private async createSandbox(): Promise<boolean> {
    const podIP = this.ctx.addresses.allocate(this.uid);
    try {
      const volumeDirs = await setUpVolumes(this.current, this.podDir(), this.ctx.sources, { podIP, hostIP: this.ctx.hostIP });
      this.podSandbox = {
        pod: this.current,
        podDir: this.podDir(),
        podIP,
        hostIP: this.ctx.hostIP,
        volumeDirs,
        sources: this.ctx.sources,
        timeScale: this.ctx.timeScale,
        kitCommand: this.ctx.kitCommand,
        nodeEnv: this.ctx.nodeEnv,
      };
      this.startTime ??= now();
      return true;
    } catch (error) {
      if (!(error instanceof VolumeSetupError)) throw error;
      // Kubernetes retries mounts (and says so again every few minutes); a ConfigMap that
      // appears also triggers a retry through sourceChanged().
      if (this.lastMountError !== error.message) this.ctx.events.warning(this.current, 'FailedMount', error.message);
      this.lastMountError = error.message;
      this.startTime ??= now();
      this.wakeIn(scaledMs(10, this.ctx.timeScale));
      return false;
    }
  }

  private initDone(): boolean {
    return this.init.every((r) => r.phase === 'terminated' && r.terminations[r.terminations.length - 1]?.exitCode === 0);
  }

  private restartPolicy(): string {
    return this.spec().restartPolicy ?? 'Always';
  }

  private async syncInitContainers(): Promise<void> {
    for (const record of this.init) {
      const last = record.terminations[record.terminations.length - 1];
      if (record.phase === 'terminated' && last?.exitCode === 0) continue;
      if (record.instance) return; // running: wait for it
      if (last) {
        // A failed init container fails the pod under `Never`; otherwise it is retried.
        if (this.restartPolicy() === 'Never') {
          record.phase = 'terminated';
          this.finished = true;
        } else await this.restartWithBackoff(record);
      } else await this.lifecycle.start(record);
      return;
    }
  }

  private async syncContainers(): Promise<void> {
    const policy = this.restartPolicy();
    let stopped = 0;
    for (const record of this.containers) {
      const instance = record.instance;
      if (instance) {
        if (instance.specImage !== record.spec.image && !instance.stopping) {
          record.forceRestart = true;
          this.ctx.events.normal(this.current, 'Killing', `Container ${record.spec.name} definition changed, will be restarted`);
          void this.lifecycle.stopInstance(record, instance, this.graceSeconds());
        }
        continue;
      }
      const last = record.terminations[record.terminations.length - 1];
      if (!last) {
        await this.lifecycle.start(record);
        continue;
      }
      const restart = record.forceRestart || policy === 'Always' || (policy === 'OnFailure' && last.exitCode !== 0);
      if (!restart) {
        record.phase = 'terminated';
        stopped++;
      } else if (record.forceRestart) {
        record.forceRestart = false;
        await this.lifecycle.start(record);
      } else await this.restartWithBackoff(record);
    }
    if (stopped === this.containers.length) this.finished = true;
  }

  /** Restarts a container that ended, unless it is in its crash back-off (CrashLoopBackOff). */
  private async restartWithBackoff(record: ContainerRecord): Promise<void> {
    const key = `${this.uid}/${record.spec.name}`;
    const since = record.lastExitAt ?? Date.now();
    const wait = this.ctx.crashBackoff.remaining(key, since);
    if (wait > 0) {
      const message = `back-off ${goDuration(this.ctx.crashBackoff.delay(key))} restarting failed container=${record.spec.name} pod=${this.name()}_${this.current.metadata.namespace}(${this.uid})`;
      if (record.phase !== 'waiting' || record.waiting.message !== message) {
        this.ctx.events.warning(this.current, 'BackOff', `Back-off restarting failed container ${record.spec.name} in pod ${this.name()}_${this.current.metadata.namespace}(${this.uid})`);
      }
      record.phase = 'waiting';
      record.waiting = { reason: 'CrashLoopBackOff', message };
      this.wakeIn(wait);
      return;
    }
    this.ctx.crashBackoff.next(key, since);
    await this.lifecycle.start(record);
  }

  // --- stopping --------------------------------------------------------------------------------

  graceSeconds(): number {
    return this.current.metadata.deletionGracePeriodSeconds ?? this.spec().terminationGracePeriodSeconds ?? 30;
  }

  /** Deletion: stop every container gracefully, report the final status, remove the pod object. */
  private beginTermination(): Promise<void> {
    this.termination ??= (async () => {
      for (const t of this.timers) clearTimeout(t);
      const grace = this.graceSeconds();
      const running = [...this.init, ...this.containers].filter((r) => r.instance);
      for (const r of running) if (!r.instance!.stopping) this.ctx.events.normal(this.current, 'Killing', `Stopping container ${r.spec.name}`);
      await Promise.all(running.map((r) => this.lifecycle.stopInstance(r, r.instance!, grace)));
      await Promise.all([...this.execs].map((p) => p.kill()));
      await this.syncing;
      if (!this.gone && !this.isClosed) {
        await this.writeStatus(true);
        try {
          await this.ctx.api.delete(refs.pods, this.current.metadata.namespace, this.name(), { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
        } catch (error) {
          // Already gone, or replaced by a new pod of the same name: either way, ours is done.
          const code = apiErrorCode(error);
          if (code !== 404 && code !== 409) this.ctx.log.error(`kubelet: deleting pod ${this.name()} failed: ${(error as Error).message}`);
        }
      }
      this.isClosed = true;
      await this.cleanUp();
    })();
    return this.termination;
  }

  private async cleanUp(): Promise<void> {
    this.ctx.addresses.release(this.uid);
    this.ctx.logs.drop(this.uid);
    for (const r of [...this.init, ...this.containers]) {
      this.ctx.crashBackoff.forget(`${this.uid}/${r.spec.name}`);
      this.ctx.pullBackoff.forget(`${this.uid}/${r.spec.name}/${r.spec.image}`);
    }
    await rm(this.podDir(), { recursive: true, force: true });
  }

  // --- status ----------------------------------------------------------------------------------

  private async writeStatus(terminal = false): Promise<void> {
    if (this.isClosed || this.gone) return;
    const pod = this.current;
    const status = buildPodStatus({
      pod,
      initStatuses: this.init.map(containerStatus),
      statuses: this.containers.map(containerStatus),
      podIP: this.podSandbox?.podIP,
      hostIP: this.ctx.hostIP,
      startTime: this.startTime,
      terminal,
      lastConditions: this.lastConditions,
    });
    const json = JSON.stringify(status);
    if (json === this.lastWritten) return;
    // A merge patch of the whole status: lists are replaced, and fields we no longer set are nulled.
    const body: Record<string, unknown> = { ...status };
    for (const key of Object.keys((pod.status ?? {}) as object)) if (!(key in body)) body[key] = null;
    try {
      await this.ctx.api.patch(refs.pods, pod.metadata.namespace, this.name(), { status: body }, 'application/merge-patch+json', { subresource: 'status', fieldManager: 'kubelet' });
      this.lastWritten = json;
      this.lastConditions = status.conditions;
    } catch (error) {
      if (apiErrorCode(error) === 404) return;
      this.ctx.log.error(`kubelet: writing the status of pod ${this.name()} failed (will retry): ${(error as Error).message}`);
      this.wakeIn(1000);
    }
  }

  // --- small helpers ---------------------------------------------------------------------------

  private spec() {
    return (this.current.spec ?? {}) as {
      containers?: V1Container[];
      initContainers?: V1Container[];
      volumes?: V1Volume[];
      restartPolicy?: string;
      terminationGracePeriodSeconds?: number;
    };
  }

  name(): string {
    return String(this.current.metadata.name);
  }

  private podDir(): string {
    return join(this.ctx.podsDir, this.uid);
  }

  private addresses() {
    return { podIP: this.podSandbox?.podIP ?? '', hostIP: this.ctx.hostIP };
  }
}
