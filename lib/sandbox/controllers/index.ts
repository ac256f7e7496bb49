// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/controllers: the sandbox's kube-controller-manager, scheduler and (stand-in)
// kubelet. Each controller is a file: it watches through shared informers, queues keys and
// reconciles them through the in-process ApiHandle, so it can do nothing a client could not.
//
//   const controllers = startControllers(api, { readyPods: true });
//   ...
//   await controllers.stop();
import type { ApiHandle } from '../apiserver/api.js';
import { silentLogger, type Logger } from './controller.js';
import { CrdController } from './crd.js';
import { DeploymentController } from './deployment.js';
import { EndpointsController } from './service.js';
import { GarbageCollector } from './gc.js';
import { InformerFactory } from './informer.js';
import { SimulatedKubelet } from './kubelet-sim.js';
import { NamespaceController } from './namespace.js';
import { ReplicaSetController } from './replicaset.js';
import { Scheduler } from './scheduler.js';

export { runningPodStatus } from './pod-status.js';
export { podTemplateHash } from './pod-template-hash.js';
export { WorkQueue, ExponentialBackoff } from '../../kube/workqueue.js';
export { Informer, InformerFactory, type InformerHandlers } from './informer.js';
export { runController, silentLogger, type Logger, type Reconcile, type ReconcileResult } from './controller.js';

/** The sandbox's one node. */
export const NODE_NAME = 'sandbox';

export interface ControllerOptions {
  /** mark pods Running and Ready as soon as they are scheduled (tests; kwok's pod-ready stage) */
  readyPods?: boolean;
  /**
   * run the stand-in kubelet (default true): it registers the node, finishes pod deletions and,
   * with readyPods, marks pods ready. Set false when a real kubelet does that work.
   */
  kubelet?: boolean;
  /** where controllers report unexpected errors (default: nowhere) */
  log?: Logger;
}

export interface Controllers {
  /**
   * the controllers' shared informers: the kubelet, the Service network and the gateway started
   * beside them read through the same caches (one watch per type for the whole sandbox)
   */
  informers: InformerFactory;
  /** resolves when every informer has its first list, i.e. the controllers see the cluster */
  synced(): Promise<void>;
  /** nothing queued, nothing being reconciled: the cluster is as the controllers want it (for now) */
  idle(): boolean;
  stop(): Promise<void>;
}

export function startControllers(api: ApiHandle, opts: ControllerOptions = {}): Controllers {
  const log = opts.log ?? silentLogger;
  const informers = new InformerFactory(api, log);
  const kubelet = opts.kubelet === false ? undefined : new SimulatedKubelet(api, informers, { nodeName: NODE_NAME, readyPods: opts.readyPods === true }, log);
  const controllers = [
    new CrdController(api, informers, log),
    new NamespaceController(api, informers, log),
    new DeploymentController(api, informers, log),
    new ReplicaSetController(api, informers, log),
    new EndpointsController(api, informers, log),
    new Scheduler(api, informers, NODE_NAME, log),
  ];
  const gc = new GarbageCollector(api, informers, log);

  // Handlers are registered (constructors above) before the first list, so no event is missed.
  informers.start();
  for (const controller of controllers) controller.start();
  kubelet?.start();
  const background = Promise.all([
    gc.start(),
    kubelet?.registerNode().catch((error: unknown) => log.error(`kubelet: registering node ${NODE_NAME} failed: ${String(error)}`)),
  ]);

  let stopping: Promise<void> | undefined;
  return {
    informers,
    synced: async () => {
      await informers.waitForSync();
    },
    idle: () => [...controllers, ...(kubelet ? [kubelet] : []), gc].every((c) => c.isIdle()),
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([...controllers.map((c) => c.stop()), gc.stop(), kubelet?.stop()]);
        informers.stop();
        await background.catch(() => undefined);
      })()),
  };
}
