// SPDX-License-Identifier: Apache-2.0
// A stand-in kubelet for the sandbox's one node (`startSandbox({ kubelet: 'simulated' })`), for
// tests of the control plane that need pods but no programs: the real kubelet (lib/sandbox/kubelet)
// runs pods as processes. The stand-in does the two kubelet duties the control plane cannot do without:
//
// - It registers the Node (with the real kubelet's node.ts, so both show the same Node), so
//   `kubectl get nodes` shows the node pods are scheduled to.
// - It finishes pod deletion. Deleting a pod that is on a node only marks it (deletionTimestamp
//   plus a grace period); the node's kubelet stops the containers and then deletes the pod for
//   good. There are no containers here, so that happens at once.
//
// With `readyPods`, it also marks each pod on the node Running and Ready at once, with an IP from
// 10.244.0.0/16 (kwok's `pod-ready` stage), so Deployments roll out in tests. Without it, pods stay
// Pending: no container ever runs, and the lessons say so.
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { Controller, type Logger } from './controller.js';
import type { Informer, InformerFactory } from './informer.js';
import { registerNode } from '../kubelet/node.js';
import { isBeingDeleted, isNotFound, jsonEqual, objectKey, splitKey } from './objects.js';
import { runningPodStatus } from './pod-status.js';
import { nodeNameOf, podStatus } from './pods.js';

/** The node's address: it is this machine. */
const HOST_IP = '127.0.0.1';
/** Pod IPs: 10.244.0.0/16, as the usual flannel/minikube pod network. */
const POD_NETWORK = [10, 244];
const POD_CIDR = '10.244.0.0/16';

export interface SimulatedKubeletOptions {
  nodeName: string;
  /** mark pods Running and Ready as soon as they are on the node */
  readyPods: boolean;
}

export class SimulatedKubelet extends Controller {
  readonly name = 'kubelet';
  private readonly pods: Informer;
  /** pod uid -> IP handed out but maybe not yet visible in the cache */
  private readonly assigned = new Map<string, string>();

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    private readonly options: SimulatedKubeletOptions,
    log: Logger,
  ) {
    super(log);
    this.pods = informers.informer(refs.pods);
    const enqueue = (pod: KubeObject) => {
      if (nodeNameOf(pod) === options.nodeName) this.queue.add(objectKey(pod));
    };
    this.pods.addHandlers({
      onAdd: enqueue,
      onUpdate: (_old, pod) => enqueue(pod),
      onDelete: (pod) => this.assigned.delete(String(pod.metadata.uid)),
    });
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || nodeNameOf(pod) !== this.options.nodeName) return;

    if (isBeingDeleted(pod)) {
      // The containers are stopped (there are none): the pod may go now.
      try {
        await this.api.delete(refs.pods, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return;
    }
    if (!this.options.readyPods || podStatus(pod).phase !== 'Pending') return;
    const podIP = podStatus(pod).podIP ?? this.assigned.get(String(pod.metadata.uid)) ?? this.nextPodIP();
    this.assigned.set(String(pod.metadata.uid), podIP);
    const status = runningPodStatus(pod, { podIP, hostIP: HOST_IP });
    if (jsonEqual(pod.status, status)) return;
    await this.api.update(refs.pods, { ...pod, status }, { subresource: 'status' });
  }

  /** The lowest free address in 10.244.0.0/16, from .0.2 up (.0.1 would be the node's bridge). */
  private nextPodIP(): string {
    const taken = new Set<string>(this.assigned.values());
    for (const pod of this.pods.list()) {
      const ip = podStatus(pod).podIP;
      if (ip) taken.add(ip);
    }
    for (let offset = 2; offset < 65_535; offset++) {
      const ip = `${POD_NETWORK[0]}.${POD_NETWORK[1]}.${Math.floor(offset / 256)}.${offset % 256}`;
      if (!taken.has(ip) && offset % 256 !== 0 && offset % 256 !== 255) return ip;
    }
    throw new Error('the pod network 10.244.0.0/16 is full: delete some pods');
  }

  /** Creates the Node (or finds it after a restart) and reports it Ready: the same Node the real kubelet registers. */
  registerNode(): Promise<void> {
    return registerNode(this.api, { name: this.options.nodeName, hostIP: HOST_IP, podCIDR: POD_CIDR, runtime: 'simulated' });
  }
}
