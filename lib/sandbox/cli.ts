// SPDX-License-Identifier: Apache-2.0
// `seldon-lab sandbox [--port N] [--kubeconfig FILE] [--data-dir DIR]`: the embedded cluster as a
// command. It starts the API server and controllers, writes the kubeconfig, prints the line that
// points kubectl and helm at it, and runs until Ctrl-C (SIGINT) or SIGTERM, then stops cleanly
// (with --data-dir, everything is on disk by then).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../paths.js';
import { startSandbox, type Sandbox } from './index.js';

export const DEFAULT_PORT = 6443;

const USAGE = `usage: seldon-lab sandbox [--port <n>] [--kubeconfig <file>] [--data-dir <dir>]

Starts an embedded Kubernetes API server on https://127.0.0.1:${DEFAULT_PORT} and its controllers.
  --port <n>           listen on port n (0: any free port)
  --kubeconfig <file>  where to write the kubeconfig (default: .sandbox/kubeconfig in the repository)
  --data-dir <dir>     keep the cluster's state here, so it survives a restart (default: memory only)`;

export interface SandboxArgs {
  port: number;
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
  let port = DEFAULT_PORT;
  if (v.port !== undefined) {
    if (!/^\d+$/.test(v.port) || Number(v.port) > 65535) throw new UsageError(`--port takes a port number from 0 to 65535, not '${v.port}'`);
    port = Number(v.port);
  }
  return {
    port,
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
  const started = performance.now();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ port: args.port, kubeconfigPath: args.kubeconfig, dataDir: args.dataDir });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      console.error(`seldon-lab sandbox: port ${args.port} is in use (another sandbox or cluster?). Stop it, or pick another port with --port.`);
    } else {
      console.error(`seldon-lab sandbox: could not start: ${e.message}`);
    }
    return 1;
  }
  const ms = Math.round(performance.now() - started);
  console.log(`sandbox cluster: ${sandbox.url} (started in ${ms} ms${args.dataDir ? `, state in ${args.dataDir}` : ', state in memory'})`);
  console.log(`kubeconfig: ${sandbox.kubeconfigPath} (context ${sandbox.context})`);
  console.log('Point kubectl, helm and @kubernetes/client-node at it with:');
  console.log(`  export KUBECONFIG=${sandbox.kubeconfigPath}`);
  console.log('Stop with Ctrl-C.');
  const signal = await untilSignal();
  console.log(`${signal}: stopping the sandbox cluster...`);
  await sandbox.stop();
  console.log('sandbox cluster stopped.');
  return 0;
}
