// SPDX-License-Identifier: Apache-2.0
// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
// does it: with two operator replicas (for availability), only one reconciles at a time.
//
// The Lease is a small object that says who holds it (`holderIdentity`), for how long
// (`leaseDurationSeconds`) and when it was last renewed (`renewTime`). The holder renews it every
// few seconds. A candidate takes it over only when the holder has not renewed it for a whole lease
// duration, measured on the candidate's own clock from when it last saw the Lease change, so two
// machines with different clocks still agree. Every write carries the resourceVersion it read, so
// of two candidates writing at once only one succeeds (the other gets 409 Conflict).
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { apiFailure, isNotFound } from './kube-api.js';

export interface LeaderElectionOptions {
  /** where the Lease lives (the operator's namespace) */
  namespace: string;
  /** default `seldon-lab-operator` */
  name?: string;
  /** this replica's name (default: the host name, which is the pod name in a cluster) */
  identity?: string;
  /** how long a Lease holds without renewal (default 15 s, as client-go) */
  leaseDurationSeconds?: number;
  /** a leader that cannot renew for this long stops leading (default 10 s) */
  renewDeadlineSeconds?: number;
  /** how often to try to acquire or renew (default 2 s) */
  retryPeriodSeconds?: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly name: string;
  readonly identity: string;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** the Lease as last seen, and when (on our clock) it last changed */
  private observed: { resourceVersion?: string; holder?: string; renewTime?: string; at: number } | undefined;
  private lastRenewal = 0;
  private reachable = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: LeaderCallbacks,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.name = options.name ?? 'seldon-lab-operator';
    this.identity = options.identity ?? defaultIdentity();
    this.durationMs = (options.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = (options.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (options.retryPeriodSeconds ?? 2) * 1000;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** True when the last attempt to read or write the Lease reached the API server. */
  canReachLease(): boolean {
    return this.reachable;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops trying; a leader gives the Lease up, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.tick;
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.tick = this.tryAcquireOrRenew().finally(() => {
        if (this.running) this.schedule(this.retryMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log(leading ? `became the leader (Lease ${this.options.namespace}/${this.name}, identity ${this.identity})` : `stopped leading (Lease ${this.options.namespace}/${this.name})`);
    if (leading) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    try {
      const ok = await this.acquireOrRenew(now);
      this.reachable = true;
      if (ok) this.lastRenewal = now;
      if (ok) this.setLeading(true);
      else if (this.leading && now - this.lastRenewal > this.renewDeadlineMs) this.setLeading(false);
    } catch (e) {
      this.reachable = false;
      if (this.leading && now - this.lastRenewal > this.renewDeadlineMs) this.setLeading(false);
      this.log(`leader election: ${apiFailure(e).message}`);
    }
  }

  /** One attempt; true when we hold the Lease afterwards. */
  private async acquireOrRenew(now: number): Promise<boolean> {
    const { namespace } = this.options;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name: this.name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await this.api.createNamespacedLease({ namespace, body: this.record(undefined) });
        return true;
      } catch (err) {
        if (apiFailure(err).code === 409) return false; // another replica created it first
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const renewTime = spec.renewTime === undefined ? undefined : String(spec.renewTime as unknown);
    if (!this.observed || this.observed.resourceVersion !== lease.metadata?.resourceVersion) {
      this.observed = { resourceVersion: lease.metadata?.resourceVersion, holder: spec.holderIdentity, renewTime, at: now };
    }
    const held = !!spec.holderIdentity && spec.holderIdentity !== this.identity;
    const duration = (spec.leaseDurationSeconds ?? this.durationMs / 1000) * 1000;
    if (held && this.observed.at + duration > now) return false;
    try {
      await this.api.replaceNamespacedLease({ namespace, name: this.name, body: this.record(lease) });
      return true;
    } catch (e) {
      if (apiFailure(e).code === 409) return false; // someone else wrote it between our read and write
      throw e;
    }
  }

  /** The Lease with us as holder, renewed now; `previous` carries the resourceVersion precondition. */
  private record(previous: V1Lease | undefined): V1Lease {
    const spec = previous?.spec ?? {};
    const changingHands = spec.holderIdentity !== this.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.options.namespace, resourceVersion: previous?.metadata?.resourceVersion },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.durationMs / 1000,
        acquireTime: changingHands ? new V1MicroTime() : spec.acquireTime,
        renewTime: new V1MicroTime(),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (changingHands && previous ? 1 : 0),
      },
    };
  }

  /** Gives the Lease up (holder cleared, 1 s duration), as client-go's ReleaseOnCancel. */
  private async release(): Promise<void> {
    try {
      const lease = await this.api.readNamespacedLease({ namespace: this.options.namespace, name: this.name });
      if (lease.spec?.holderIdentity !== this.identity) return;
      await this.api.replaceNamespacedLease({
        namespace: this.options.namespace,
        name: this.name,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime() } },
      });
    } catch (e) {
      this.log(`leader election: could not release the Lease: ${apiFailure(e).message}`);
    }
  }
}

/** The pod name in a cluster (HOSTNAME), else the machine's name plus the process id. */
function defaultIdentity(): string {
  return process.env.POD_NAME || process.env.HOSTNAME || `seldon-lab-operator-${process.pid}`;
}
