// SPDX-License-Identifier: Apache-2.0
// lib/operator: the SeldonDeployment CRD and the operator that serves it.
//
//   render(sdep, config)           what should exist for a SeldonDeployment (pure)
//   startOperator({ kubeConfig })  watch, reconcile, report status, until stop()
export {
  SELDON_CRD_PATH, SELDON_GROUP, SELDON_KIND, seldonDeploymentCrd, validateSeldonDeployment,
  type SeldonValidation,
} from './crd.js';
export {
  DEFAULT_OPERATOR_CONFIG_PATH, INGRESS_FLAVOURS, OperatorConfigError, defaultOperatorConfig, loadOperatorConfig,
  parseOperatorConfig, serverImageFor, type IngressFlavour, type OperatorConfig, type ServerImage,
} from './config.js';
export { applyDefaults, isPrepackaged } from './defaults.js';
export {
  containerServiceName, deploymentName, externalPrefix, mappingName, predictorServiceName, seldonId, LABELS, MANAGED_BY,
} from './names.js';
export { desiredObjects, ownerReference, render, SeldonValidationError, type DesiredState } from './render.js';
export { computeStatus, deploymentReady, podProblem, type ObservedState } from './status.js';
export { formatFieldErrors, validateForReconcile, validateKitSupport, validateSeldonRules, type FieldError } from './validate.js';
export { covers, mergePatch, parseQuantity } from './diff.js';
export { FIELD_MANAGER, KubeClusterApi, type ClusterApi, type ChildKind, type RequestCounts } from './kube-api.js';
export { Reconciler, patchFor } from './reconcile.js';
export { keepMetadataOnly, ResilientInformer, type ResilientInformerOptions, type WatchSpec } from './informer.js';
export { LeaderElector, type LeaderElectionOptions } from './leader.js';
export { startOperator, type Operator, type OperatorOptions, type OperatorStats } from './controller.js';
export { emissaryMappingCrd, EMISSARY_CRDS_PATH } from './mapping-crd.js';
export { loadKubeConfig } from './cli.js';
export { withKeepAlive } from './connection.js';
export { startHealthServer, type HealthServer } from './health.js';
export type * from './types.js';
