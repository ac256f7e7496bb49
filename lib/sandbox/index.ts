// SPDX-License-Identifier: Apache-2.0
// lib/sandbox: the embedded Kubernetes cluster. `startSandbox()` starts its API server on
// 127.0.0.1 (HTTPS, bearer token, a CA of its own), writes a kubeconfig for kubectl, helm and
// @kubernetes/client-node, starts the controllers, and hands back an in-process API handle and the
// fault-injection switches for tests.
//
//   const sandbox = await startSandbox();
//   const kc = new KubeConfig(); kc.loadFromFile(sandbox.kubeconfigPath);
//   ...
//   await sandbox.stop();
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandle } from './apiserver/api.js';
import { ApiCore, newContext } from './apiserver/core.js';
import { LocalApi } from './apiserver/local-api.js';
import { Persistence } from './apiserver/persistence.js';
import { ApiServer, type LogProvider } from './apiserver/server.js';
import { ensureKubernetesService } from './apiserver/services.js';
import { Store } from './apiserver/store.js';
import { startControllers, type ControllerOptions } from './controllers/index.js';
import { Faults } from './faults.js';
import { CONTEXT, writeKubeconfig } from './kubeconfig.js';
import { loadOrCreateTls } from './tls.js';

export { Faults } from './faults.js';
export type { FailureRule, LatencyRule, StallRule, RequestMatch } from './faults.js';
export type { ApiHandle, ResourceRef, WatchHandle, WritableSubresource } from './apiserver/api.js';
export { refs } from './apiserver/api.js';
export { ApiError, errors } from './apiserver/status.js';
export type { KubeObject, ResourceType, WatchEvent } from './apiserver/types.js';
export type { LogProvider, LogOptions } from './apiserver/server.js';
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
   * namespaces, CRDs, the scheduler and the stand-in kubelet (default true; options pass through)
   */
  controllers?: boolean | ControllerOptions;
  /**
   * test mode: the stand-in kubelet marks every scheduled pod Running and Ready at once, so
   * Deployments roll out without anything running (same as `controllers: { readyPods: true }`)
   */
  readyPods?: boolean;
  /**
   * who plays the node's kubelet: `'simulated'` (default) is the controllers' stand-in, which
   * registers the node and finishes pod deletions (and, with `readyPods`, marks pods ready);
   * `false` leaves the node to a real kubelet started separately (lib/sandbox/kubelet,
   * `startKubelet(sandbox.api, ...)`), which then also serves `logs`.
   *
   * Design note: once lib/sandbox/kubelet is finished this becomes
   * `kubelet?: 'process' | 'simulated' | false`, where `'process'` starts that kubelet here
   * (sharing the controllers' informers, wiring `logs` to it, stopping it in `stop()`), and
   * becomes the default for lessons while tests keep `'simulated'` + `readyPods`.
   */
  kubelet?: 'simulated' | false;
  /** watch history kept for resuming watches (default 10 000 changes) */
  historyLimit?: number;
  /** how often watches that allow bookmarks get one (default 60 s) */
  bookmarkIntervalMs?: number;
  /** serves `kubectl logs` (the kubelet provides it) */
  logs?: LogProvider;
  /** one line per HTTP request, for debugging */
  log?: (line: string) => void;
}

export interface Sandbox {
  /** `https://127.0.0.1:<port>` */
  url: string;
  kubeconfigPath: string;
  /** the kubeconfig context, `seldon-lab-sandbox` */
  context: string;
  /** the bearer token (also in the kubeconfig) */
  token: string;
  /** the CA certificate (PEM) that signed the serving certificate */
  caPem: string;
  /** the API for in-process callers: same rules as HTTPS, no network */
  api: ApiHandle;
  faults: Faults;
  /** the server's internals, for tests and benchmarks */
  core: ApiCore;
  stop(): Promise<void>;
}

/** The namespaces every cluster starts with. */
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function loadToken(dataDir: string | undefined): string {
  const path = dataDir ? join(dataDir, 'token') : undefined;
  if (path && existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  if (path) writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}

/** The controllers' options: `controllers: {...}`, with the top-level shortcuts on top. */
function controllerOptions(options: SandboxOptions): ControllerOptions {
  const given = typeof options.controllers === 'object' ? options.controllers : {};
  return {
    ...given,
    ...(options.readyPods !== undefined ? { readyPods: options.readyPods } : {}),
    ...(options.kubelet !== undefined ? { kubelet: options.kubelet !== false } : {}),
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { dataDir } = options;
  const persistence = dataDir ? new Persistence(dataDir) : undefined;
  const tls = await loadOrCreateTls(dataDir ? join(dataDir, 'tls') : undefined);
  const token = loadToken(dataDir);

  const loaded = persistence?.load();
  const store = new Store({ historyLimit: options.historyLimit, revision: loaded?.revision });
  for (const { resource, key, object } of loaded?.objects ?? []) store.restore(resource, key, object);
  if (persistence) store.onChange((change) => persistence.append(change, store));

  // The core takes the cluster IPs of the stored Services as it starts (clusterip.ts restore).
  const core = new ApiCore(store, { caPem: tls.caCert, historyLimit: options.historyLimit, bookmarkIntervalMs: options.bookmarkIntervalMs });
  core.registerStoredCrds();
  const namespaces = core.resolve('', 'v1', 'namespaces');
  for (const name of INITIAL_NAMESPACES) {
    if (!store.get('/namespaces', `/${name}`)) core.create(namespaces, undefined, { metadata: { name } }, newContext({ fieldManager: 'kube-apiserver' }));
  }

  const faults = new Faults();
  const server = new ApiServer({ core, token, faults, tls: { key: tls.key, cert: tls.cert }, port: options.port ?? 0, logs: options.logs, log: options.log });
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
  const controllers = options.controllers === false ? undefined : startControllers(api, controllerOptions(options));

  let stopped = false;
  return {
    url: server.url,
    kubeconfigPath,
    context: CONTEXT,
    token,
    caPem: tls.caCert,
    api,
    faults,
    core,
    async stop() {
      if (stopped) return;
      stopped = true;
      await controllers?.stop();
      await server.close();
      core.watches.dropAll();
      persistence?.close(store);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
