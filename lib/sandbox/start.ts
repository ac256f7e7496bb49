// SPDX-License-Identifier: Apache-2.0
// `startSandbox()`: the whole embedded cluster, wired together, and stopped in the right order.
//
//   API server        HTTPS on 127.0.0.1, the sandbox's CA and bearer token, ServiceAccount tokens
//   controllers       Deployment → ReplicaSet → Pod, Endpoints, garbage collection, the scheduler
//   kubelet           pods of known images as local processes ('process'), or the stand-in that
//                     marks pods ready without running anything ('simulated', for fast tests)
//   Service network   every ClusterIP Service really served on its loopback address (kube-proxy)
//   gateway           the Ambassador stand-in on 127.0.0.1:8003, routing Emissary Mappings
//
// Everything shares one set of informers (one watch per resource type), `kubectl logs` reads the
// kubelet's logs, `kubectl port-forward` reaches pods through the API server, and pods find the API
// server through the `kubernetes` Service with their ServiceAccount's token, as on a cluster.
//
// The API server comes first and alone: it listens and the kubeconfig is written (`onApiReady`)
// before the code of the other parts is even loaded, as on a cluster, where kube-apiserver is up
// before the controller manager, the kubelet and the ingress connect to it. Loading and starting
// them takes longer than the API server alone (the gateway's CRDs most), so kubectl can be
// pointed at the sandbox a few tenths of a second before they run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiCore, newContext } from './apiserver/core.js';
import { DEFAULT_SERVICE_CIDR } from './apiserver/clusterip.js';
import { LocalApi } from './apiserver/local-api.js';
import { Persistence } from './apiserver/persistence.js';
import { ApiServer, type LogProvider, type PortForwardHandler } from './apiserver/server.js';
import { ServiceAccountTokens } from './apiserver/serviceaccounts.js';
import { ensureKubernetesService } from './apiserver/services.js';
import { errors } from './apiserver/status.js';
import { Store } from './apiserver/store.js';
import type { ControllerOptions, Controllers } from './controllers/index.js';
import { Faults } from './faults.js';
import { DEFAULT_INGRESS_PORT } from './gateway/port.js';
import type { Gateway } from './gateway/index.js';
import { CONTEXT, writeKubeconfig } from './kubeconfig.js';
import type { Kubelet } from './kubelet/index.js';
import { serviceLoopbackAddress, serviceLoopbackPort } from './network/address.js';
import type { Network } from './network/index.js';
import { loadOrCreateTls } from './tls.js';
import type { SandboxOptions, Sandbox } from './index.js';

/** The namespaces every cluster starts with. */
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The sandbox clock for lessons: Seldon's 20 s readiness delay becomes 0.4 s (kubelet/timing.ts). */
export const DEFAULT_TIME_SCALE = 0.02;

/** The `kubernetes` Service's port: 443, served by the Service proxy at 10443 (network/address.ts). */
const KUBERNETES_PORT = 443;

function loadToken(dataDir: string | undefined): string {
  const path = dataDir ? join(dataDir, 'token') : undefined;
  if (path && existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  if (path) writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}

/** Which parts run, from the options and their defaults (see SandboxOptions). */
export interface StackPlan {
  controllers: ControllerOptions | false;
  kubelet: 'process' | 'simulated' | false;
  network: boolean;
  gateway: boolean;
}

export function planStack(options: SandboxOptions): StackPlan {
  const given = typeof options.controllers === 'object' ? options.controllers : {};
  const controllersOn = options.controllers !== false;
  const readyPods = options.readyPods ?? given.readyPods ?? false;
  let kubelet = options.kubelet;
  if (kubelet === undefined) {
    // `controllers: { kubelet: false }` (the older spelling) leaves the node to a kubelet started elsewhere.
    if (!controllersOn || given.kubelet === false) kubelet = false;
    else kubelet = readyPods ? 'simulated' : 'process';
  }
  if (kubelet === 'process' && readyPods) {
    throw new Error("readyPods marks pods ready without running them, which the process kubelet does not do: use kubelet: 'simulated' with readyPods");
  }
  if (kubelet === 'simulated' && !controllersOn) throw new Error("kubelet: 'simulated' is one of the controllers: it needs controllers (not controllers: false)");
  return {
    controllers: controllersOn ? { ...given, readyPods, kubelet: kubelet === 'simulated' } : false,
    kubelet,
    // The network and the gateway route to pods' addresses: only the process kubelet gives pods real ones.
    network: options.network ?? kubelet === 'process',
    gateway: options.gateway ?? kubelet === 'process',
  };
}

/**
 * `kubectl port-forward`'s tunnel (SPDY and WebSocket framing, with the ws package), loaded on the
 * first port-forward instead of before the API server listens. The upgraded socket keeps what the
 * client sends meanwhile: nothing reads it until the handler does.
 */
const portForward: PortForwardHandler = (req, socket, head, target) => {
  import('./network/portforward/handler.js')
    .then(({ handlePortForward }) => handlePortForward(req, socket, head, target))
    .catch(() => socket.destroy());
};

/** The names a pod uses for the API server, which the serving certificate must cover. */
function servingNames(): { ips: string[]; dns: string[] } {
  const base = DEFAULT_SERVICE_CIDR.split('/')[0].split('.').map(Number);
  const clusterIP = [base[0], base[1], base[2], base[3] + 1].join('.');
  return {
    ips: [clusterIP, serviceLoopbackAddress(clusterIP)],
    dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const plan = planStack(options);
  const notice = options.notice ?? (() => {});
  const { dataDir } = options;
  const persistence = dataDir ? new Persistence(dataDir) : undefined;
  const tls = await loadOrCreateTls(dataDir ? join(dataDir, 'tls') : undefined, servingNames());
  const token = loadToken(dataDir);
  const serviceAccountTokens = new ServiceAccountTokens(token);

  const loaded = persistence?.load();
  const store = new Store({ historyLimit: options.historyLimit, revision: loaded?.revision });
  for (const { resource, key, object } of loaded?.objects ?? []) store.restore(resource, key, object);
  if (persistence) store.onChange((change) => persistence.append(change, store));

  // The core takes the cluster IPs of the stored Services as it starts (clusterip.ts restore).
  const core = new ApiCore(store, { caPem: tls.caCert, historyLimit: options.historyLimit, bookmarkIntervalMs: options.bookmarkIntervalMs, serviceCIDR: DEFAULT_SERVICE_CIDR });
  core.registerStoredCrds();
  const namespaces = core.resolve('', 'v1', 'namespaces');
  for (const name of INITIAL_NAMESPACES) {
    if (!store.get('/namespaces', `/${name}`)) core.create(namespaces, undefined, { metadata: { name } }, newContext({ fieldManager: 'kube-apiserver' }));
  }

  // The API server asks the kubelet for logs, and the kubelet needs the API server: a late binding.
  const late: { kubelet?: Kubelet } = {};
  const logs: LogProvider | undefined = plan.kubelet === 'process'
    ? (pod, o) => {
      if (!late.kubelet) throw errors.badRequest(`container "${o.container}" in pod "${String(pod.metadata.name)}" is waiting to start: ContainerCreating`);
      return late.kubelet.logs(pod, o);
    }
    : options.logs;

  const faults = new Faults();
  const server = new ApiServer({
    core, token, faults, serviceAccountTokens, logs, portForward,
    tls: { key: tls.key, cert: tls.cert }, port: options.port ?? 0, log: options.log,
  });
  await server.listen();
  // The `kubernetes` Service and its Endpoints, pointing at where this server listens.
  ensureKubernetesService(core, { host: '127.0.0.1', port: server.port });
  faults.attach({
    dropWatches: () => server.dropWatches(),
    compact: (revision) => {
      store.compact(revision ?? store.revision);
      return store.oldestWatchableRevision;
    },
    restart: async () => {
      await server.close();
      await server.listen();
    },
  });

  let tempDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath;
  if (!kubeconfigPath) {
    if (dataDir) kubeconfigPath = join(dataDir, 'kubeconfig');
    else kubeconfigPath = join((tempDir = mkdtempSync(join(tmpdir(), 'seldon-lab-sandbox-'))), 'kubeconfig');
  }
  writeKubeconfig(kubeconfigPath, { server: server.url, caPem: tls.caCert, token });

  const api = new LocalApi(core);
  let controllers: Controllers | undefined;
  let network: Network | undefined;
  let gateway: Gateway | undefined;

  /** Stops what runs, kubelet first (no process outlives the sandbox), then the rest, the API server last. */
  const stopAll = async (): Promise<void> => {
    const errorsSeen: unknown[] = [];
    const step = async (stop: (() => Promise<unknown> | unknown) | undefined) => {
      try {
        await stop?.();
      } catch (error) {
        errorsSeen.push(error);
      }
    };
    await step(late.kubelet && (() => late.kubelet!.stop()));
    await step(gateway && (() => gateway!.stop()));
    await step(network && (() => network!.stop()));
    await step(controllers && (() => controllers!.stop()));
    await step(async () => {
      await server.close();
      core.watches.dropAll();
    });
    await step(persistence && (() => persistence.close(store)));
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    if (errorsSeen.length > 0) throw errorsSeen[0];
  };

  try {
    options.onApiReady?.({ url: server.url, kubeconfigPath, context: CONTEXT });
    // The other parts: loaded only now that the API server answers (see the top of this file).
    if (plan.controllers) {
      const { startControllers } = await import('./controllers/index.js');
      controllers = startControllers(api, plan.controllers);
    }
    const informers = controllers?.informers;
    if (plan.network) {
      const { startNetwork } = await import('./network/index.js');
      network = await startNetwork(api, { informers });
    }
    if (plan.kubelet === 'process') {
      const { startKubelet } = await import('./kubelet/index.js');
      late.kubelet = await startKubelet(api, {
        informers,
        timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
        apiServer: apiServerForPods(network, server.port, notice),
        serviceAccountToken: (pod) => {
          const account = ((pod.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName ?? 'default';
          return serviceAccountTokens.issueFor(core, String(pod.metadata.namespace), account);
        },
      });
    }
    if (plan.gateway) gateway = await startGatewayOn(api, options.ingressPort, network, informers, notice);
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    kubeconfigPath,
    context: CONTEXT,
    token,
    caPem: tls.caCert,
    ingressUrl: gateway?.url,
    api,
    faults,
    core,
    kubelet: late.kubelet,
    network,
    gateway,
    serviceAccountToken: (namespace, name) => serviceAccountTokens.issueFor(core, namespace, name),
    stop: () => (stopping ??= stopAll()),
  };
}

/**
 * Where pods reach the API server. As on a cluster, the `kubernetes` Service (10.96.0.1:443,
 * served at 127.96.0.1:10443); undefined says just that. But that loopback address is one per
 * machine: when another sandbox on this machine serves it already, or no Service network runs,
 * pods get the API server's own address instead (what the `kubernetes` Endpoints say).
 */
function apiServerForPods(network: Network | undefined, apiPort: number, notice: (line: string) => void): { host: string; port: number } | undefined {
  const direct = { host: '127.0.0.1', port: apiPort };
  if (!network) return direct;
  const view = network.table.get('default', 'kubernetes');
  const port = serviceLoopbackPort(KUBERNETES_PORT);
  const served = view?.loopbackAddress !== undefined && network.proxy.listening().some((l) => l.address === view.loopbackAddress && l.port === port);
  if (served) return undefined;
  notice(`the kubernetes Service's address ${view?.loopbackAddress ?? '?'}:${port} is taken (another sandbox on this machine?): pods reach the API server at 127.0.0.1:${apiPort} instead`);
  return direct;
}

/**
 * The gateway on `port`: 8003 by default, and a free port (with a notice) when 8003 is taken and
 * no port was asked for; a port asked for that is taken is an error.
 */
async function startGatewayOn(
  api: LocalApi, port: number | undefined, network: Network | undefined,
  informers: Controllers['informers'] | undefined, notice: (line: string) => void,
): Promise<Gateway> {
  const { startGateway } = await import('./gateway/index.js');
  const services = network?.table;
  try {
    return await startGateway(api, { port: port ?? DEFAULT_INGRESS_PORT, services, informers });
  } catch (error) {
    if (port !== undefined || !/another program uses that port/.test((error as Error).message)) throw error;
    const gateway = await startGateway(api, { port: 0, services, informers, installCrds: false });
    notice(`port ${DEFAULT_INGRESS_PORT} is taken by another program; the gateway listens on ${gateway.url} instead`);
    return gateway;
  }
}
