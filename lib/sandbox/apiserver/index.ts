// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/apiserver: the sandbox's Kubernetes API server. Most callers want `startSandbox()`
// from lib/sandbox instead; these are the parts, for tests, benchmarks and the kubelet.
export type { ApiHandle, DeleteOptions, ListOptions, ObjectList, ResourceRef, WatchHandle, WatchOptions, WritableSubresource } from './api.js';
export { refs } from './api.js';
export { ClusterIPAllocator, DEFAULT_SERVICE_CIDR, type AllocateOptions } from './clusterip.js';
export { ensureKubernetesService, type ApiServerEndpoint } from './services.js';
export { ApiCore, newContext, type CoreOptions, type WriteContext, type WriteResult } from './core.js';
export { LocalApi } from './local-api.js';
export { ApiServer, SERVER_VERSION, type ApiServerOptions, type LogOptions, type LogProvider, type PortForwardHandler, type PortForwardTarget } from './server.js';
export { admitServiceAccount, ServiceAccountTokens, SERVICE_ACCOUNT_MOUNT_PATH, type ServiceAccountIdentity } from './serviceaccounts.js';
export { Store, type Change } from './store.js';
export { ResourceRegistry, BUILTIN_TYPES } from './resources.js';
export { parseLabelSelector, parseFieldSelector, labelSelectorFromSpec } from './selectors.js';
export { ApiError, errors, type Status, type StatusCause } from './status.js';
export type { KubeObject, ObjectMeta, OwnerReference, ResourceType, WatchEvent } from './types.js';
