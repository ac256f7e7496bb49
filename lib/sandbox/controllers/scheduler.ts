// SPDX-License-Identifier: Apache-2.0
// The scheduler: puts each new pod on a node. The sandbox has one node, so the decision is easy;
// the protocol is the real one. The scheduler never edits the pod: it POSTs a Binding, and the API
// server sets `spec.nodeName` and the `PodScheduled` condition, after which the node's kubelet
// starts the pod. Pods that name another `schedulerName` are left for that scheduler.
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { Controller, type Logger } from './controller.js';
import { EventRecorder } from './events.js';
import type { Informer, InformerFactory } from './informer.js';
import { apiErrorCode, isBeingDeleted, isNotFound, objectKey, splitKey } from './objects.js';
import { nodeNameOf } from './pods.js';

const DEFAULT_SCHEDULER = 'default-scheduler';

export class Scheduler extends Controller {
  readonly name = DEFAULT_SCHEDULER;
  private readonly events: EventRecorder;
  private readonly pods: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    private readonly nodeName: string,
    log: Logger,
  ) {
    super(log);
    this.events = new EventRecorder(api, this.name);
    this.pods = informers.informer(refs.pods);
    const enqueue = (pod: KubeObject) => {
      if (this.wantsScheduling(pod)) this.queue.add(objectKey(pod));
    };
    this.pods.addHandlers({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod) });
  }

  private wantsScheduling(pod: KubeObject): boolean {
    const schedulerName = (pod.spec as { schedulerName?: string } | undefined)?.schedulerName ?? DEFAULT_SCHEDULER;
    return !nodeNameOf(pod) && !isBeingDeleted(pod) && schedulerName === DEFAULT_SCHEDULER;
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !this.wantsScheduling(pod)) return;
    const binding: KubeObject = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
    };
    try {
      // The `bindings` collection of the core group; the API server answers 201 with a Success Status.
      await this.api.create(refs.bindings, binding);
    } catch (error) {
      // Gone, or bound meanwhile (409: "pod ... is already assigned to node ..."): nothing to do.
      if (isNotFound(error) || apiErrorCode(error) === 409) return;
      throw error;
    }
    this.events.normal(pod, 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.nodeName}`);
  }
}
