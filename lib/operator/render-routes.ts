// SPDX-License-Identifier: Apache-2.0
// How requests reach a predictor: two Services and an Emissary-ingress Mapping, named as Seldon
// names them.
//
//   outside ──► Emissary ──(Mapping: /seldon/<ns>/<sdep>/ ─► <sdep>-<predictor>.<ns>:8000)
//           ──► Service <sdep>-<predictor>:8000 ──► model container :9000
//
// In Seldon, port 8000 is the graph orchestrator's, which calls the model's Service
// `<sdep>-<predictor>-<container>` on 9000. This kit serves one-node graphs, so the predictor
// Service forwards 8000 straight to the model container; the URL a client uses is the same, and
// stays the same when an orchestrator comes.
import type { V1Service } from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { protocolOf } from './defaults.js';
import { ANNOTATIONS, externalPrefix, LABELS, MANAGED_BY, mappingName, sdepAnnotation } from './names.js';
import type { KubeObject, PredictorSpec, SeldonDeployment, ServiceStatus } from './types.js';

/** Emissary's group; the version comes from the configured ingress flavour. */
export const EMISSARY_GROUP = 'getambassador.io';

/** `<sdep>-<predictor>`: port 8000 (http) to the serving pod's model port. */
export function predictorService(sdep: SeldonDeployment, name: string, seldonId: string, targetPort: number, config: OperatorConfig): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: sdep.metadata.namespace,
      labels: { [LABELS.seldonApp]: name, [LABELS.seldonId]: seldonId, [LABELS.managedBy]: MANAGED_BY },
    },
    spec: {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      selector: { [LABELS.seldonApp]: name },
      ports: [{ name: 'http', port: config.ports.predictor, targetPort, protocol: 'TCP' }],
    },
  };
}

/** `<sdep>-<predictor>-<container>`: the model container's own port, as Seldon's orchestrator calls it. */
export function containerService(sdep: SeldonDeployment, name: string, seldonId: string, predictorServiceName: string, port: number): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: sdep.metadata.namespace,
      labels: {
        [LABELS.seldonAppSvc]: name,
        [LABELS.seldonId]: seldonId,
        [LABELS.seldonApp]: predictorServiceName,
        [LABELS.model]: 'true',
        [LABELS.managedBy]: MANAGED_BY,
      },
    },
    spec: {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      selector: { [LABELS.seldonAppSvc]: name },
      ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
    },
  };
}

/**
 * The Emissary Mapping of one predictor, in Seldon >= 1.15's shape (ambassador/v2.go): the first
 * predictor takes the traffic Emissary does not give to the others; the others (and a shadow) get
 * `weight: <traffic>`; a shadow also gets `shadow: true`, so Emissary copies requests to it and
 * drops its answers.
 */
export function renderMapping(sdep: SeldonDeployment, predictor: PredictorSpec, index: number, serviceName: string, seldonId: string, config: OperatorConfig): KubeObject | undefined {
  if (config.ingress === 'none') return undefined;
  const ns = sdep.metadata.namespace!;
  const timeout = restTimeoutMs(sdep, config);
  const ambassadorId = sdepAnnotation(sdep, ANNOTATIONS.ambassadorId) || config.ambassador.ambassadorId;
  const v3 = config.ingress === 'ambassador-v3alpha1';
  const spec: Record<string, unknown> = {
    ...(v3 ? { hostname: config.ambassador.hostname } : {}),
    prefix: externalPrefix(ns, sdep),
    rewrite: '/',
    service: `${serviceName}.${ns}:${config.ports.predictor}`,
    timeout_ms: timeout,
  };
  // Envoy closes idle connections after 5 minutes; a longer request timeout needs a longer idle timeout.
  if (timeout > 300_000) spec.idle_timeout_ms = timeout;
  if (predictor.shadow || index > 0) spec.weight = predictor.traffic ?? 0;
  if (predictor.shadow) spec.shadow = true;
  if (ambassadorId) spec.ambassador_id = [ambassadorId];
  return {
    apiVersion: `${EMISSARY_GROUP}/${v3 ? 'v3alpha1' : 'v2'}`,
    kind: 'Mapping',
    metadata: {
      name: mappingName(ns, sdep, predictor),
      namespace: ns,
      labels: { [LABELS.seldonId]: seldonId, [LABELS.managedBy]: MANAGED_BY },
    },
    spec,
  };
}

/** Annotation seldon.io/rest-timeout, else the configured default (Seldon's 3000 ms). */
export function restTimeoutMs(sdep: SeldonDeployment, config: OperatorConfig): number {
  const value = sdepAnnotation(sdep, ANNOTATIONS.restTimeout);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : config.ambassador.timeoutMs;
}

/** `status.address.url`: the first predictor's Service, with the protocol's prediction path (GetPredictionPath). */
export function addressUrl(sdep: SeldonDeployment, serviceName: string, config: OperatorConfig): string {
  const graph = sdep.spec.predictors[0].graph.name;
  const path = { seldon: '/api/v1.0/predictions', tensorflow: `/v1/models/${graph}:predict`, kfserving: `/v2/models/${graph}/infer`, v2: `/v2/models/${graph}/infer` }[protocolOf(sdep)];
  return `http://${serviceName}.${sdep.metadata.namespace}.svc.cluster.local:${config.ports.predictor}${path}`;
}

/** `status.serviceStatus[name]`: where the Service answers inside the cluster. */
export function serviceStatusOf(service: V1Service): ServiceStatus {
  const port = service.spec!.ports![0].port;
  return { svcName: service.metadata!.name, httpEndpoint: `${service.metadata!.name}.${service.metadata!.namespace}:${port}` };
}
