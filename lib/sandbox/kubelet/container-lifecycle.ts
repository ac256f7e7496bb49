// SPDX-License-Identifier: Apache-2.0
// One container of a pod, instance by instance: starting it (or recording why it cannot start,
// with the waiting reason and event a real kubelet gives), its probes and lifecycle hooks, and
// stopping it gracefully. The pod worker (pod-worker.ts) decides *when*; this file does it.
import type { V1LifecycleHandler } from '@kubernetes/client-node';
import type { KubeObject } from '../apiserver/types.js';
import { now } from '../controllers/objects.js';
import type { ContainerRecord, Instance } from './container-record.js';
import type { ContainerLog } from './logs.js';
import type { WorkerContext } from './pod-worker.js';
import { ProbeWorker, runCheck, type ProbeKind, type ProbeTarget } from './probes.js';
import { exitCodeOf, type ContainerProcess, type ProcessExit } from './process.js';
import { ContainerCreateError, execInContainer, prepareContainer, startContainer, type PodSandbox } from './runtime.js';
import { scaledMs } from './timing.js';

/** What a container needs of the pod worker that owns it. */
export interface PodHost {
  readonly uid: string;
  readonly ctx: WorkerContext;
  pod(): KubeObject;
  name(): string;
  sandbox(): PodSandbox;
  /** the kubelet is stopping: nothing may be started any more */
  closed(): boolean;
  /** the pod is being deleted */
  terminating(): boolean;
  /** look at the pod again (now, or after `ms`) */
  kick(): void;
  wakeIn(ms: number): void;
  graceSeconds(): number;
  /** where exec'd commands (probes, hooks) are registered while they run */
  execTracker: { add(process: ContainerProcess): void; delete(process: ContainerProcess): void };
}

/** Kubernetes never gives a container less than this after SIGTERM (minimumGracePeriodInSeconds). */
const MINIMUM_GRACE_SECONDS = 2;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class ContainerLifecycle {
  constructor(private readonly host: PodHost) {}

  private get ctx(): WorkerContext {
    return this.host.ctx;
  }

  /** Creates and starts one instance of a container, or records why it cannot. */
  async start(record: ContainerRecord): Promise<void> {
    const sandbox = this.host.sandbox();
    sandbox.pod = this.host.pod();
    const name = record.spec.name;
    const pullKey = `${this.host.uid}/${name}/${record.spec.image}`;
    if (record.pullFailedAt !== undefined) {
      const wait = this.ctx.pullBackoff.remaining(pullKey, record.pullFailedAt);
      if (wait > 0) {
        if (record.waiting.reason !== 'ImagePullBackOff') {
          this.ctx.events.normal(this.host.pod(), 'BackOff', `Back-off pulling image "${record.spec.image}"`);
          this.ctx.events.warning(this.host.pod(), 'Failed', 'Error: ImagePullBackOff');
        }
        this.setWaiting(record, 'ImagePullBackOff', `Back-off pulling image "${record.spec.image}"`);
        this.host.wakeIn(wait);
        return;
      }
    }
    let prepared;
    try {
      prepared = await prepareContainer(sandbox, record.spec, record.attempts);
    } catch (error) {
      if (!(error instanceof ContainerCreateError)) throw error;
      this.createFailed(record, error, pullKey);
      return;
    }
    // The kit's programs are always "present": every start finds the image on the machine.
    this.ctx.events.normal(this.host.pod(), 'Pulled', `Container image "${record.spec.image}" already present on machine`);
    record.pullFailedAt = undefined;
    this.ctx.pullBackoff.forget(pullKey);

    const log = this.ctx.logs.begin(this.host.uid, name, prepared.containerID);
    let process: ContainerProcess;
    try {
      process = await startContainer(prepared, (stream, chunk) => log.append(stream, chunk));
    } catch (error) {
      log.close();
      if (!(error instanceof ContainerCreateError)) throw error;
      this.createFailed(record, error, pullKey);
      return;
    }
    this.countAttempt(record);
    const instance: Instance = { prepared, process, startedAt: now(), specImage: record.spec.image, probes: new Map() };
    Object.assign(record, {
      instance,
      phase: 'running',
      containerID: prepared.containerID,
      image: prepared.image.full,
      imageID: `sandbox://${prepared.image.full}`,
      started: !record.spec.startupProbe,
      ready: !record.spec.startupProbe && !record.spec.readinessProbe,
    });
    this.ctx.events.normal(this.host.pod(), 'Created', `Created container ${name}`);
    this.ctx.events.normal(this.host.pod(), 'Started', `Started container ${name}`);
    void process.exited.then((exit) => this.exited(record, instance, exit, log));
    if (this.host.closed() || this.host.terminating()) {
      // Stopped while it was starting: it must not outlive the pod.
      process.signal('SIGKILL');
      return;
    }
    this.startProbes(record, instance);
    const postStart = record.spec.lifecycle?.postStart;
    if (postStart) void this.runPostStart(record, instance, postStart);
  }

  private createFailed(record: ContainerRecord, error: ContainerCreateError, pullKey: string): void {
    const name = record.spec.name;
    switch (error.reason) {
      case 'ErrImagePull': {
        if (record.spec.imagePullPolicy === 'Never') {
          // Not on the machine, and not to be pulled: it stays so until the pod's image changes.
          const message = `Container image "${record.spec.image}" is not present with pull policy of Never`;
          if (record.waiting.reason !== 'ErrImageNeverPull') this.ctx.events.warning(this.host.pod(), 'ErrImageNeverPull', message);
          this.setWaiting(record, 'ErrImageNeverPull', message);
          return;
        }
        const at = Date.now();
        this.ctx.events.normal(this.host.pod(), 'Pulling', `Pulling image "${record.spec.image}"`);
        this.ctx.events.warning(this.host.pod(), 'Failed', error.message);
        this.ctx.events.warning(this.host.pod(), 'Failed', 'Error: ErrImagePull');
        record.pullFailedAt = at;
        this.ctx.pullBackoff.next(pullKey, at);
        this.setWaiting(record, 'ErrImagePull', error.message);
        this.host.wakeIn(this.ctx.pullBackoff.remaining(pullKey, at));
        return;
      }
      case 'InvalidImageName':
        if (record.waiting.reason !== 'InvalidImageName') this.ctx.events.warning(this.host.pod(), 'InspectFailed', error.message);
        this.setWaiting(record, 'InvalidImageName', error.message);
        return; // until the pod's image changes
      case 'CreateContainerConfigError':
      case 'CreateContainerError':
        if (record.waiting.message !== error.message) this.ctx.events.warning(this.host.pod(), 'Failed', `Error: ${error.message}`);
        this.setWaiting(record, error.reason, error.message);
        this.host.wakeIn(scaledMs(10, this.ctx.timeScale));
        return;
      case 'StartError': {
        // The runtime created the container but could not start its program: exit code 128.
        this.ctx.events.warning(this.host.pod(), 'Failed', `Error: ${error.message}`);
        this.countAttempt(record);
        const at = now();
        record.terminations = [...record.terminations, { exitCode: 128, reason: 'StartError', message: error.message, startedAt: '1970-01-01T00:00:00Z', finishedAt: at }].slice(-2);
        record.phase = 'terminated';
        record.lastExitAt = Date.now();
        this.host.kick();
        return;
      }
      default:
        throw new Error(`unexpected container failure ${name}: ${error.reason}`);
    }
  }

  /** Every start after the first, successful or not, is a restart. */
  private countAttempt(record: ContainerRecord): void {
    if (record.attempts > 0) record.restartCount += 1;
    record.attempts += 1;
  }

  private setWaiting(record: ContainerRecord, reason: string, message: string): void {
    record.phase = 'waiting';
    record.waiting = { reason, message };
  }

  /** An instance's process has exited (on its own, or because we stopped it). */
  private exited(record: ContainerRecord, instance: Instance, exit: ProcessExit, log: ContainerLog): void {
    log.close();
    for (const probe of instance.probes.values()) probe.stop();
    const code = exitCodeOf(exit);
    record.terminations = [
      ...record.terminations,
      { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: instance.startedAt, finishedAt: now(), containerID: instance.prepared.containerID },
    ].slice(-2);
    if (record.instance === instance) {
      record.instance = undefined;
      record.phase = 'terminated';
      record.ready = false;
      record.started = false;
      record.lastExitAt = Date.now();
    }
    this.host.kick();
  }

  // --- probes and hooks ------------------------------------------------------------------------

  private target(instance: Instance, record: ContainerRecord): ProbeTarget {
    return {
      podIP: this.host.sandbox().podIP,
      ports: record.spec.ports ?? [],
      exec: (command, timeoutMs) => execInContainer(this.host.sandbox(), instance.prepared, command, timeoutMs, this.host.execTracker),
    };
  }

  private startProbes(record: ContainerRecord, instance: Instance): void {
    // Readiness and liveness probes wait until the startup probe (if any) has passed.
    if (record.spec.startupProbe) this.startProbe(record, instance, 'startup');
    else {
      this.startProbe(record, instance, 'readiness');
      this.startProbe(record, instance, 'liveness');
    }
  }

  private startProbe(record: ContainerRecord, instance: Instance, kind: ProbeKind): void {
    const spec = record.spec;
    const probe = kind === 'readiness' ? spec.readinessProbe : kind === 'liveness' ? spec.livenessProbe : spec.startupProbe;
    if (!probe) return;
    let lastMessage: string | undefined;
    const worker = new ProbeWorker(
      kind,
      probe,
      this.target(instance, record),
      this.ctx.timeScale,
      (ok) => this.probeResult(record, instance, kind, ok),
      (message) => {
        // An event per failure, as the kubelet sends, but a repeat of the same message is left out
        // (a real cluster folds repeats into one event's count).
        if (message === lastMessage) return;
        lastMessage = message;
        this.ctx.events.warning(this.host.pod(), 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message}`);
      },
    );
    instance.probes.set(kind, worker);
    worker.start();
  }

  private probeResult(record: ContainerRecord, instance: Instance, kind: ProbeKind, ok: boolean): void {
    if (record.instance !== instance || instance.stopping) return;
    if (kind === 'readiness') record.ready = ok && record.started;
    else if (kind === 'startup' && ok) {
      record.started = true;
      record.ready = !record.spec.readinessProbe;
      if (record.spec.readinessProbe) this.startProbe(record, instance, 'readiness');
      if (record.spec.livenessProbe) this.startProbe(record, instance, 'liveness');
    } else if (!ok) {
      const probe = (kind === 'startup' ? record.spec.startupProbe : record.spec.livenessProbe)!;
      this.ctx.events.normal(this.host.pod(), 'Killing', `Container ${record.spec.name} failed ${kind} probe, will be restarted`);
      void this.stopInstance(record, instance, probe.terminationGracePeriodSeconds ?? this.host.graceSeconds());
    }
    this.host.kick();
  }

  private async runPostStart(record: ContainerRecord, instance: Instance, hook: V1LifecycleHandler): Promise<void> {
    const outcome = await this.runHook(instance, record, hook, this.host.graceSeconds() * 1000);
    if (outcome.ok || record.instance !== instance) return;
    this.ctx.events.warning(this.host.pod(), 'FailedPostStartHook', `PostStartHook failed: ${outcome.message ?? ''}`);
    void this.stopInstance(record, instance, this.host.graceSeconds());
  }

  private async runHook(instance: Instance, record: ContainerRecord, hook: V1LifecycleHandler, timeoutMs: number): Promise<{ ok: boolean; message?: string }> {
    if (hook.sleep) {
      await delay(Math.min(timeoutMs, scaledMs(hook.sleep.seconds, this.ctx.timeScale)));
      return { ok: true };
    }
    return runCheck(hook, this.target(instance, record), timeoutMs);
  }

  /** preStop hook, SIGTERM, and SIGKILL at the grace deadline (never sooner than 2 s after SIGTERM). */
  stopInstance(record: ContainerRecord, instance: Instance, graceSeconds: number): Promise<void> {
    instance.stopping ??= (async () => {
      for (const probe of instance.probes.values()) probe.stop();
      record.ready = false;
      const deadline = Date.now() + graceSeconds * 1000;
      const preStop = record.spec.lifecycle?.preStop;
      if (preStop && !this.host.closed()) {
        const outcome = await this.runHook(instance, record, preStop, Math.max(0, deadline - Date.now()));
        if (!outcome.ok) this.ctx.events.warning(this.host.pod(), 'FailedPreStopHook', `PreStopHook failed: ${outcome.message ?? ''}`);
      }
      instance.process.signal('SIGTERM');
      const left = Math.max(deadline - Date.now(), MINIMUM_GRACE_SECONDS * 1000);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        instance.process.exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), left))),
      ]);
      clearTimeout(timer);
      if (timedOut) instance.process.signal('SIGKILL');
      await instance.process.exited;
    })();
    return instance.stopping;
  }

}
