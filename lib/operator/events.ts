// SPDX-License-Identifier: Apache-2.0
// Kubernetes Events about a SeldonDeployment: what `kubectl describe sdep` lists at the bottom,
// with Seldon's reasons (CreateDeployment, CreateService, Updated, InternalError, ...).
//
// An Event is a small object of its own (core/v1 Event) that points at the SeldonDeployment. The
// operator writes one only when something happened (a child created, the state changed), never
// on a reconcile that found everything in order, and a failed Event write is logged, not retried:
// Events are for people, and losing one must not stop the operator.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ClusterApi } from './kube-api.js';
import { SELDON_API_VERSION, type SeldonDeployment } from './types.js';

export const EVENT_SOURCE = 'seldon-lab-operator';

export class EventRecorder {
  private sequence = 0;

  constructor(
    private readonly api: ClusterApi,
    /** who reports: the pod name in a cluster, the host name in a notebook */
    private readonly instance: string,
    private readonly log: (line: string) => void,
  ) {}

  async record(sdep: SeldonDeployment, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = sdep.metadata.namespace ?? 'default';
    const now = new Date();
    // client-go names events <object>.<time in ns, hex>; the sequence keeps two in one ms apart.
    const stamp = (BigInt(now.getTime()) * BigInt(1_000_000) + BigInt(this.sequence++ % 1_000_000)).toString(16);
    const event: CoreV1Event = {
      metadata: { name: `${sdep.metadata.name}.${stamp}`, namespace },
      involvedObject: {
        apiVersion: SELDON_API_VERSION,
        kind: 'SeldonDeployment',
        name: sdep.metadata.name,
        namespace,
        uid: sdep.metadata.uid,
        resourceVersion: sdep.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.createEvent(namespace, event);
    } catch (e) {
      this.log(`${namespace}/${sdep.metadata.name}: could not record event ${reason} (${(e as Error).message})`);
    }
  }
}
