// SPDX-License-Identifier: Apache-2.0
// `seldon-lab operator`: the operator as a long-running process, the entry point of its container.
//
//   seldon-lab operator [--kubeconfig FILE] [--namespace NS] [--config FILE] [--leader-elect]
//
// In a pod it finds the API server through its ServiceAccount (in-cluster config); elsewhere
// through KUBECONFIG or ~/.kube/config, as kubectl does. It stops cleanly on SIGTERM (what
// Kubernetes sends before killing a pod) and SIGINT (Ctrl-C): it finishes the reconcile in hand
// and, as leader, gives up its Lease so another replica takes over at once.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { loadOperatorConfig, OperatorConfigError } from './config.js';
import { startOperator } from './controller.js';
import { startHealthServer, type HealthServer } from './health.js';
import { loadInClusterConfig } from '../kube/in-cluster.js';

export const OPERATOR_USAGE = `usage: seldon-lab operator [options]

Runs the SeldonDeployment operator until SIGTERM or Ctrl-C.

options:
  --kubeconfig FILE   the cluster to manage (default: in-cluster, else KUBECONFIG, else ~/.kube/config)
  --context NAME      a context of the kubeconfig (default: its current context)
  --namespace NS      manage SeldonDeployments of one namespace (default: all namespaces)
  --config FILE       the operator configuration (default: cluster/operator-config.yaml;
                      env SELDON_LAB_OPERATOR_CONFIG)
  --workers N         reconciles at once (default 4)
  --health-port N     serve GET /healthz and /readyz on this port (default: none)
  --leader-elect      with several replicas: only the holder of a Lease works
  --lease-namespace NS  where the Lease lives (default: POD_NAMESPACE, else seldon-system)
  -h, --help          this text
`;

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

const stdio: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Loads the kubeconfig as kubectl would, with the in-cluster ServiceAccount first when in a pod. */
export function loadKubeConfig(file?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) {
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new Error(`Cannot read the kubeconfig ${file}: ${(e as Error).message}. Check the path (the sandbox prints where it wrote its kubeconfig).`, { cause: e });
    }
  } else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) {
    // In a pod: the ServiceAccount's token and CA, read through the sandbox's mount table when there is one.
    loadInClusterConfig(kc);
  }
  else kc.loadFromDefault();
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) throw new Error(`The kubeconfig has no context "${context}"; it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}.`);
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error('No cluster to talk to: no kubeconfig was found. Start one (npm run cluster:up, or the sandbox with `seldon-lab start`), or pass --kubeconfig FILE.');
  }
  return kc;
}

/**
 * Runs until SIGTERM or SIGINT, or until `until` settles (tests stop it that way, since signals
 * would reach the test runner too).
 */
export async function main(argv: string[], io: CliIO = stdio, until?: Promise<unknown>): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string' },
        config: { type: 'string' },
        workers: { type: 'string' },
        'health-port': { type: 'string' },
        'leader-elect': { type: 'boolean' },
        'lease-namespace': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.err(`seldon-lab operator: ${(e as Error).message}\n\n${OPERATOR_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(OPERATOR_USAGE);
    return 0;
  }
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
    io.err(`seldon-lab operator: --workers must be a whole number from 1 to 64, not ${JSON.stringify(values.workers)}`);
    return 2;
  }

  const healthPort = values['health-port'] === undefined ? undefined : Number(values['health-port']);
  if (healthPort !== undefined && (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)) {
    io.err(`seldon-lab operator: --health-port must be a port number, not ${JSON.stringify(values['health-port'])}`);
    return 2;
  }

  let operator: ReturnType<typeof startOperator> | undefined;
  let health: HealthServer | undefined;
  try {
    const config = loadOperatorConfig((values.config as string | undefined) ?? process.env.SELDON_LAB_OPERATOR_CONFIG);
    const kubeConfig = loadKubeConfig(values.kubeconfig as string | undefined, values.context as string | undefined);
    io.out(`[operator] API server ${kubeConfig.getCurrentCluster()?.server}`);
    operator = startOperator({
      kubeConfig,
      config,
      namespace: values.namespace as string | undefined,
      workers,
      log: (line) => io.out(`[operator] ${line}`),
      leaderElection: values['leader-elect']
        ? { namespace: (values['lease-namespace'] as string | undefined) ?? process.env.POD_NAMESPACE ?? 'seldon-system', identity: process.env.POD_NAME || hostname() }
        : false,
    });
    if (healthPort !== undefined) {
      const running = operator;
      health = await startHealthServer(healthPort, () => running.ready());
      io.out(`[operator] health checks on :${health.port} (/healthz, /readyz)`);
    }
  } catch (e) {
    io.err(`seldon-lab operator: ${e instanceof OperatorConfigError ? e.message : (e as Error).message}`);
    await operator?.stop();
    return 1;
  }

  // The watches' sockets keep the process alive, but not while they wait to reconnect.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let onSignal: ((name: NodeJS.Signals) => void) | undefined;
  const signal = await new Promise<string>((resolve) => {
    onSignal = (name) => resolve(name);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    until?.then(() => resolve('stop requested'), () => resolve('stop requested'));
  });
  process.off('SIGTERM', onSignal!);
  process.off('SIGINT', onSignal!);
  io.out(`[operator] ${signal}: stopping`);
  await operator!.stop();
  await health?.close();
  clearInterval(keepAlive);
  return 0;
}
