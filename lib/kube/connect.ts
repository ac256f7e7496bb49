// SPDX-License-Identifier: Apache-2.0
// `connect()`: the first call of every lesson. It finds a Kubernetes cluster to work with and
// says in one line which one it found:
//
//   Connected to the sandbox cluster at https://127.0.0.1:40123 (ingress http://127.0.0.1:8003)
//
// 1. The current kube context (KUBECONFIG, or ~/.kube/config), when its API server answers
//    `GET /version` within a short timeout: minikube, or any cluster you point it at.
// 2. Otherwise the sandbox cluster that other processes of the kit already run (a notebook
//    kernel, `npm test`, `npm start`), or a new one (shared-sandbox.ts). When a configured
//    cluster did not answer, a line before says which and why.
//
// SELDON_LAB_CLUSTER=sandbox skips step 1; SELDON_LAB_CLUSTER=live refuses step 2 (an error says
// what to do instead). connect() also sets process.env.KUBECONFIG, so `kubectl` and `helm` in
// the lesson's shell cells talk to the same cluster; close() puts the old value back and lets
// the sandbox stop once no process uses it.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { acquireSharedSandbox, readState, startSandboxStack, stateDir as defaultStateDir } from './shared-sandbox.js';

/**
 * client-node, loaded on first use: it takes about a second to load, and lib/kube is also
 * imported by the sandbox API server, which must start in well under a second.
 */
const clientNode = () => import('@kubernetes/client-node');

/** The kubeconfig context name the sandbox writes (lib/sandbox/kubeconfig.ts). */
const SANDBOX_CONTEXT = 'seldon-lab-sandbox';

export type ClusterKind = 'sandbox' | 'minikube' | 'cluster';

export interface Connection {
  /** a client-node KubeConfig for the cluster: `kubeConfig.makeApiClient(CoreV1Api)` */
  kubeConfig: KubeConfig;
  /** the kubeconfig file (also in process.env.KUBECONFIG until close()) */
  kubeconfigPath: string;
  /** where the ingress gateway answers: `http://127.0.0.1:8003` */
  ingressUrl: string;
  kind: ClusterKind;
  /** the API server's URL */
  server: string;
  /** Lets go of the cluster: restores KUBECONFIG; the sandbox stops when no process uses it. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** 'auto' (default), 'sandbox' or 'live'; default from SELDON_LAB_CLUSTER */
  cluster?: 'auto' | 'sandbox' | 'live';
  /** 'shared' (default): one sandbox process for every kit process; 'in-process': a private one in this process */
  sandbox?: 'shared' | 'in-process';
  /** how long a cluster may take to answer /version (default 2000 ms) */
  probeTimeoutMs?: number;
  /** language of the printed lines: 'en' (default) or 'ko'; default from SELDON_LAB_LANG */
  lang?: 'en' | 'ko';
  /** where the lines go (default console.log); `() => {}` for silence */
  print?: (line: string) => void;
  /**
   * where progress goes ("starting the sandbox cluster..."): stderr by default, so a lesson's
   * printed output is the same whether the sandbox was already running or not
   */
  progress?: (line: string) => void;
  /** shared sandbox: its state folder (default: `.sandbox/shared`; SELDON_LAB_STATE_DIR) */
  stateDir?: string;
  /** a sandbox started now: the gateway's port (default 8003; SELDON_LAB_INGRESS_PORT) */
  ingressPort?: number;
}

/** What probing the current kube context found: a cluster that answers, or `why` not. */
interface Probe {
  kubeConfig?: KubeConfig;
  path?: string;
  server?: string;
  context?: string;
  /** set when no cluster answers */
  why?: string;
}

const MESSAGES = {
  en: {
    kind: { sandbox: 'the sandbox cluster', minikube: 'the minikube cluster', cluster: 'the cluster' },
    connected: (kind: string, server: string, ingress: string) => `Connected to ${kind} at ${server} (ingress ${ingress})`,
    fallback: (context: string, server: string, why: string) => `The current kube context "${context}" (${server}) did not answer: ${why}. Using the sandbox cluster instead.`,
    progress: (line: string) => line,
  },
  ko: {
    kind: { sandbox: '샌드박스 클러스터', minikube: 'minikube 클러스터', cluster: '클러스터' },
    connected: (kind: string, server: string, ingress: string) => `${kind}에 연결했습니다: ${server} (인그레스 ${ingress})`,
    fallback: (context: string, server: string, why: string) => `현재 kube 컨텍스트 "${context}" (${server})가 응답하지 않습니다: ${why}. 대신 샌드박스 클러스터를 사용합니다.`,
    progress: (line: string) => line.replace(/^starting the sandbox cluster.*$/, '샌드박스 클러스터를 시작합니다 (처음에는 키트를 컴파일하느라 몇 초 걸립니다)...'),
  },
};

/** The kubeconfig files client-node would read, that exist. */
function kubeconfigFiles(): string[] {
  const fromEnv = process.env.KUBECONFIG;
  const candidates = fromEnv ? fromEnv.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  return candidates.filter((file) => existsSync(file));
}

/**
 * GET /version with the kubeconfig's credentials: 200 within the timeout means "a cluster
 * answers" (resolves undefined); otherwise resolves with why not.
 */
async function versionProblem(kc: KubeConfig, timeoutMs: number): Promise<string | undefined> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return 'the context names no cluster';
  const url = new URL('/version', cluster.server);
  const options: RequestOptions = { method: 'GET', timeout: timeoutMs };
  try {
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    return `its credentials could not be loaded (${(error as Error).message})`;
  }
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, options, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `GET /version answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code && error.code !== 'ETIMEDOUT' ? `${error.code} (${error.message})` : error.message));
    req.end();
  });
}

async function probeCurrentContext(timeoutMs: number): Promise<Probe> {
  const files = kubeconfigFiles();
  if (files.length === 0) {
    return { why: process.env.KUBECONFIG ? `KUBECONFIG names no existing file (${process.env.KUBECONFIG})` : 'there is no ~/.kube/config' };
  }
  const kc = new (await clientNode()).KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    return { why: `the kubeconfig does not load: ${(error as Error).message}` };
  }
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '';
  if (!context || !server) return { why: 'the kubeconfig has no current context', context };
  const why = await versionProblem(kc, timeoutMs);
  if (why !== undefined) return { why, context, server };
  return { kubeConfig: kc, path: files[0], server, context };
}

function kindOf(kc: KubeConfig, context: string): ClusterKind {
  if (context === SANDBOX_CONTEXT) return 'sandbox';
  const cluster = kc.getContextObject(context)?.cluster ?? '';
  return context === 'minikube' || cluster === 'minikube' ? 'minikube' : 'cluster';
}

/**
 * The ingress URL of a live cluster: SELDON_LAB_INGRESS_URL; else an Emissary or Ambassador
 * Service with a LoadBalancer address (`minikube tunnel`); else 127.0.0.1:8003, where Seldon's
 * docs port-forward Ambassador to (`kubectl port-forward -n emissary svc/emissary-ingress 8003:80`).
 */
async function liveIngressUrl(kc: KubeConfig): Promise<string> {
  if (process.env.SELDON_LAB_INGRESS_URL) return process.env.SELDON_LAB_INGRESS_URL;
  const core = kc.makeApiClient((await clientNode()).CoreV1Api);
  for (const [namespace, name] of [['emissary', 'emissary-ingress'], ['ambassador', 'ambassador'], ['seldon-system', 'ambassador']]) {
    try {
      const svc = await core.readNamespacedService({ name, namespace });
      const lb = svc.status?.loadBalancer?.ingress?.[0];
      const port = svc.spec?.ports?.find((p) => p.port === 80 || p.name === 'http')?.port ?? 80;
      const host = lb?.ip ?? lb?.hostname;
      if (host) return `http://${host}${port === 80 ? '' : `:${port}`}`;
    } catch {
      // not installed there
    }
  }
  return 'http://127.0.0.1:8003';
}

function language(options: ConnectOptions): 'en' | 'ko' {
  const lang = options.lang ?? process.env.SELDON_LAB_LANG;
  return lang === 'ko' ? 'ko' : 'en';
}

function clusterMode(options: ConnectOptions): 'auto' | 'sandbox' | 'live' {
  const value = options.cluster ?? (process.env.SELDON_LAB_CLUSTER || 'auto');
  if (value !== 'auto' && value !== 'sandbox' && value !== 'live') {
    throw new Error(`SELDON_LAB_CLUSTER is "${value}": use "sandbox" (always the sandbox), "live" (only a real cluster) or leave it unset (either)`);
  }
  return value;
}

/** Finds a cluster (see the top of this file), prints which one, and returns how to reach it. */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  const mode = clusterMode(options);
  const text = MESSAGES[language(options)];
  const print = options.print ?? ((line: string) => console.log(line));
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const previousKubeconfig = process.env.KUBECONFIG;

  const finish = (conn: Omit<Connection, 'close'>, release: () => Promise<void> | void): Connection => {
    process.env.KUBECONFIG = conn.kubeconfigPath;
    print(text.connected(text.kind[conn.kind], conn.server, conn.ingressUrl));
    let closed = false;
    return {
      ...conn,
      async close() {
        if (closed) return;
        closed = true;
        if (process.env.KUBECONFIG === conn.kubeconfigPath) {
          if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
          else process.env.KUBECONFIG = previousKubeconfig;
        }
        await release();
      },
    };
  };

  if (mode !== 'sandbox') {
    const probe = await probeCurrentContext(timeoutMs);
    if (probe.why === undefined && probe.kubeConfig && probe.path && probe.server && probe.context) {
      const kind = kindOf(probe.kubeConfig, probe.context);
      // KUBECONFIG already points at the shared sandbox (set by an earlier connect(), or inherited
      // from the process that started this one): join it below, with a lease, so it stays up.
      const shared = kind === 'sandbox' ? readState(options.stateDir ?? defaultStateDir()) : undefined;
      if (!shared || shared.url !== probe.server) {
        const ingressUrl = kind === 'sandbox' ? process.env.SELDON_LAB_INGRESS_URL ?? 'http://127.0.0.1:8003' : await liveIngressUrl(probe.kubeConfig);
        return finish({ kubeConfig: probe.kubeConfig, kubeconfigPath: probe.path, ingressUrl, kind, server: probe.server }, () => {});
      }
    } else if (mode === 'live') {
      throw new Error(
        `SELDON_LAB_CLUSTER=live, but no cluster answers: ${probe.context ? `the current kube context "${probe.context}" (${probe.server}) did not answer: ` : ''}${probe.why}. ` +
          'Start one (`minikube start`) or unset SELDON_LAB_CLUSTER to use the sandbox cluster.',
      );
    } else if (probe.context && probe.server) {
      print(text.fallback(probe.context, probe.server, probe.why ?? ''));
    }
  }

  if ((options.sandbox ?? process.env.SELDON_LAB_SANDBOX) === 'in-process') {
    const stack = await startSandboxStack({ ingressPort: options.ingressPort });
    const kc = await loadKubeConfig(stack.kubeconfigPath);
    return finish({ kubeConfig: kc, kubeconfigPath: stack.kubeconfigPath, ingressUrl: stack.ingressUrl, kind: 'sandbox', server: stack.url }, () => stack.stop());
  }

  const shared = await acquireSharedSandbox({
    dir: options.stateDir,
    ingressPort: options.ingressPort ?? envPort(),
    progress: (line) => (options.progress ?? ((l: string) => process.stderr.write(`${l}\n`)))(text.progress(line)),
    answers: async (state) => (await versionProblem(await loadKubeConfig(state.kubeconfigPath), timeoutMs)) === undefined,
  });
  return finish(
    { kubeConfig: await loadKubeConfig(shared.state.kubeconfigPath), kubeconfigPath: shared.state.kubeconfigPath, ingressUrl: shared.state.ingressUrl, kind: 'sandbox', server: shared.state.url },
    () => shared.release(),
  );
}

async function loadKubeConfig(path: string): Promise<KubeConfig> {
  const kc = new (await clientNode()).KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

function envPort(): number | undefined {
  const value = process.env.SELDON_LAB_INGRESS_PORT;
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

