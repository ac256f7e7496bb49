// SPDX-License-Identifier: Apache-2.0
// `npm run cluster:up`: the seed tutorial's chapter 2 (minikube, helm, Ambassador, Seldon Core) for
// today's Kubernetes, in one command. Each step says what it does, shows the tools' output, and
// on failure says what to do next. Running it again is safe: a running minikube is reused and the
// Helm releases are upgraded in place.
//
//   1. minikube, 2 CPUs and 4 GB (pins.ts says why that is enough)
//   2. the kit's images, built inside minikube (no registry, no push)
//   3. Emissary-ingress: its CRDs chart, its chart, a Listener and a Host on port 8080
//   4. the operator chart: CRD, RBAC, configuration, Deployment
//   5. waits until all of it is ready, then prints the ingress URL and how to reach it
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseUpArgs, UP_USAGE, UsageError, type UpOptions } from './args.js';
import {
  emissaryCrdsInstall, emissaryInstall, ingressAccessLines, kubectl, kubectlApplyFile, kubectlApplyStdin, minikubeImageBuild,
  minikubeStart, minikubeStatus, namespaceManifest, operatorInstall, predictionsUrl,
} from './commands.js';
import { processRunner } from './exec.js';
import { imageBuilds, splitImage, stageContext } from './images.js';
import { EMISSARY, FILES, MINIKUBE, MODEL_NAMESPACE, OPERATOR } from './pins.js';
import { pollUntil } from './poll.js';
import { consoleReporter, describeFailure, step, StepError, type Reporter } from './progress.js';
import { crdVerdict, kubernetesMinor, loadBalancerAddress, nodeVerdict, type CrdLike, type NodeLike, type ServiceLike } from './readiness.js';
import { createSession, waitForRollout, type Session } from './session.js';
import { checkTools, missingToolsReport } from './tools.js';

/** minikube's `status --output=json`: every part must say Running. */
export function minikubeRunning(statusJson: string): boolean {
  try {
    const status = JSON.parse(statusJson) as Record<string, string>;
    return status.Host === 'Running' && status.Kubelet === 'Running' && status.APIServer === 'Running';
  } catch {
    return false;
  }
}

async function startMinikube(s: Session, o: UpOptions): Promise<void> {
  const status = await s.run(minikubeStatus(o.profile), { show: false, okExitCodes: [1, 2, 3, 4, 5, 6, 7, 85, 88] });
  if (minikubeRunning(status.stdout)) {
    s.reporter.detail(`minikube profile ${o.profile} is already running; using it as it is (--cpus and --memory apply to a new machine only)`);
    return;
  }
  await s.run(minikubeStart(o), { timeoutMs: 15 * 60_000 });
}

async function checkKubernetes(s: Session, o: UpOptions): Promise<void> {
  await pollUntil({
    what: 'the minikube node to be Ready',
    timeoutMs: o.timeoutMs,
    intervalMs: s.pollIntervalMs,
    check: async () => nodeVerdict((await s.getJson<{ items: NodeLike[] }>('nodes'))?.items?.[0]),
    onProgress: (summary) => s.reporter.detail(summary),
  });
  const version = JSON.parse((await s.run(kubectl(s.context, 'version', '--output=json'), { show: false })).stdout) as { serverVersion?: { gitVersion?: string } };
  const gitVersion = version.serverVersion?.gitVersion;
  const minor = kubernetesMinor(gitVersion);
  s.reporter.detail(`Kubernetes ${gitVersion}`);
  if (minor === undefined || minor < MINIKUBE.minKubernetesMinor) {
    throw new StepError(
      `This cluster runs Kubernetes ${gitVersion}; the operator's CRD needs 1.${MINIKUBE.minKubernetesMinor} or newer.`,
      `Start a newer one: npm run cluster:up -- --profile ${o.profile}-new (minikube picks a current version), or delete this one with npm run cluster:down -- --profile ${o.profile} --delete.`,
    );
  }
}

async function buildImages(s: Session, o: UpOptions): Promise<void> {
  for (const build of imageBuilds()) {
    await step(s.reporter, `Build ${build.image} inside minikube`, `Read the build output above. Build it by hand to see more: docker build -f ${build.dockerfile} -t ${build.image} .`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-build-'));
      try {
        const copied = stageContext(build, dir);
        s.reporter.detail(`context: ${copied.join(', ')}`);
        await s.run(minikubeImageBuild(o.profile, build.image, dir), { timeoutMs: 20 * 60_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

async function waitForCrds(s: Session, names: readonly string[], timeoutMs: number): Promise<void> {
  for (const name of names) {
    await pollUntil({
      what: `CRD ${name} to be established`,
      timeoutMs,
      intervalMs: s.pollIntervalMs,
      check: async () => crdVerdict(await s.getJson<CrdLike>(`customresourcedefinition/${name}`)),
      onProgress: (summary) => s.reporter.detail(`${name}: ${summary}`),
    });
  }
}

async function installEmissary(s: Session, o: UpOptions): Promise<void> {
  const next = `Check the chart registry is reachable: helm show chart ${EMISSARY.chart} --version ${EMISSARY.version}. Or run without an ingress: npm run cluster:up -- --ingress none`;
  await step(s.reporter, `Install Emissary-ingress ${EMISSARY.version} CRDs`, next, async () => {
    await s.run(emissaryCrdsInstall(s.context, o.ingress), { timeoutMs: 10 * 60_000 });
    await waitForCrds(s, EMISSARY.crds, o.timeoutMs);
    if (o.ingress === 'ambassador-v2') {
      // v2 Mappings are converted by Emissary's webhook; it must run before Emissary starts.
      await waitForRollout(s, EMISSARY.legacyNamespace, 'emissary-apiext', 'app.kubernetes.io/name=emissary-apiext', o.timeoutMs);
    }
  });
  await step(s.reporter, `Install Emissary-ingress ${EMISSARY.version}`, next, async () => {
    await s.run(emissaryInstall(s.context, o.ingress, FILES.emissaryValues()), { timeoutMs: 10 * 60_000 });
    await waitForRollout(s, EMISSARY.namespace, EMISSARY.release, `app.kubernetes.io/instance=${EMISSARY.release}`, o.timeoutMs);
  });
  await step(s.reporter, 'Listen on port 8080 for every host name (Listener and Host)', 'kubectl describe listener,host -n emissary says what Emissary thinks of them.', async () => {
    await s.run(kubectlApplyFile(s.context, FILES.listenerAndHost()));
  });
}

async function installOperator(s: Session, o: UpOptions): Promise<void> {
  const [modelServer, operator] = ['modelServer', 'operator'].map((key) => splitImage(imageBuilds().find((b) => b.key === key)!.image));
  await step(s.reporter, 'Install the SeldonDeployment CRD', 'kubectl describe crd seldondeployments.machinelearning.seldon.io says why it is not established.', async () => {
    // Helm creates a chart's crds/ on install but never updates them; apply keeps a re-run current.
    await s.run(kubectlApplyFile(s.context, FILES.operatorCrd()));
    await waitForCrds(s, [OPERATOR.crd], o.timeoutMs);
  });
  await step(s.reporter, `Install the operator chart into ${OPERATOR.namespace}`, `kubectl --context=${s.context} -n ${OPERATOR.namespace} describe pod -l app.kubernetes.io/instance=${OPERATOR.release} says why the pod is not ready; kubectl ... logs deployment/${OPERATOR.deployment} shows the operator's own log.`, async () => {
    await s.run(kubectlApplyStdin(s.context), { input: namespaceManifest(MODEL_NAMESPACE), show: false });
    await s.run(operatorInstall(s.context, FILES.operatorChart(), { operator, modelServer }, o.ingress), { timeoutMs: 5 * 60_000 });
    await waitForRollout(s, OPERATOR.namespace, OPERATOR.deployment, `app.kubernetes.io/instance=${OPERATOR.release}`, o.timeoutMs);
  });
}

async function summary(s: Session, o: UpOptions): Promise<void> {
  const r = s.reporter;
  r.line('');
  r.line(`The cluster is ready (kubectl context ${s.context}). Deploy the seed tutorial's model:`);
  r.line(`  kubectl --context=${s.context} apply -f cluster/samples/sample.yaml`);
  r.line(`  kubectl --context=${s.context} -n ${MODEL_NAMESPACE} get sdep iris-model -w     # until STATE is Available`);
  r.line('');
  if (o.ingress === 'none') {
    r.line('No ingress (--ingress none): reach the predictor Service directly:');
    r.line(`  kubectl --context=${s.context} -n ${MODEL_NAMESPACE} port-forward svc/iris-model-default 8000:8000`);
    r.line('  curl -s -X POST http://localhost:8000/api/v1.0/predictions -H "Content-Type: application/json" -d \'{"data":{"ndarray":[[1,2,3,4]]}}\'');
    return;
  }
  const service = await s.getJson<ServiceLike>(`service/${EMISSARY.service}`, EMISSARY.namespace);
  const address = loadBalancerAddress(service);
  for (const line of ingressAccessLines(o.profile, address)) r.line(line);
  r.line('');
  r.line('Then ask the model (with the port-forward):');
  r.line(`  curl -s -X POST ${predictionsUrl('http://localhost:8003', MODEL_NAMESPACE, 'iris-model')} \\`);
  r.line('    -H "Content-Type: application/json" -d \'{"data":{"ndarray":[[1,2,3,4]]}}\'');
}

export async function clusterUp(o: UpOptions, s: Session): Promise<void> {
  await step(s.reporter, `Start minikube (profile ${o.profile}, ${o.cpus} CPUs, ${o.memory})`, 'Read minikube\'s message above; `minikube start --alsologtostderr` says more. A driver problem: pick one with --driver=docker (or podman, kvm2).', () => startMinikube(s, o));
  await step(s.reporter, 'Wait for Kubernetes', `minikube status --profile=${o.profile}; minikube logs --profile=${o.profile}`, () => checkKubernetes(s, o));
  if (o.skipBuild) s.reporter.line('  (--skip-build: using the images already in minikube)');
  else await buildImages(s, o);
  if (o.ingress !== 'none') await installEmissary(s, o);
  await installOperator(s, o);
  await summary(s, o);
}

export async function main(argv: string[], reporter: Reporter = consoleReporter): Promise<number> {
  let options: UpOptions;
  try {
    options = parseUpArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      reporter.line(`cluster:up: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    reporter.line(UP_USAGE);
    return 0;
  }
  const tools = checkTools();
  if (tools.missing.length > 0) {
    for (const line of missingToolsReport(tools.missing)) reporter.line(line);
    return 1;
  }
  for (const tool of tools.found) reporter.line(`  ${tool.name}: ${tool.path}${tool.source === 'kit' ? ' (the kit\'s copy)' : ''}`);
  const session = createSession(options.profile, tools.found, processRunner(reporter), reporter);
  try {
    await clusterUp(options, session);
    return 0;
  } catch (error) {
    reporter.line('');
    reporter.line('cluster:up stopped:');
    for (const line of describeFailure(error)) reporter.line(line);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
