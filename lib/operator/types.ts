// SPDX-License-Identifier: Apache-2.0
// The SeldonDeployment as TypeScript sees it: the fields Seldon Core 1.x users write (JSON names
// exactly as in Seldon's Go types, `seldondeployment_types.go`) and the status the operator writes
// back. The CRD (cluster/charts/seldon-lab-operator/crds/) is the schema the API server enforces;
// these types are what the operator's code may assume once the API server has accepted an object.
import type { V1Container, V1EnvVar, V1ObjectMeta, V1OwnerReference, V1PodSpec, V1ResourceRequirements } from '@kubernetes/client-node';

export const SELDON_API_VERSION = 'machinelearning.seldon.io/v1';

export type PredictiveUnitType = 'UNKNOWN_TYPE' | 'ROUTER' | 'COMBINER' | 'MODEL' | 'TRANSFORMER' | 'OUTPUT_TRANSFORMER';
export type PredictiveUnitMethod = 'TRANSFORM_INPUT' | 'TRANSFORM_OUTPUT' | 'ROUTE' | 'AGGREGATE' | 'SEND_FEEDBACK';
export type ParameterType = 'INT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BOOL';

/** `[{name, value, type}]`: a graph node's parameters, passed to the container as JSON. */
export interface Parameter {
  name: string;
  value: string;
  type: ParameterType;
}

export interface Endpoint {
  service_host?: string;
  service_port?: number;
  type?: 'REST' | 'GRPC';
  httpPort?: number;
  grpcPort?: number;
}

/** One node of an inference graph (Seldon's PredictiveUnit). */
export interface PredictiveUnit {
  name: string;
  children?: PredictiveUnit[];
  type?: PredictiveUnitType;
  /** a prepackaged server such as SKLEARN_SERVER, or one of Seldon's built-in units */
  implementation?: string;
  methods?: PredictiveUnitMethod[];
  endpoint?: Endpoint;
  parameters?: Parameter[];
  modelUri?: string;
  serviceAccountName?: string;
  envSecretRefName?: string;
  storageInitializerImage?: string;
  logger?: { url?: string; mode?: string };
}

/** `componentSpecs[i]`: a pod template for some of the graph's containers. */
export interface SeldonPodSpec {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: V1PodSpec;
  hpaSpec?: { minReplicas?: number; maxReplicas: number; metrics?: unknown[] };
  kedaSpec?: Record<string, unknown>;
  pdbSpec?: { minAvailable?: number | string; maxUnavailable?: number | string };
  replicas?: number;
}

export interface PredictorSpec {
  name: string;
  graph: PredictiveUnit;
  componentSpecs?: SeldonPodSpec[];
  replicas?: number;
  annotations?: Record<string, string>;
  engineResources?: V1ResourceRequirements;
  labels?: Record<string, string>;
  svcOrchSpec?: { resources?: V1ResourceRequirements; env?: V1EnvVar[]; replicas?: number };
  /** percentage of requests; non-shadow predictors add up to 100 */
  traffic?: number;
  shadow?: boolean;
  explainer?: Record<string, unknown>;
  ssl?: { certSecretName?: string };
}

export type Protocol = 'seldon' | 'tensorflow' | 'kfserving' | 'v2';

export interface SeldonDeploymentSpec {
  /** deprecated in Seldon, still written by its samples (the seed's `name: iris`) */
  name?: string;
  predictors: PredictorSpec[];
  oauth_key?: string;
  oauth_secret?: string;
  annotations?: Record<string, string>;
  protocol?: Protocol | '';
  transport?: 'rest' | 'grpc' | '';
  replicas?: number;
  serverType?: 'rpc' | 'kafka' | '';
}

export type SeldonState = 'Creating' | 'Available' | 'Failed';

export interface DeploymentStatus {
  name?: string;
  status?: string;
  description?: string;
  replicas?: number;
  availableReplicas?: number;
  explainerFor?: string;
}

export interface ServiceStatus {
  svcName?: string;
  httpEndpoint?: string;
  grpcEndpoint?: string;
  explainerFor?: string;
}

/** A knative-style condition, as Seldon's status carries them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  severity?: string;
  lastTransitionTime?: string;
}

export interface SeldonDeploymentStatus {
  state?: SeldonState;
  description?: string;
  deploymentStatus?: Record<string, DeploymentStatus>;
  serviceStatus?: Record<string, ServiceStatus>;
  replicas?: number;
  address?: { url?: string };
  observedGeneration?: number;
  conditions?: Condition[];
  annotations?: Record<string, string>;
}

export interface SeldonDeployment {
  apiVersion: string;
  kind: 'SeldonDeployment';
  metadata: V1ObjectMeta;
  spec: SeldonDeploymentSpec;
  status?: SeldonDeploymentStatus;
}

/** Any Kubernetes object as JSON: what the operator renders, reads and compares. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string; namespace?: string; ownerReferences?: V1OwnerReference[] };
  [field: string]: unknown;
}

/** The container a graph node runs in, once defaulting has found or added it. */
export type UnitContainer = V1Container;
