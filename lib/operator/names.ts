// SPDX-License-Identifier: Apache-2.0
// How Seldon Core names what it creates, so a Seldon user finds `iris-model-default-0-classifier`
// and `iris-model-default` exactly where they expect them (seldondeployment_types.go,
// model_initializer_injector.go, ambassador/v2.go).
//
// Kubernetes limits names of Deployments, Services and label values to 63 characters. Seldon's
// answer for a longer name is `seldon-<md5 of the name>`: ugly, but unique and stable, so the same
// SeldonDeployment always maps to the same objects.
import { createHash } from 'node:crypto';
import type { PredictorSpec, SeldonDeployment, SeldonPodSpec } from './types.js';

export const MAX_NAME_LENGTH = 63;

/** Seldon's label and annotation keys. */
export const LABELS = {
  seldonId: 'seldon-deployment-id',
  seldonApp: 'seldon-app',
  seldonAppSvc: 'seldon-app-svc',
  app: 'app',
  fluentd: 'fluentd',
  model: 'seldon.io/model',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The value Seldon puts in `app.kubernetes.io/managed-by`; kept so Seldon-era selectors still match. */
export const MANAGED_BY = 'seldon-core';

export const ANNOTATIONS = {
  svcName: 'seldon.io/svc-name',
  restTimeout: 'seldon.io/rest-timeout',
  ambassadorService: 'seldon.io/ambassador-service-name',
  ambassadorId: 'seldon.io/ambassador-id',
} as const;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** `name`, or `seldon-<md5(name)>` when it is longer than Kubernetes allows. */
export function hashIfLong(name: string): string {
  return name.length > MAX_NAME_LENGTH ? `seldon-${md5(name)}` : name;
}

/** Cut to 63 characters without a trailing dash (Seldon's rule for init container and volume names). */
export function truncate63(name: string): string {
  return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH).replace(/-+$/, '') : name;
}

/** The value of the `seldon-deployment-id` label (GetSeldonDeploymentName). */
export function seldonId(sdep: SeldonDeployment): string {
  return hashIfLong(sdep.metadata.name ?? '');
}

/** `<sdep>-<predictor>-<index>-<container names joined by ->`, or the componentSpec's own name (GetDeploymentName). */
export function deploymentName(sdep: SeldonDeployment, predictor: PredictorSpec, podSpec: SeldonPodSpec, index: number): string {
  const base = `${sdep.metadata.name}-${predictor.name}-${index}-`;
  const suffix = podSpec.metadata?.name || (podSpec.spec?.containers ?? []).map((c) => c.name).join('-');
  return hashIfLong(base + suffix);
}

/** The predictor Service, `<sdep>-<predictor>`, unless annotation seldon.io/svc-name names it (GetPredictorKey). */
export function predictorServiceName(sdep: SeldonDeployment, predictor: PredictorSpec): string {
  return predictor.annotations?.[ANNOTATIONS.svcName] ?? hashIfLong(`${sdep.metadata.name}-${predictor.name}`);
}

/** The per-container Service, `<sdep>-<predictor>-<container>` (GetContainerServiceName). */
export function containerServiceName(sdep: SeldonDeployment, predictor: PredictorSpec, containerName: string): string {
  return hashIfLong(`${sdep.metadata.name}-${predictor.name}-${containerName}`);
}

/** The storage initializer, `<container>-model-initializer`. */
export function initContainerName(containerName: string): string {
  return truncate63(`${containerName}-model-initializer`);
}

/** The emptyDir the initializer fills and the model container reads, `<container>-provision-location`. */
export function modelVolumeName(containerName: string): string {
  return truncate63(`${containerName}-provision-location`);
}

/** Seldon >= 1.15's Mapping name: `seldon-<namespace>-<sdep>-<predictor>-rest`. */
export function mappingName(namespace: string, sdep: SeldonDeployment, predictor: PredictorSpec): string {
  return `seldon-${namespace}-${sdep.metadata.name}-${predictor.name}-rest`;
}

/** The external path prefix `/seldon/<namespace>/<name>/` (annotation seldon.io/ambassador-service-name renames it). */
export function externalPrefix(namespace: string, sdep: SeldonDeployment): string {
  return `/seldon/${namespace}/${sdepAnnotation(sdep, ANNOTATIONS.ambassadorService) ?? sdep.metadata.name}/`;
}

/** A Seldon annotation, looked up as Seldon's GetAnnotation does: `spec.annotations`, then `metadata.annotations`. */
export function sdepAnnotation(sdep: SeldonDeployment, key: string): string | undefined {
  return sdep.spec.annotations?.[key] ?? sdep.metadata.annotations?.[key];
}
