// SPDX-License-Identifier: Apache-2.0
// `npm run cluster:status`: what runs on the kit's minikube, one line each, and how to reach the
// ingress. Exits with 0 when everything cluster:up installs is ready, 1 otherwise, so scripts and
// tests can ask "is the live cluster usable?".
import { pathToFileURL } from 'node:url';
import { parseStatusArgs, STATUS_USAGE, UsageError, type StatusOptions } from './args.js';
import { helmList, ingressAccessLines, minikubeImageList, minikubeStatus } from './commands.js';
import { processRunner } from './exec.js';
import { imageBuilds } from './images.js';
import { EMISSARY, MODEL_NAMESPACE, OPERATOR } from './pins.js';
import { consoleReporter, type Reporter } from './progress.js';
import { crdVerdict, deploymentVerdict, loadBalancerAddress, type CrdLike, type DeploymentLike, type ServiceLike, type Verdict } from './readiness.js';
import { createSession, type Session } from './session.js';
import { checkTools, missingToolsReport } from './tools.js';
import { minikubeRunning } from './up.js';

export interface StatusLine {
  what: string;
  verdict: Verdict;
}

interface SeldonDeploymentLike {
  metadata?: { name?: string; namespace?: string };
  status?: { state?: string; description?: string };
}

/** Whether minikube holds an image: `minikube image ls` prints docker.io/<name> for short names. */
export function imagePresent(listing: string, image: string): boolean {
  const names = listing.split('\n').map((l) => l.trim());
  return names.includes(image) || names.includes(`docker.io/${image}`) || names.includes(`docker.io/library/${image}`);
}

export async function clusterStatus(o: StatusOptions, s: Session): Promise<{ lines: StatusLine[]; address?: string }> {
  const lines: StatusLine[] = [];
  const add = (what: string, verdict: Verdict) => lines.push({ what, verdict });
  const status = await s.run(minikubeStatus(o.profile), { show: false, okExitCodes: [1, 2, 3, 4, 5, 6, 7, 85, 88] });
  const running = minikubeRunning(status.stdout);
  add(`minikube profile ${o.profile}`, { ready: running, summary: running ? 'running' : 'not running (npm run cluster:up starts it)' });
  if (!running) return { lines };

  const images = (await s.run(minikubeImageList(o.profile), { show: false })).stdout;
  for (const build of imageBuilds()) {
    const present = imagePresent(images, build.image);
    add(`image ${build.image}`, { ready: present, summary: present ? 'built' : 'missing (npm run cluster:up builds it)' });
  }
  const releases = JSON.parse((await s.run(helmList(s.context), { show: false })).stdout || '[]') as { name: string; namespace: string; status: string; chart: string }[];
  for (const name of [EMISSARY.crdsRelease, EMISSARY.release, OPERATOR.release]) {
    const release = releases.find((r) => r.name === name);
    add(`helm release ${name}`, { ready: release?.status === 'deployed', summary: release ? `${release.chart}, ${release.status} in ${release.namespace}` : 'not installed' });
  }
  for (const crd of [...EMISSARY.crds, OPERATOR.crd]) add(`CRD ${crd}`, crdVerdict(await s.getJson<CrdLike>(`customresourcedefinition/${crd}`)));
  add(`Emissary-ingress (${EMISSARY.namespace})`, deploymentVerdict(await s.getJson<DeploymentLike>(`deployment/${EMISSARY.release}`, EMISSARY.namespace)));
  add(`operator (${OPERATOR.namespace})`, deploymentVerdict(await s.getJson<DeploymentLike>(`deployment/${OPERATOR.deployment}`, OPERATOR.namespace)));
  const sdeps = (await s.getJson<{ items: SeldonDeploymentLike[] }>('seldondeployments.machinelearning.seldon.io', '*'))?.items ?? [];
  // Models are not part of "the cluster is up": listed for information, always counted as fine.
  for (const sdep of sdeps) {
    const state = sdep.status?.state ?? 'no status yet';
    add(`SeldonDeployment ${sdep.metadata?.namespace}/${sdep.metadata?.name}`, { ready: true, summary: `${state}${sdep.status?.description ? `: ${sdep.status.description}` : ''}` });
  }
  if (sdeps.length === 0) add('SeldonDeployments', { ready: true, summary: `none (kubectl apply -f cluster/samples/sample.yaml makes one in ${MODEL_NAMESPACE})` });
  const address = loadBalancerAddress(await s.getJson<ServiceLike>(`service/${EMISSARY.service}`, EMISSARY.namespace));
  return { lines, address };
}

export async function main(argv: string[], reporter: Reporter = consoleReporter): Promise<number> {
  let options: StatusOptions;
  try {
    options = parseStatusArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      reporter.line(`cluster:status: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    reporter.line(STATUS_USAGE);
    return 0;
  }
  const tools = checkTools();
  if (tools.missing.length > 0) {
    for (const line of missingToolsReport(tools.missing)) reporter.line(line);
    return 1;
  }
  const session = createSession(options.profile, tools.found, processRunner(reporter), reporter);
  try {
    const { lines, address } = await clusterStatus(options, session);
    const width = Math.max(...lines.map((l) => l.what.length));
    for (const { what, verdict } of lines) reporter.line(`${verdict.ready ? '✓' : '✗'} ${what.padEnd(width)}  ${verdict.summary}`);
    const ok = lines.every((l) => l.verdict.ready);
    if (ok) {
      reporter.line('');
      for (const line of ingressAccessLines(options.profile, address)) reporter.line(line);
    } else {
      reporter.line('');
      reporter.line('Not everything is ready: npm run cluster:up installs and repairs what is missing.');
    }
    return ok ? 0 : 1;
  } catch (error) {
    reporter.line(`cluster:status could not ask the cluster: ${(error as Error).message}`);
    reporter.line(`Is it running? minikube status --profile=${options.profile}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
