// SPDX-License-Identifier: Apache-2.0
// `npm run cluster:down`: stop the kit's minikube (the default: the cluster and its images stay
// for the next cluster:up), or remove only the kit's Helm releases (--uninstall), or delete the
// minikube profile altogether (--delete). It never touches another profile or context.
import { pathToFileURL } from 'node:url';
import { DOWN_USAGE, parseDownArgs, UsageError, type DownOptions } from './args.js';
import { helmUninstall, minikubeDelete, minikubeStatus, minikubeStop, type Command } from './commands.js';
import { processRunner } from './exec.js';
import { EMISSARY, OPERATOR } from './pins.js';
import { consoleReporter, describeFailure, step, type Reporter } from './progress.js';
import { createSession, type Session } from './session.js';
import { checkTools, missingToolsReport, type ToolName } from './tools.js';
import { minikubeRunning } from './up.js';

/** What cluster:down runs for these options, in order. */
export function downCommands(o: DownOptions): Command[] {
  if (o.delete) return [minikubeDelete(o.profile)];
  if (o.uninstall) {
    // The operator first, so nothing recreates what goes after it. Helm never deletes a chart's
    // crds/, so SeldonDeployments and their pods stay until they are deleted by hand. The CRDs
    // chart is in one of two namespaces (pins.ts); --ignore-not-found skips the other.
    return [
      helmUninstall(o.profile, OPERATOR.release, OPERATOR.namespace),
      helmUninstall(o.profile, EMISSARY.release, EMISSARY.namespace),
      helmUninstall(o.profile, EMISSARY.crdsRelease, EMISSARY.namespace),
      helmUninstall(o.profile, EMISSARY.crdsRelease, EMISSARY.legacyNamespace),
    ];
  }
  return [minikubeStop(o.profile)];
}

export async function clusterDown(o: DownOptions, s: Session): Promise<void> {
  if (!o.delete) {
    const status = await s.run(minikubeStatus(o.profile), { show: false, okExitCodes: [1, 2, 3, 4, 5, 6, 7, 85, 88] });
    if (!minikubeRunning(status.stdout)) {
      s.reporter.line(`minikube profile ${o.profile} is not running: nothing to ${o.uninstall ? 'uninstall' : 'stop'}.`);
      return;
    }
  }
  for (const command of downCommands(o)) {
    await step(s.reporter, s.show(command), 'Read the message above. minikube delete --profile=<name> removes a profile that is stuck.', () => s.run(command));
  }
  if (o.uninstall) {
    s.reporter.line('The CRDs stay (Helm never deletes a chart\'s crds/), and so do SeldonDeployments and their pods:');
    s.reporter.line(`  kubectl --context=${o.profile} delete sdep --all --all-namespaces    # before, to remove the models too`);
  } else if (!o.delete) {
    s.reporter.line('Stopped. `npm run cluster:up` starts it again with everything in place; `npm run cluster:down -- --delete` removes it.');
  }
}

export async function main(argv: string[], reporter: Reporter = consoleReporter): Promise<number> {
  let options: DownOptions;
  try {
    options = parseDownArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      reporter.line(`cluster:down: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    reporter.line(DOWN_USAGE);
    return 0;
  }
  const needed: ToolName[] = options.uninstall ? ['minikube', 'helm'] : ['minikube'];
  const tools = checkTools(needed);
  if (tools.missing.length > 0) {
    for (const line of missingToolsReport(tools.missing)) reporter.line(line);
    return 1;
  }
  const session = createSession(options.profile, tools.found, processRunner(reporter), reporter);
  try {
    await clusterDown(options, session);
    return 0;
  } catch (error) {
    reporter.line('cluster:down stopped:');
    for (const line of describeFailure(error)) reporter.line(line);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
