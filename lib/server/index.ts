// SPDX-License-Identifier: Apache-2.0
// The model server's public face: what lessons, the CLI, the sandbox's kubelet and other parts
// of the kit import. A model is anything with `predict` (model.ts); `startModelServer` serves it
// over Seldon's protocol v1 and the Open Inference Protocol; `createModel` builds one from a
// prepackaged implementation or your own module; `resolveModelUri` fetches model files.
export type { ModelMetadata, ModelOutput, NDArray, PredictMethod, SeldonMeta, SeldonModel } from './model.js';
export { MicroserviceError } from './model.js';

export { startModelServer, DEFAULT_LIMITS, type ModelServer, type ModelServerOptions } from './server.js';
export type { ModelExtras, ServerContext, ServerLimits } from './context.js';
export { createRequestHandler } from './app.js';
export { asFloats, asInts, withDType, markedDType, inferDType, type DType } from './dtype.js';
export { unitFromEnv, requestPathOf, type UnitInfo } from './unit.js';
export { ServerMetrics } from './metrics.js';

export { createModel, markOutputs, IMPLEMENTATIONS, type CreateModelOptions, type Implementation } from './runtimes/index.js';
export { loadCustomModel, CustomModelError, type CustomModelOptions } from './runtimes/custom.js';
export { parseSeldonParameters, convertParameter, type SeldonParameter, type ParameterValue } from './runtimes/parameters.js';

export { resolveModelUri, parseModelUri, StorageError, type ResolveOptions, type StorageLimits, type StorageProgress } from './storage/index.js';

export { readServeConfig, SELDON_IMAGES, UsageError, type ServeConfig } from './config.js';
export { main, serveMain, storageInitMain } from './cli.js';

export { pythonJson, parsePythonJson, pyString } from './json/python-json.js';
export { pyJsonFloat } from '../python/index.js';
export { readSeldonMessage, readFeedback, type SeldonRequest, type PayloadKind } from './protocol/seldon-v1/message.js';
export { buildSeldonResponse, writeSeldonJson } from './protocol/seldon-v1/response.js';
export { seldonErrorBody } from './protocol/seldon-v1/errors.js';
export { decodeInput, encodeOutput, type Datatype } from './protocol/v2/tensor.js';
export { seldonOpenApi } from './openapi/seldon.js';
