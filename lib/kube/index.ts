// SPDX-License-Identifier: Apache-2.0
// lib/kube: small helpers over the Kubernetes API that lessons, the operator and the sandbox share.
export { CrdSchema, compileCrdSchema, type PruneResult } from './crd-schema.js';
export { checkCelRulesParse, evaluateCelRules, toCelValue } from './crd-cel.js';
export {
  crdVersionSchema, validateCustomResource,
  type FieldValidation, type ValidateOptions, type ValidationResult,
} from './crd-validate.js';
export { CEL_NOT_CHECKED } from './crd-causes.js';
export type {
  CauseReason, CrdVersion, CustomResourceDefinition, JSONSchemaProps, RuleSite, StatusCause, ValidationRule,
} from './crd-types.js';
export { connect, type ClusterKind, type Connection, type ConnectOptions } from './connect.js';
export {
  acquireSharedSandbox, readState as readSharedSandboxState, runSharedSandbox, startSandboxStack, stateDir as sharedSandboxDir, stopSharedSandbox,
  type SandboxStack, type SandboxState, type SharedSandbox,
} from './shared-sandbox.js';
export { ExponentialBackoff, WorkQueue } from './workqueue.js';
export { waitFor, type WaitOptions } from './wait.js';
export { loadInClusterConfig, runsInCluster, serviceAccountFiles, SERVICE_ACCOUNT_DIR } from './in-cluster.js';
