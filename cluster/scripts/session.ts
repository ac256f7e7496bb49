// SPDX-License-Identifier: Apache-2.0
// What the cluster scripts share: the tools found, a way to run them, and the few reads of the
// cluster the readiness waits need (through kubectl, so they work with any kubeconfig the person
// has, exactly as the commands they would type).
import { commandLine, type Runner, type RunOptions, type RunResult } from './exec.js';
import { kubectlGetJson, type Command } from './commands.js';
import { pollUntil } from './poll.js';
import type { Reporter } from './progress.js';
import { rolloutVerdict, type DeploymentLike, type PodLike, type Verdict } from './readiness.js';
import type { Tool, ToolName } from './tools.js';

export interface Session {
  /** the kube context, which is also the minikube profile */
  context: string;
  reporter: Reporter;
  /** runs a command with the tool found for its program */
  run(command: Command, options?: RunOptions): Promise<RunResult>;
  /** `kubectl get -o json`; undefined when the object (or its kind) does not exist */
  getJson<T>(resource: string, namespace?: string, selector?: string): Promise<T | undefined>;
  /** how to print a command for a person */
  show(command: Command): string;
  /** pause between two looks while waiting (default 2 s) */
  pollIntervalMs: number;
}

export function createSession(context: string, tools: Tool[], runner: Runner, reporter: Reporter, pollIntervalMs = 2000): Session {
  const paths = new Map<ToolName, string>(tools.map((t) => [t.name, t.path]));
  const programOf = (command: Command) => {
    const path = paths.get(command.program);
    if (!path) throw new Error(`${command.program} is needed for this step but was not found`);
    return path;
  };
  const session: Session = {
    context,
    reporter,
    run: (command, options) => runner(programOf(command), command.args, options),
    async getJson<T>(resource: string, namespace?: string, selector?: string) {
      const command = kubectlGetJson(context, resource, namespace, selector);
      const result = await runner(programOf(command), command.args, { show: false, okExitCodes: [1] });
      if (result.exitCode !== 0) {
        // "Error from server (NotFound)" and, for a kind not served yet, "the server doesn't have a resource type".
        if (/NotFound|doesn't have a resource type/.test(result.stderr)) return undefined;
        throw new Error(`${commandLine('kubectl', command.args)}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
      }
      return JSON.parse(result.stdout) as T;
    },
    show: (command) => commandLine(command.program, command.args),
    pollIntervalMs,
  };
  return session;
}

/** Waits until a Deployment has rolled out, saying what its pods are doing meanwhile. */
export async function waitForRollout(session: Session, namespace: string, name: string, selector: string, timeoutMs: number): Promise<Verdict> {
  return pollUntil({
    what: `Deployment ${namespace}/${name} to be ready`,
    timeoutMs,
    intervalMs: session.pollIntervalMs,
    check: async () => {
      const deployment = await session.getJson<DeploymentLike>(`deployment/${name}`, namespace);
      const pods = deployment ? ((await session.getJson<{ items: PodLike[] }>('pods', namespace, selector))?.items ?? []) : [];
      return rolloutVerdict(deployment, pods);
    },
    onProgress: (summary) => session.reporter.detail(summary),
  });
}
