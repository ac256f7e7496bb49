// SPDX-License-Identifier: Apache-2.0
// The exact minikube, kubectl and helm command lines of the live path, built by pure functions
// so they can be tested without a cluster and printed for a person to run by hand.
//
// Every kubectl and helm command names the kube context explicitly (the minikube profile), so the
// scripts never act on whatever cluster happens to be current. Installs are `helm upgrade
// --install`, so running cluster:up again updates instead of failing with "already exists".
import type { UpOptions } from './args.js';
import { EMISSARY, OPERATOR, type IngressFlavour } from './pins.js';

export interface Command {
  program: 'minikube' | 'kubectl' | 'helm';
  args: string[];
}

export function minikubeStart(o: Pick<UpOptions, 'profile' | 'cpus' | 'memory' | 'kubernetesVersion' | 'driver'>): Command {
  const args = ['start', `--profile=${o.profile}`, `--cpus=${o.cpus}`, `--memory=${o.memory}`];
  if (o.kubernetesVersion) args.push(`--kubernetes-version=${o.kubernetesVersion}`);
  if (o.driver) args.push(`--driver=${o.driver}`);
  return { program: 'minikube', args };
}

/** `minikube status` answers with exit code 0 when running, non-zero (7, 85, ...) otherwise. */
export function minikubeStatus(profile: string): Command {
  return { program: 'minikube', args: ['status', `--profile=${profile}`, '--output=json'] };
}

/** Builds `image` from a staged context folder holding a `Dockerfile` (see images.ts). */
export function minikubeImageBuild(profile: string, image: string, contextDir: string): Command {
  return { program: 'minikube', args: ['image', 'build', `--profile=${profile}`, '-t', image, contextDir] };
}

export function minikubeImageList(profile: string): Command {
  return { program: 'minikube', args: ['image', 'ls', `--profile=${profile}`, '--format=short'] };
}

export function minikubeStop(profile: string): Command {
  return { program: 'minikube', args: ['stop', `--profile=${profile}`] };
}

export function minikubeDelete(profile: string): Command {
  return { program: 'minikube', args: ['delete', `--profile=${profile}`] };
}

export function kubectl(context: string, ...args: string[]): Command {
  return { program: 'kubectl', args: [`--context=${context}`, ...args] };
}

/** `kubectl get ... -o json`, for the readiness checks; namespace `*` is every namespace. */
export function kubectlGetJson(context: string, resource: string, namespace?: string, selector?: string): Command {
  const args = ['get', resource, '-o', 'json'];
  if (namespace === '*') args.push('--all-namespaces');
  else if (namespace) args.push(`--namespace=${namespace}`);
  if (selector) args.push(`--selector=${selector}`);
  return kubectl(context, ...args);
}

/** Applies a file with server-side apply: no last-applied annotation, which the large CRD would overflow. */
export function kubectlApplyFile(context: string, file: string): Command {
  return kubectl(context, 'apply', '--server-side', '--force-conflicts', '--field-manager=seldon-lab-cluster-up', `--filename=${file}`);
}

/** Creates a namespace if it is missing (apply of a minimal manifest on stdin). */
export function namespaceManifest(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/part-of': 'seldon-lab' } } });
}

export function kubectlApplyStdin(context: string): Command {
  return kubectl(context, 'apply', '--server-side', '--field-manager=seldon-lab-cluster-up', '--filename=-');
}

/** Emissary's CRDs. The legacy v2 versions (and their conversion webhook) only when Mappings are v2. */
export function emissaryCrdsInstall(context: string, flavour: IngressFlavour): Command {
  const legacy = flavour === 'ambassador-v2';
  return {
    program: 'helm',
    args: [
      'upgrade', '--install', EMISSARY.crdsRelease, EMISSARY.crdsChart,
      `--version=${EMISSARY.version}`,
      `--kube-context=${context}`,
      // Emissary's Quickstart: the conversion webhook lives in emissary-system; without it, with
      // the rest of Emissary.
      `--namespace=${legacy ? EMISSARY.legacyNamespace : EMISSARY.namespace}`,
      '--create-namespace',
      `--set=enableLegacyVersions=${legacy}`,
    ],
  };
}

export function emissaryInstall(context: string, flavour: IngressFlavour, valuesFile: string): Command {
  const legacy = flavour === 'ambassador-v2';
  return {
    program: 'helm',
    args: [
      'upgrade', '--install', EMISSARY.release, EMISSARY.chart,
      `--version=${EMISSARY.version}`,
      `--kube-context=${context}`,
      `--namespace=${EMISSARY.namespace}`,
      '--create-namespace',
      `--values=${valuesFile}`,
      // Without legacy CRDs there is no conversion webhook to wait for.
      `--set=waitForApiext.enabled=${legacy}`,
    ],
  };
}

export interface ChartImages {
  operator: { repository: string; tag: string };
  modelServer: { repository: string; tag: string };
}

/** The operator chart, with the images pinned in cluster/images.json and the chosen ingress flavour. */
export function operatorInstall(context: string, chartDir: string, images: ChartImages, flavour: IngressFlavour): Command {
  return {
    program: 'helm',
    args: [
      'upgrade', '--install', OPERATOR.release, chartDir,
      `--kube-context=${context}`,
      `--namespace=${OPERATOR.namespace}`,
      '--create-namespace',
      `--set-string=images.operator.repository=${images.operator.repository}`,
      `--set-string=images.operator.tag=${images.operator.tag}`,
      `--set-string=images.modelServer.repository=${images.modelServer.repository}`,
      `--set-string=images.modelServer.tag=${images.modelServer.tag}`,
      `--set-string=config.ingress=${flavour}`,
    ],
  };
}

export function helmUninstall(context: string, release: string, namespace: string): Command {
  return { program: 'helm', args: ['uninstall', release, `--kube-context=${context}`, `--namespace=${namespace}`, '--ignore-not-found'] };
}

export function helmList(context: string): Command {
  return { program: 'helm', args: ['list', '--all-namespaces', `--kube-context=${context}`, '--output=json'] };
}

/** The URL of a model's predictions behind the ingress: Seldon's path, unchanged. */
export function predictionsUrl(base: string, namespace: string, name: string): string {
  return `${base.replace(/\/$/, '')}/seldon/${namespace}/${name}/api/v1.0/predictions`;
}

/** The two ways to reach a LoadBalancer Service on minikube, as lines to print. */
export function ingressAccessLines(profile: string, address: string | undefined): string[] {
  const forward = `kubectl --context=${profile} --namespace=${EMISSARY.namespace} port-forward svc/${EMISSARY.service} 8003:${EMISSARY.servicePort}`;
  const lines = [
    'Reach the ingress one of two ways:',
    `  a) in another terminal: ${forward}`,
    `     then use http://localhost:8003`,
    `  b) in another terminal: minikube tunnel --profile=${profile}   (may ask for your password)`,
    address ? `     the ingress is then at http://${address}` : `     then the EXTERNAL-IP of: kubectl --context=${profile} -n ${EMISSARY.namespace} get svc ${EMISSARY.service}`,
  ];
  return lines;
}
