// SPDX-License-Identifier: Apache-2.0
// The public face of lib/client: SeldonClient, its options and results, and the Python-faithful
// printers it is built on (usable on their own, e.g. to show a request as Python would).
export { SeldonClient } from './client.js';
export type { CallOptions, ExplainOptions, FeedbackOptions, MicroserviceOptions, PayloadOptions, PredictOptions } from './client.js';
export { SeldonClientException } from './errors.js';
export type { DefaultData, Feedback, NestedArray, SeldonMessage, SeldonMessageList, SeldonMeta, SeldonStatus } from './message.js';
export { DEFAULTS, gatherArgs, validateArgs } from './options.js';
export type {
  ClientReturnType,
  Gateway,
  MicroserviceMethod,
  PayloadType,
  SeldonCallCredentials,
  SeldonChannelCredentials,
  SeldonClientConfig,
  SeldonClientOptions,
  Transport,
} from './options.js';
export { buildMessage, randomArray, shapeOf, toDefaultData } from './payload.js';
export type { MetaPolicy, PayloadArgs } from './payload.js';
export { SeldonClientCombine, SeldonClientFeedback, SeldonClientPrediction } from './prediction.js';
export { cEscape, protoText } from './proto-text.js';
export { pyFloatRepr, shortestFloat32 } from '../python/index.js';
export { PyFloat, PyJsonError, parsePyJson, pyJsonDumps, pyToJs } from './py-json.js';
export type { PyDict, PyValue } from './py-json.js';
export { pyRepr, pyStrRepr } from './py-repr.js';
export * as seldonProto from './schema.js';
export { explainUrl, feedbackUrl, microserviceUrl, predictionUrl, schemeFor } from './urls.js';
export { messageToJsonText, messageToPy } from './wire.js';
