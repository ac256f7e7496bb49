// SPDX-License-Identifier: Apache-2.0
// `seldon-lab sandbox [--port N] [--ingress-port N] [--kubeconfig FILE] [--data-dir DIR]`: the
// embedded cluster as a command. It starts the whole sandbox (API server, controllers, the kubelet
// that runs pods as local processes, the Service network and the Ambassador gateway), writes the
// kubeconfig, prints the line that points kubectl and helm at it and where the ingress answers, and
// runs until Ctrl-C (SIGINT) or SIGTERM, then stops cleanly: no pod's process is left, and with
// --data-dir the objects are on disk.
//
// The export line comes as soon as the API server answers, before the rest of the cluster has
// started (lib/sandbox/start.ts): kubectl works from then on, and the ingress line follows.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../paths.js';
import { DEFAULT_INGRESS_PORT } from './gateway/port.js';
import { startSandbox, type Sandbox } from './index.js';

export const DEFAULT_PORT = 6443;

const USAGE = `usage: seldon-lab sandbox [--port <n>] [--ingress-port <n>] [--kubeconfig <file>] [--data-dir <dir>]

Starts an embedded Kubernetes cluster: its API server on https://127.0.0.1:${DEFAULT_PORT}, its controllers,
a kubelet that runs pods of the kit's images as local processes, and the Ambassador gateway
(the ingress) on http://127.0.0.1:${DEFAULT_INGRESS_PORT}.
  --port <n>           the API server listens on port n (0: any free port)
  --ingress-port <n>   the gateway listens on port n (0: any free port; default ${DEFAULT_INGRESS_PORT}, or a free
                       port when ${DEFAULT_INGRESS_PORT} is taken)
  --kubeconfig <file>  where to write the kubeconfig (default: .sandbox/kubeconfig in the repository)
  --data-dir <dir>     keep the cluster's state here, so it survives a restart (default: memory only)`;

export interface SandboxArgs {
  port: number;
  /** undefined: 8003, or a free port when 8003 is taken */
  ingressPort?: number;
  kubeconfig: string;
  dataDir?: string;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function defaultKubeconfig(): string {
  try {
    return resolve(repoRoot(), '.sandbox', 'kubeconfig');
  } catch {
    return resolve('.sandbox', 'kubeconfig');
  }
}

export function parseSandboxArgs(argv: string[]): SandboxArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        'ingress-port': { type: 'string' },
        kubeconfig: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const portOption = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--${name} takes a port number from 0 to 65535, not '${value}'`);
    return Number(value);
  };
  const port = portOption('port', v.port) ?? DEFAULT_PORT;
  const ingressPort = portOption('ingress-port', v['ingress-port']);
  if (port !== 0 && port === ingressPort) throw new UsageError(`--port and --ingress-port are both ${port}: the API server and the gateway need a port each`);
  return {
    port,
    ...(ingressPort !== undefined ? { ingressPort } : {}),
    kubeconfig: v.kubeconfig ? resolve(v.kubeconfig) : defaultKubeconfig(),
    dataDir: v['data-dir'] ? resolve(v['data-dir']) : undefined,
    help: v.help ?? false,
  };
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (signal: string): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function main(argv: string[]): Promise<number> {
  let args: SandboxArgs;
  try {
    args = parseSandboxArgs(argv);
  } catch (error) {
    console.error(`seldon-lab sandbox: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let apiReady = false;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port: args.port, ingressPort: args.ingressPort, kubeconfigPath: args.kubeconfig, dataDir: args.dataDir,
      notice: (line) => console.log(`note: ${line}`),
      onApiReady: (api) => {
        apiReady = true;
        // From the start of this process (performance.now()'s origin): what the person waited.
        const ms = Math.round(performance.now());
        console.log(`sandbox cluster: ${api.url} (started in ${ms} ms${args.dataDir ? `, state in ${args.dataDir}` : ', state in memory'})`);
        console.log(`kubeconfig: ${api.kubeconfigPath} (context ${api.context})`);
        console.log('Point kubectl, helm and @kubernetes/client-node at it with:');
        console.log(`  export KUBECONFIG=${api.kubeconfigPath}`);
      },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' && !apiReady) {
      console.error(`seldon-lab sandbox: port ${args.port} is in use (another sandbox or cluster?). Stop it, or pick another port with --port.`);
    } else {
      console.error(`seldon-lab sandbox: could not start: ${e.message}`);
    }
    return 1;
  }
  console.log(`Ingress (the Ambassador gateway): ${sandbox.ingressUrl}`);
  console.log(`  e.g. curl ${sandbox.ingressUrl}/seldon/<namespace>/<name>/api/v1.0/predictions`);
  console.log('Stop with Ctrl-C.');
  const signal = await untilSignal();
  console.log(`${signal}: stopping the sandbox cluster...`);
  await sandbox.stop();
  console.log('sandbox cluster stopped.');
  return 0;
}
