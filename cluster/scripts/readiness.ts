// SPDX-License-Identifier: Apache-2.0
// When is something "up"? Pure checks over the objects kubectl returns, each answering with a
// verdict and a short description for the progress line ("1/1 ready", "waiting: ImagePullBackOff").
//
// The rules are Kubernetes' own: a Deployment has finished rolling out when its controller has
// seen the newest spec (observedGeneration), every replica runs the new template and is
// available; `kubectl rollout status` uses the same test. A pod's waiting reason tells why it
// is not: some reasons never fix themselves (the image is missing), and waiting longer is useless.

export interface Verdict {
  ready: boolean;
  /** one short line for the progress output */
  summary: string;
  /** set when waiting will not help: what is wrong */
  blocked?: string;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentLike {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

/** `kubectl rollout status` for one Deployment. */
export function deploymentVerdict(deployment: DeploymentLike | undefined): Verdict {
  if (!deployment) return { ready: false, summary: 'not created yet' };
  const want = deployment.spec?.replicas ?? 1;
  const s = deployment.status ?? {};
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { ready: false, summary: `${s.readyReplicas ?? 0}/${want} ready`, blocked: `the rollout stopped making progress: ${progressing.message ?? 'ProgressDeadlineExceeded'}` };
  }
  const seen = (s.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1);
  const ready = seen && (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want && (s.replicas ?? 0) <= want;
  return { ready, summary: `${s.readyReplicas ?? 0}/${want} ready` };
}

export interface PodLike {
  metadata?: { name?: string };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

interface ContainerStatusLike {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

/** Waiting reasons that mean "this will not start by itself", with what to do. */
const HOPELESS: Record<string, string> = {
  ErrImageNeverPull: 'the image is not in the cluster and may not be pulled: build it into minikube (npm run cluster:up builds the kit\'s images)',
  ErrImagePull: 'the image cannot be pulled: check its name, or build it into minikube',
  ImagePullBackOff: 'the image cannot be pulled: check its name, or build it into minikube',
  InvalidImageName: 'the image name is not valid',
  CreateContainerConfigError: 'the container refers to a ConfigMap, Secret or key that does not exist',
  CrashLoopBackOff: 'the container keeps exiting: read its log with kubectl logs --previous',
};

/** Why a pod is not ready, in one line, and whether waiting can still help. */
export function podVerdict(pod: PodLike): Verdict {
  const name = pod.metadata?.name ?? 'pod';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const reason = c.state?.waiting?.reason;
    if (reason && HOPELESS[reason]) {
      const detail = c.state?.waiting?.message ? ` (${c.state.waiting.message})` : '';
      return { ready: false, summary: `${name}: ${reason}`, blocked: `${name}, container ${c.name}: ${reason}${detail}: ${HOPELESS[reason]}` };
    }
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  return { ready, summary: `${name}: ${ready ? 'ready' : waiting ?? pod.status?.phase ?? 'Pending'}` };
}

/** A Deployment and its pods together: the pods explain a Deployment that is not ready. */
export function rolloutVerdict(deployment: DeploymentLike | undefined, pods: PodLike[]): Verdict {
  const d = deploymentVerdict(deployment);
  if (d.ready || d.blocked) return d;
  for (const pod of pods) {
    const p = podVerdict(pod);
    if (p.blocked) return { ready: false, summary: `${d.summary}; ${p.summary}`, blocked: p.blocked };
  }
  const notReady = pods.map(podVerdict).find((p) => !p.ready);
  return { ready: false, summary: notReady ? `${d.summary}; ${notReady.summary}` : d.summary };
}

export interface CrdLike {
  metadata?: { name?: string };
  status?: { conditions?: Condition[] };
}

/** A CRD's kinds are served once the API server marks it Established (and its names accepted). */
export function crdVerdict(crd: CrdLike | undefined): Verdict {
  if (!crd) return { ready: false, summary: 'not installed' };
  const conditions = crd.status?.conditions ?? [];
  const names = conditions.find((c) => c.type === 'NamesAccepted');
  if (names?.status === 'False') return { ready: false, summary: 'names not accepted', blocked: `${crd.metadata?.name}: ${names.message ?? names.reason}` };
  const established = conditions.find((c) => c.type === 'Established')?.status === 'True';
  return { ready: established, summary: established ? 'established' : 'not established yet' };
}

export interface NodeLike {
  metadata?: { name?: string };
  status?: { conditions?: Condition[]; nodeInfo?: { kubeletVersion?: string } };
}

export function nodeVerdict(node: NodeLike | undefined): Verdict {
  if (!node) return { ready: false, summary: 'no node registered yet' };
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return { ready, summary: `${node.metadata?.name ?? 'node'} ${ready ? 'Ready' : 'NotReady'}` };
}

export interface ServiceLike {
  spec?: { type?: string; ports?: { name?: string; port?: number; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** The LoadBalancer address of a Service (on minikube: only while `minikube tunnel` runs). */
export function loadBalancerAddress(service: ServiceLike | undefined): string | undefined {
  const ingress = service?.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip || ingress?.hostname || undefined;
}

/** "v1.31.2" or "v1.31.0-rc.1" -> 31; undefined when it is not a Kubernetes version. */
export function kubernetesMinor(gitVersion: string | undefined): number | undefined {
  const m = /^v?1\.(\d+)(\.|$)/.exec(gitVersion ?? '');
  return m ? Number(m[1]) : undefined;
}
