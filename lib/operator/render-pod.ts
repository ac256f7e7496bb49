// SPDX-License-Identifier: Apache-2.0
// The Deployment of one componentSpec, as Seldon builds it: the user's pod template, plus the
// storage initializer that copies the model to /mnt/models, plus Seldon's contract with the model
// container (its environment variables, ports and probes), run as a non-root user.
//
// Choices that differ from Seldon 1.11, and why:
// - No orchestrator container. A single-node graph is served by its model container directly (as
//   Seldon's `seldon.io/no-engine` mode does); the predictor Service forwards its port 8000 to it,
//   so the external URL stays the same when a graph orchestrator comes.
// - REST only: no gRPC port 9500 and no PREDICTIVE_UNIT_GRPC_SERVICE_PORT, since nothing would
//   listen there.
// - Readiness is `GET /ready` rather than Seldon's TCP check on :9000: the kit's server opens its
//   port before the model is loaded, and only /ready says the model can answer. So there is no
//   guessed initialDelaySeconds either. Liveness stays Seldon's TCP check (60 s grace).
// - No preStop `sleep 10`: the server drains its requests on SIGTERM itself.
// - The containers of prepackaged servers get a restricted securityContext (read-only root, no
//   privilege escalation, no capabilities) and an emptyDir at /tmp, the one place they write.
// - The initializer keeps its last log lines as termination message (FallbackToLogsOnError), so a
//   bad modelUri shows up in the pod status, and from there in the SeldonDeployment's.
import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec, V1SecurityContext, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { isPrepackaged, serverEntry } from './defaults.js';
import { initContainerName, LABELS, MANAGED_BY, modelVolumeName } from './names.js';
import type { PredictiveUnit, PredictorSpec, SeldonDeployment, SeldonPodSpec } from './types.js';

export const MODEL_DIR = '/mnt/models';
const PVC_DIR = '/mnt/pvc';
const PVC_VOLUME = 'kfserving-pvc-source';
const PODINFO_VOLUME = 'seldon-podinfo';
const TMP_VOLUME = 'seldon-tmp';

/** What the Deployment of one componentSpec is for. */
export interface PodPlan {
  sdep: SeldonDeployment;
  predictor: PredictorSpec;
  podSpec: SeldonPodSpec;
  name: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  /** the graph node whose container this pod runs, if any */
  unit?: PredictiveUnit;
  ports: { http: number; metrics: number };
}

/** Replicas by Seldon's precedence: componentSpec, then predictor, then spec; none under an HPA. */
export function replicasFor(sdep: SeldonDeployment, predictor: PredictorSpec, podSpec: SeldonPodSpec): number | undefined {
  if (podSpec.hpaSpec || podSpec.kedaSpec) return undefined;
  return podSpec.replicas ?? predictor.replicas ?? sdep.spec.replicas ?? 1;
}

export function renderDeployment(plan: PodPlan, config: OperatorConfig): V1Deployment {
  const { sdep, predictor, podSpec } = plan;
  const podAnnotations = {
    'prometheus.io/path': '/prometheus',
    'prometheus.io/scrape': 'true',
    ...sdep.spec.annotations,
    ...predictor.annotations,
    ...podSpec.metadata?.annotations,
  };
  const replicas = replicasFor(sdep, predictor, podSpec);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: plan.name, namespace: sdep.metadata.namespace, labels: { ...plan.labels } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { ...plan.selector } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { ...plan.labels }, annotations: podAnnotations },
        spec: renderPodSpec(plan, config),
      },
    },
  };
}

function renderPodSpec(plan: PodPlan, config: OperatorConfig): V1PodSpec {
  const user = structuredClone(plan.podSpec.spec ?? { containers: [] });
  const unit = plan.unit;
  const volumes: V1Volume[] = [
    ...(user.volumes ?? []),
    { name: PODINFO_VOLUME, downwardAPI: { items: [{ path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] } },
  ];
  const initContainers = [...(user.initContainers ?? [])];
  const containers = user.containers.map((c) => (unit && c.name === unit.name ? modelContainer(c, unit, plan, config) : c));
  for (const c of containers) c.volumeMounts = withMount(c.volumeMounts, { name: PODINFO_VOLUME, mountPath: '/etc/podinfo' });

  if (unit && isPrepackaged(unit)) volumes.push({ name: TMP_VOLUME, emptyDir: {} });
  if (unit?.modelUri) {
    const { initializer, extraVolumes } = storageInitializer(unit, config);
    volumes.push(...extraVolumes);
    initContainers.push(initializer);
  }
  return {
    ...user,
    terminationGracePeriodSeconds: user.terminationGracePeriodSeconds ?? 20,
    securityContext: { runAsUser: config.defaultUserId, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...user.securityContext },
    ...(unit?.serviceAccountName && !user.serviceAccountName ? { serviceAccountName: unit.serviceAccountName } : {}),
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    volumes,
  };
}

/** The non-root, read-only settings of the containers the operator supplies. */
function restricted(config: OperatorConfig): V1SecurityContext {
  return {
    runAsUser: config.defaultUserId,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** Seldon's environment contract with a model container (the Python wrapper reads these). */
function seldonEnv(unit: PredictiveUnit, container: V1Container, plan: PodPlan): V1EnvVar[] {
  const parameters = [...(unit.parameters ?? [])];
  if (unit.modelUri) parameters.push({ name: 'model_uri', value: MODEL_DIR, type: 'STRING' });
  const labels = Object.fromEntries(Object.entries(plan.predictor.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  const env: Record<string, string> = {
    PREDICTIVE_UNIT_PARAMETERS: JSON.stringify(parameters.map(({ name, value, type }) => ({ name, value, type }))),
    PREDICTIVE_UNIT_SERVICE_PORT: String(plan.ports.http),
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT: String(plan.ports.http),
    PREDICTIVE_UNIT_ID: unit.name,
    PREDICTIVE_UNIT_IMAGE: container.image ?? '',
    PREDICTOR_ID: plan.predictor.name,
    PREDICTOR_LABELS: JSON.stringify(labels),
    SELDON_DEPLOYMENT_ID: plan.sdep.metadata.name ?? '',
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(plan.ports.metrics),
    PREDICTIVE_UNIT_METRICS_ENDPOINT: '/prometheus',
  };
  if (!unit.parameters?.length && !unit.modelUri) delete env.PREDICTIVE_UNIT_PARAMETERS;
  // The user's own values win, as in Seldon.
  const mine = (container.env ?? []).map((e) => e.name);
  return [...(container.env ?? []), ...Object.entries(env).filter(([name]) => !mine.includes(name)).map(([name, value]) => ({ name, value }))];
}

function modelContainer(user: V1Container, unit: PredictiveUnit, plan: PodPlan, config: OperatorConfig): V1Container {
  const prepackaged = isPrepackaged(unit);
  const server = prepackaged ? serverEntry(plan.sdep, unit, config) : undefined;
  const c: V1Container = { ...user };
  if (server?.command && !c.command) c.command = server.command;
  if (server?.args && !c.args) c.args = server.args;
  if (prepackaged) c.imagePullPolicy ??= 'IfNotPresent';
  const ports = [...(c.ports ?? [])];
  if (!ports.some((p) => p.name === 'metrics')) ports.unshift({ name: 'metrics', containerPort: plan.ports.metrics, protocol: 'TCP' });
  if (!ports.some((p) => p.name === 'http')) ports.push({ name: 'http', containerPort: plan.ports.http, protocol: 'TCP' });
  c.ports = ports;
  c.env = seldonEnv(unit, c, plan);
  c.readinessProbe ??= { httpGet: { path: '/ready', port: plan.ports.http, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  c.livenessProbe ??= { tcpSocket: { port: plan.ports.http }, initialDelaySeconds: 60, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  if (prepackaged) {
    c.securityContext ??= restricted(config);
    c.resources ??= config.modelResources;
    c.volumeMounts = withMount(c.volumeMounts, { name: TMP_VOLUME, mountPath: '/tmp' });
  } else {
    // A container of the user's own: no read-only root (its image may write anywhere), but
    // still never root and never more privileges than it started with.
    c.securityContext ??= { runAsNonRoot: true, allowPrivilegeEscalation: false };
  }
  if (unit.modelUri) {
    c.volumeMounts = withMount(c.volumeMounts, { name: modelVolumeName(c.name), mountPath: MODEL_DIR, readOnly: true });
    if (unit.modelUri.startsWith('pvc://')) c.volumeMounts = withMount(c.volumeMounts, { name: PVC_VOLUME, mountPath: PVC_DIR, readOnly: true });
  }
  if (!c.resources) delete c.resources;
  return c;
}

/** `<container>-model-initializer`: copies modelUri to /mnt/models (args `[modelUri, /mnt/models]`). */
function storageInitializer(unit: PredictiveUnit, config: OperatorConfig): { initializer: V1Container; extraVolumes: V1Volume[] } {
  const si = config.storageInitializer;
  const volume = modelVolumeName(unit.name);
  const extraVolumes: V1Volume[] = [{ name: volume, emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: volume, mountPath: MODEL_DIR }];
  let source = unit.modelUri!;
  if (source.startsWith('pvc://')) {
    // pvc://<claim>/<path>: the claim is mounted at /mnt/pvc and the initializer copies from there.
    const [claim, ...path] = source.slice('pvc://'.length).split('/');
    extraVolumes.push({ name: PVC_VOLUME, persistentVolumeClaim: { claimName: claim } });
    mounts.push({ name: PVC_VOLUME, mountPath: PVC_DIR, readOnly: true });
    source = `${PVC_DIR}/${path.join('/')}`;
  }
  const image = unit.storageInitializerImage || si.image;
  const initializer: V1Container = {
    name: initContainerName(unit.name),
    image,
    imagePullPolicy: 'IfNotPresent',
    ...(si.command && !unit.storageInitializerImage ? { command: si.command } : {}),
    args: [source, MODEL_DIR],
    // With a prepackaged server, the pod has an emptyDir for /tmp; the initializer may use it too.
    volumeMounts: isPrepackaged(unit) ? [...mounts, { name: TMP_VOLUME, mountPath: '/tmp' }] : mounts,
    resources: { limits: { cpu: si.cpuLimit, memory: si.memoryLimit }, requests: { cpu: si.cpuRequest, memory: si.memoryRequest } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: restricted(config),
    ...(unit.envSecretRefName ? { envFrom: [{ secretRef: { name: unit.envSecretRefName } }] } : {}),
  };
  return { initializer, extraVolumes };
}

function withMount(mounts: V1VolumeMount[] | undefined, mount: V1VolumeMount): V1VolumeMount[] {
  const list = mounts ?? [];
  return list.some((m) => m.name === mount.name || m.mountPath === mount.mountPath) ? list : [...list, mount];
}

/** Seldon's labels for the Deployment (and its pods) of one componentSpec. */
export function podLabels(base: { seldonId: string; name: string; predictor: PredictorSpec; podSpec: SeldonPodSpec }, serving?: { unit: PredictiveUnit; containerService: string; predictorService: string }): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.seldonId]: base.seldonId,
    [LABELS.app]: base.name,
    [LABELS.fluentd]: 'true',
    ...base.predictor.labels,
  };
  if (serving) {
    labels[LABELS.seldonAppSvc] = serving.containerService;
    labels[UNIT_TYPE_LABEL[serving.unit.type ?? 'MODEL'] ?? LABELS.model] = 'true';
    if (base.predictor.shadow) labels['seldon.io/shadow'] = 'true';
  }
  labels[LABELS.managedBy] = MANAGED_BY;
  if (serving) labels[LABELS.seldonApp] = serving.predictorService;
  return { ...labels, ...base.podSpec.metadata?.labels };
}

const UNIT_TYPE_LABEL: Record<string, string> = {
  MODEL: 'seldon.io/model',
  ROUTER: 'seldon.io/router',
  COMBINER: 'seldon.io/combiner',
  TRANSFORMER: 'seldon.io/transformer',
  OUTPUT_TRANSFORMER: 'seldon.io/output-transformer',
};
