// SPDX-License-Identifier: Apache-2.0
// lib/sandbox: the embedded Kubernetes cluster. `startSandbox()` (start.ts) starts all of it: the
// API server on 127.0.0.1 (HTTPS, bearer token, a CA of its own) and its controllers, a kubelet that
// runs pods of known images as local processes, the Service network, and the Ambassador gateway on
// 127.0.0.1:8003; it writes a kubeconfig for kubectl, helm and @kubernetes/client-node, and hands
// back an in-process API handle and the fault-injection switches for tests.
//
//   const sandbox = await startSandbox();
//   const kc = new KubeConfig(); kc.loadFromFile(sandbox.kubeconfigPath);
//   await fetch(`${sandbox.ingressUrl}/seldon/seldon/iris-model/api/v1.0/predictions`, ...);
//   await sandbox.stop();   // every pod's process is gone when this resolves
//
// What the sandbox cannot do, and the lessons say so: pull images (only the kit's and Seldon's
// known images run, as the kit's own programs), isolate containers, schedule onto real machines,
// enforce RBAC, or give pods a network of their own (each pod gets a loopback address instead).
import type { ApiHandle } from './apiserver/api.js';
import type { ApiCore } from './apiserver/core.js';
import type { LogProvider } from './apiserver/server.js';
import type { ControllerOptions } from './controllers/index.js';
import type { Faults } from './faults.js';
import type { Gateway } from './gateway/index.js';
import type { Kubelet } from './kubelet/index.js';
import type { Network } from './network/index.js';

export { startSandbox, DEFAULT_TIME_SCALE } from './start.js';
export { Faults } from './faults.js';
export type { FailureRule, LatencyRule, StallRule, RequestMatch } from './faults.js';
export type { ApiHandle, ResourceRef, WatchHandle, WritableSubresource } from './apiserver/api.js';
export { refs } from './apiserver/api.js';
export { ApiError, errors } from './apiserver/status.js';
export type { KubeObject, ResourceType, WatchEvent } from './apiserver/types.js';
export type { LogProvider, LogOptions } from './apiserver/server.js';
export { SERVICE_ACCOUNT_MOUNT_PATH } from './apiserver/serviceaccounts.js';
export { CONTEXT } from './kubeconfig.js';

export interface SandboxOptions {
  /** port on 127.0.0.1 (default: any free port) */
  port?: number;
  /** keep objects, the CA and the token here, so a restart finds them again (default: memory only) */
  dataDir?: string;
  /** where to write the kubeconfig (default: `<dataDir>/kubeconfig`, or a new temporary folder) */
  kubeconfigPath?: string;
  /**
   * start the controllers: Deployment, ReplicaSet, Service endpoints, garbage collection,
   * namespaces, CRDs and the scheduler (default true; options pass through). `false` is a bare
   * API server: then no kubelet, network or gateway runs unless asked for.
   */
  controllers?: boolean | ControllerOptions;
  /**
   * test mode: the stand-in kubelet marks every scheduled pod Running and Ready at once, so
   * Deployments roll out without anything running (implies `kubelet: 'simulated'`)
   */
  readyPods?: boolean;
  /**
   * who plays the node's kubelet:
   * - `'process'` (the default): lib/sandbox/kubelet runs pods of known images as local processes,
   *   with probes, restarts, logs (`kubectl logs`) and volumes; stop() leaves no process behind.
   * - `'simulated'` (the default with `readyPods`): the controllers' stand-in registers the node and
   *   finishes pod deletions, and with `readyPods` marks pods ready; nothing runs. For fast tests.
   * - `false`: no kubelet; the node is left to one started separately (`startKubelet(sandbox.api)`,
   *   with `logs` here late-bound to it). Also the default with `controllers: { kubelet: false }`.
   */
  kubelet?: 'process' | 'simulated' | false;
  /**
   * the sandbox clock of the process kubelet (default 0.02): probe delays and periods and the
   * restart and image-pull back-offs are multiplied by it (Seldon's 20 s readiness delay is 0.4 s);
   * probe timeouts and termination grace periods are not, since a program does not answer or shut
   * down faster because the sandbox is in a hurry. 1 is Kubernetes' own timing (kubelet/timing.ts).
   */
  timeScale?: number;
  /** serve ClusterIP Services on their loopback addresses (kube-proxy); default: with the process kubelet */
  network?: boolean;
  /** run the Ambassador gateway (Emissary Mappings); default: with the process kubelet */
  gateway?: boolean;
  /**
   * the gateway's port on 127.0.0.1 (default 8003, Seldon's documented ingress port; 0: any free
   * port). Without this option a taken 8003 falls back to a free port (see `ingressUrl`, and
   * `notice`); a port asked for that is taken is an error.
   */
  ingressPort?: number;
  /** watch history kept for resuming watches (default 10 000 changes) */
  historyLimit?: number;
  /** how often watches that allow bookmarks get one (default 60 s) */
  bookmarkIntervalMs?: number;
  /** serves `kubectl logs` when no process kubelet runs here (a kubelet started separately) */
  logs?: LogProvider;
  /** one line per HTTP request, for debugging */
  log?: (line: string) => void;
  /** things worth telling the person who started the sandbox (a port that was taken, ...) */
  notice?: (line: string) => void;
  /**
   * called as soon as the API server answers and the kubeconfig is written, before the controllers,
   * the kubelet, the network and the gateway are loaded and started (startSandbox() resolves once
   * they run too). From here kubectl works; `seldon-lab sandbox` prints its export line at this point.
   */
  onApiReady?: (api: ApiReady) => void;
}

/** Where the API server answers: what `onApiReady` gets. */
export interface ApiReady {
  /** `https://127.0.0.1:<port>` */
  url: string;
  kubeconfigPath: string;
  /** the kubeconfig context, `seldon-lab-sandbox` */
  context: string;
}

export interface Sandbox {
  /** `https://127.0.0.1:<port>` */
  url: string;
  kubeconfigPath: string;
  /** the kubeconfig context, `seldon-lab-sandbox` */
  context: string;
  /** the bearer token (also in the kubeconfig): the cluster admin's */
  token: string;
  /** the CA certificate (PEM) that signed the serving certificate */
  caPem: string;
  /** where the gateway answers, `http://127.0.0.1:8003`; undefined when no gateway runs */
  ingressUrl: string | undefined;
  /** the API for in-process callers: same rules as HTTPS, no network */
  api: ApiHandle;
  faults: Faults;
  /** the server's internals, for tests and benchmarks */
  core: ApiCore;
  /** the process kubelet, when it runs here (its pids, for tests) */
  kubelet: Kubelet | undefined;
  /** the Service network, when it runs */
  network: Network | undefined;
  /** the gateway, when it runs */
  gateway: Gateway | undefined;
  /** the token of a ServiceAccount, as its pods get it (undefined when it does not exist) */
  serviceAccountToken(namespace: string, name: string): string | undefined;
  /** stops the kubelet (and so every pod's process), the gateway, the network, the controllers, the server */
  stop(): Promise<void>;
}
