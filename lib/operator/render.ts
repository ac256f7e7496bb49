// SPDX-License-Identifier: Apache-2.0
// render(): a SeldonDeployment in, the objects that should exist for it out.
//
// This is the "desired state" half of the operator pattern, written as a pure function: no API
// calls, no clock, no randomness. The same SeldonDeployment and configuration always give the same
// objects, so it can be tested without a cluster, shown in a lesson, and compared with what the
// cluster holds (the reconcile loop's job, reconcile.ts).
//
// For each predictor it returns, named as Seldon names them (names.ts):
//   - one Deployment per componentSpec, `<sdep>-<predictor>-<i>-<containers>` (render-pod.ts);
//   - the predictor Service `<sdep>-<predictor>` and the model's Service `<sdep>-<predictor>-<container>`;
//   - an Emissary Mapping `seldon-<ns>-<sdep>-<predictor>-rest` for `/seldon/<ns>/<sdep>/` (render-routes.ts);
// each with an owner reference to the SeldonDeployment, so deleting it deletes them all.
import type { V1Deployment, V1OwnerReference, V1Service } from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { applyDefaults, findContainer, unitPorts } from './defaults.js';
import { containerServiceName, deploymentName, predictorServiceName, seldonId } from './names.js';
import { podLabels, renderDeployment, type PodPlan } from './render-pod.js';
import { addressUrl, containerService, predictorService, renderMapping, serviceStatusOf } from './render-routes.js';
import { SELDON_API_VERSION, type KubeObject, type SeldonDeployment, type ServiceStatus } from './types.js';
import { formatFieldErrors, validateForReconcile } from './validate.js';

/** Everything that should exist for one SeldonDeployment, plus what its status will report. */
export interface DesiredState {
  deployments: V1Deployment[];
  services: V1Service[];
  /** Emissary Mappings (none when the ingress is `none`) */
  mappings: KubeObject[];
  /** the Deployment whose pods serve predictors[0] (its replicas are `status.replicas`) */
  primaryDeployment: string;
  /** `status.serviceStatus`, once the Services exist */
  serviceStatus: Record<string, ServiceStatus>;
  /** `status.address.url` */
  address: string;
}

/** The SeldonDeployment breaks one of Seldon's rules (or asks for what the kit cannot run). */
export class SeldonValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeldonValidationError';
  }
}

/** The owner reference every child carries: controller, and blocking the owner's foreground deletion. */
export function ownerReference(sdep: SeldonDeployment): V1OwnerReference {
  return {
    apiVersion: SELDON_API_VERSION,
    kind: 'SeldonDeployment',
    name: sdep.metadata.name!,
    // A SeldonDeployment read from a file has no uid yet: the API server assigns it on create.
    uid: sdep.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

// #region render
/** The objects Seldon's operator would create for `sdep` (single-node graphs), as plain JSON. */
export function render(sdep: SeldonDeployment, config: OperatorConfig): DesiredState {
  const problems = validateForReconcile(sdep, config);
  if (problems.length > 0) throw new SeldonValidationError(formatFieldErrors(problems));

  const d = applyDefaults(sdep, config);
  const id = seldonId(d);
  const desired: DesiredState = { deployments: [], services: [], mappings: [], primaryDeployment: '', serviceStatus: {}, address: '' };

  d.spec.predictors.forEach((predictor, p) => {
    const unit = predictor.graph; // one node: validateForReconcile refused bigger graphs
    const ports = unitPorts(config, 0);
    const home = findContainer(predictor, unit.name)!;
    const predictorSvc = predictorServiceName(d, predictor);
    const unitSvc = containerServiceName(d, predictor, unit.name);

    (predictor.componentSpecs ?? []).forEach((podSpec, i) => {
      const name = deploymentName(d, predictor, podSpec, i);
      const serving = i === home.index ? { unit, containerService: unitSvc, predictorService: predictorSvc } : undefined;
      const labels = podLabels({ seldonId: id, name, predictor, podSpec }, serving);
      // The selector must never change (Kubernetes refuses), so it holds only names.
      const selector: Record<string, string> = serving
        ? { 'seldon-deployment-id': id, 'seldon-app-svc': unitSvc, 'seldon-app': predictorSvc }
        : { 'seldon-deployment-id': id, app: name };
      const plan: PodPlan = { sdep: d, predictor, podSpec, name, labels, selector, unit: serving ? unit : undefined, ports };
      desired.deployments.push(renderDeployment(plan, config));
      if (serving && p === 0) desired.primaryDeployment = name;
    });

    desired.services.push(predictorService(d, predictorSvc, id, ports.http, config));
    desired.services.push(containerService(d, unitSvc, id, predictorSvc, ports.http));
    const mapping = renderMapping(d, predictor, p, predictorSvc, id, config);
    if (mapping) desired.mappings.push(mapping);
    if (p === 0) desired.address = addressUrl(d, predictorSvc, config);
  });

  const owner = ownerReference(d);
  for (const obj of [...desired.deployments, ...desired.services, ...desired.mappings]) obj.metadata!.ownerReferences = [{ ...owner }];
  for (const svc of desired.services) desired.serviceStatus[svc.metadata!.name!] = serviceStatusOf(svc);
  return desired;
}
// #endregion render

/** Every desired object, Services first (Seldon creates them before the Deployments). */
export function desiredObjects(desired: DesiredState): KubeObject[] {
  return [...desired.services, ...desired.deployments, ...desired.mappings] as KubeObject[];
}
