// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/apiserver: the sandbox's Kubernetes API server. Most callers want `startSandbox()`
// from lib/sandbox instead; these are the parts, for tests, benchmarks and the kubelet.
export type { ApiHandle, DeleteOptions, ListOptions, ObjectList, ResourceRef, WatchHandle, WatchOptions } from './api.js';
export { refs } from './api.js';
export { ApiCore, newContext, type CoreOptions, type WriteContext, type WriteResult } from './core.js';
export { LocalApi } from './local-api.js';
export { ApiServer, SERVER_VERSION, type ApiServerOptions, type LogOptions, type LogProvider } from './server.js';
export { Store, type Change } from './store.js';
export { ResourceRegistry, BUILTIN_TYPES } from './resources.js';
export { parseLabelSelector, parseFieldSelector, labelSelectorFromSpec } from './selectors.js';
export { ApiError, errors, type Status, type StatusCause } from './status.js';
export type { KubeObject, ObjectMeta, OwnerReference, ResourceType, WatchEvent } from './types.js';
