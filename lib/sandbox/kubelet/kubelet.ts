// SPDX-License-Identifier: Apache-2.0
// The sandbox kubelet: the node agent that turns pods bound to its node into local processes.
//
// It registers the Node, watches Pods (and the ConfigMaps, Secrets and Services their containers
// read), runs one PodWorker per pod on its node, and serves container logs to the API server's
// `pods/log`. Scheduling is not its job: the scheduler binds pods to the node first
// (controllers/scheduler.ts), exactly as on a cluster.
//
// What it cannot do, and the lessons say so: pull images (only the images in images.ts run),
// isolate containers (no namespaces or cgroups: `resources` limits, `securityContext` such as
// Seldon's runAsUser 8888 and read-only mounts are not enforced), mount volumes other than
// emptyDir, configMap, secret, downwardAPI and projected ones, run gRPC probes, or fill
// `terminated.message` from a termination-message file. Each pod gets its own loopback
// address instead of a network namespace.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { LogOptions } from '../apiserver/server.js';
import { errors } from '../apiserver/status.js';
import type { KubeObject } from '../apiserver/types.js';
import { silentLogger, type Logger } from '../controllers/controller.js';
import { EventRecorder } from '../controllers/events.js';
import { NODE_NAME } from '../controllers/index.js';
import { InformerFactory } from '../controllers/informer.js';
import { nodeNameOf } from '../controllers/pods.js';
import { fromRoot } from '../../paths.js';
import { checkLoopbackRange, claimPodRange, PodAddressPool } from './addresses.js';
import { LogStore, logContainerID, logContainerName, streamLog, type PodLogOptions } from './logs.js';
import { registerNode } from './node.js';
import { PodWorker, type WorkerContext } from './pod-worker.js';
import { Backoff, checkTimeScale } from './timing.js';

export interface KubeletOptions {
  /** the Node's name (default `sandbox`, the node the sandbox's scheduler binds to) */
  nodeName?: string;
  /** where pods' volumes and writable layers go (default: a new temporary folder, removed on stop) */
  dataDir?: string;
  /** the sandbox clock: 1 is Kubernetes' own timing; 0.02 makes a 20 s probe delay 0.4 s (timing.ts) */
  timeScale?: number;
  /** pod IPs, inside 127.0.0.0/8 (default: the first free /16 from 127.1.0.0/16 on, see addresses.ts) */
  podCIDR?: string;
  /**
   * where pods reach the API server (KUBERNETES_SERVICE_HOST/PORT); default: where the sandbox
   * serves the `kubernetes` Service (network/address.ts), as a cluster points them at its ClusterIP
   */
  apiServer?: { host: string; port: number };
  /** the host command that runs the kit's CLI (default `node bin/seldon-lab.js`) */
  kitCommand?: string[];
  /**
   * settings of this machine the kit's programs need, as a node bakes them into its images
   * (default: SELDON_LAB_MODEL_STORE, STORAGE_EMULATOR_HOST and SELDON_LAB_PVC_ROOT from our environment)
   */
  nodeEnv?: Record<string, string>;
  /**
   * written where a pod's projected volume asks for a service account token: one token for all
   * pods, or a function giving the pod's own (startSandbox passes its ServiceAccount's)
   */
  serviceAccountToken?: string | ((pod: KubeObject) => string | undefined);
  /** share the controllers' informers (one watch per type); default: its own */
  informers?: InformerFactory;
  /** register the Node object (default true) */
  registerNode?: boolean;
  /** bytes of output kept per container instance (default 2 MiB) */
  logLimitBytes?: number;
  log?: Logger;
}

export interface Kubelet {
  readonly nodeName: string;
  /** `GET .../pods/{name}/log`: a stream of the selected lines; rejects with the API's 400/404 */
  readLog(options: PodLogOptions): Promise<Readable>;
  /** the same, in the shape the API server's `logs` option takes (apiserver/server.ts LogProvider) */
  logs(pod: KubeObject, options: LogOptions): Promise<Readable>;
  /** the pids of every process the kubelet runs now (containers, exec'd commands, their guards), or of one pod's */
  pids(pod?: { namespace: string; name: string }): number[];
  /** kills every process, waits for them, and removes the pods' folders */
  stop(): Promise<void>;
}

const NODE_ENV_PASSED = ['SELDON_LAB_MODEL_STORE', 'STORAGE_EMULATOR_HOST', 'SELDON_LAB_PVC_ROOT'];
const TEMP_PREFIX = 'seldon-lab-kubelet-';

/**
 * Removes the folders of kubelets that were killed (SIGKILL leaves no chance to clean up); each
 * folder names its owner's pid. Their processes are already gone: their guards saw to that.
 */
function removeAbandonedFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(dir, { recursive: true, force: true });
    }
  }
}

export async function startKubelet(api: ApiHandle, options: KubeletOptions = {}): Promise<Kubelet> {
  const nodeName = options.nodeName ?? NODE_NAME;
  const log = options.log ?? silentLogger;
  const timeScale = checkTimeScale(options.timeScale ?? 1);
  const claim = options.podCIDR ? undefined : claimPodRange();
  const addresses = new PodAddressPool(options.podCIDR ?? claim!.cidr);
  try {
    await checkLoopbackRange(addresses);
  } catch (error) {
    claim?.release();
    throw error;
  }

  let ownDir: string | undefined;
  if (!options.dataDir) {
    removeAbandonedFolders();
    ownDir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
    writeFileSync(join(ownDir, 'owner.pid'), String(process.pid));
  }
  const podsDir = join(options.dataDir ?? ownDir!, 'pods');
  mkdirSync(podsDir, { recursive: true });

  const informers = options.informers ?? new InformerFactory(api, log);
  const pods = informers.informer(refs.pods);
  const configMaps = informers.informer(refs.configmaps);
  const secrets = informers.informer(refs.secrets);
  const services = informers.informer(refs.services);
  if (!options.informers) informers.start();
  await Promise.all([configMaps, secrets, services].map((i) => i.waitForSync()));

  const logs = new LogStore(options.logLimitBytes);
  const ctx: WorkerContext = {
    api,
    nodeName,
    hostIP: '127.0.0.1',
    podsDir,
    timeScale,
    kitCommand: options.kitCommand ?? [process.execPath, fromRoot('bin', 'seldon-lab.js')],
    nodeEnv: options.nodeEnv ?? Object.fromEntries(NODE_ENV_PASSED.filter((k) => process.env[k]).map((k) => [k, process.env[k]!])),
    sources: {
      configMap: (namespace, name) => configMaps.get(namespace, name),
      secret: (namespace, name) => secrets.get(namespace, name),
      services: (namespace) => services.list(namespace),
      apiServer: options.apiServer,
      serviceAccountToken: options.serviceAccountToken,
    },
    addresses,
    logs,
    events: new EventRecorder(api, 'kubelet'),
    crashBackoff: Backoff.kubelet(timeScale),
    pullBackoff: Backoff.kubelet(timeScale),
    log,
  };

  if (options.registerNode !== false) await registerNode(api, { name: nodeName, hostIP: ctx.hostIP, podCIDR: addresses.cidr });

  const workers = new Map<string, PodWorker>();
  const finishing = new Set<Promise<void>>();
  let stopping = false;
  const onPod = (pod: KubeObject): void => {
    if (stopping || nodeNameOf(pod) !== nodeName) return;
    const uid = String(pod.metadata.uid);
    let worker = workers.get(uid);
    if (!worker) workers.set(uid, (worker = new PodWorker(pod, ctx)));
    worker.update(pod);
  };
  pods.addHandlers({
    onAdd: onPod,
    onUpdate: (_old, pod) => onPod(pod),
    onDelete: (pod) => {
      const uid = String(pod.metadata.uid);
      const worker = workers.get(uid);
      if (!worker) return;
      const done = worker.removed().then(() => {
        workers.delete(uid);
        finishing.delete(done);
      });
      finishing.add(done);
    },
  });
  const onSource = (kind: 'configmap' | 'secret') => (obj: KubeObject) => {
    for (const worker of workers.values()) worker.sourceChanged(kind, String(obj.metadata.name));
  };
  configMaps.addHandlers({ onAdd: onSource('configmap'), onUpdate: (_o, n) => onSource('configmap')(n) });
  secrets.addHandlers({ onAdd: onSource('secret'), onUpdate: (_o, n) => onSource('secret')(n) });

  async function readLog(request: PodLogOptions): Promise<Readable> {
    const pod = pods.get(request.namespace, request.pod) ?? (await api.get(refs.pods, request.namespace, request.pod));
    const container = logContainerName(pod, request.container);
    const worker = workers.get(String(pod.metadata.uid));
    const status = worker?.containerStatus(container);
    if (!status) throw errors.badRequest(`container "${container}" in pod "${request.pod}" is waiting to start: ContainerCreating`);
    const id = logContainerID(status, container, request.pod, request.previous === true);
    const found = logs.find(String(pod.metadata.uid), container, id);
    // An instance older than the two the kubelet keeps has no lines left.
    return found ? streamLog(found, request) : streamLog(new LogStore().begin('', '', ''), { ...request, follow: false });
  }

  let stopped: Promise<void> | undefined;
  return {
    nodeName,
    readLog,
    logs: (pod, o) => readLog({ namespace: String(pod.metadata.namespace), pod: String(pod.metadata.name), ...o }),
    pids: (pod) => [...workers.values()].filter((w) => !pod || w.is(pod.namespace, pod.name)).flatMap((w) => w.pids()),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        if (!options.informers) informers.stop();
        await Promise.all([...workers.values()].map((w) => w.stop()));
        await Promise.all(finishing);
        workers.clear();
        if (ownDir) rmSync(ownDir, { recursive: true, force: true });
        claim?.release();
      })()),
  };
}
