// SPDX-License-Identifier: Apache-2.0
// Building the SeldonMessage a prediction answers with (Seldon's `construct_response_json`).
//
// The rules, in Seldon's order:
// - a plain object becomes `jsonData`, bytes become `binData` (base64), a string `strData`;
// - an array becomes `data`: when it is numeric it keeps the request's container (`tensor` in,
//   `tensor` out; `ndarray` in, `ndarray` out; a request without `data` gets a `tensor`), when it
//   is not numeric (strings, booleans) it is always an `ndarray`;
// - `data.names` are the model's `classNames()` or `t:0 .. t:<n-1>` for n output columns, and
//   `[]` for a 1-D output;
// - anything else (null, a number) is Seldon's "Unknown data type returned as payload" (HTTP 400);
// - `meta` copies the request's `puid`, `tags` and `metrics` (plus the model's own), and sets
//   `requestPath` to `{<PREDICTIVE_UNIT_ID>: <PREDICTIVE_UNIT_IMAGE>}` merged with the request's.
import type { ModelOutput, SeldonMeta } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import { inferDType, isNumericDType } from '../../dtype.js';
import { NumpyValue, pythonJson } from '../../json/python-json.js';
import { flatten, shapeOf } from '../ndarray.js';
import { pyStr } from './errors.js';
import type { SeldonRequest } from './message.js';

type Metric = NonNullable<SeldonMeta['metrics']>[number];

/** What the response needs besides the request and the model's output. */
export interface ResponseExtras {
  /** `{unit id: image}` of this server, or {} when PREDICTIVE_UNIT_ID is not set. */
  requestPath: Record<string, string>;
  /** The model's `classNames()`, used as `data.names` for 2-D outputs. */
  classNames?: string[];
  /** The model's own tags and metrics (`tags()` / `metrics()`), added to the request's. */
  tags?: Record<string, unknown>;
  metrics?: Metric[];
}

/** The response object for `output`; write it with `writeSeldonJson`. */
export function buildSeldonResponse(request: SeldonRequest, output: ModelOutput, extras: ResponseExtras): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  if (output instanceof Uint8Array) response.binData = Buffer.from(output.buffer, output.byteOffset, output.byteLength).toString('base64');
  else if (typeof output === 'string') response.strData = output;
  else if (Array.isArray(output)) response.data = buildData(request, output, extras.classNames);
  else if (output !== null && typeof output === 'object') response.jsonData = output;
  else throw new MicroserviceError(`Unknown data type returned as payload (must be list or np array):${pyStr(output)}`, 400, 'MICROSERVICE_BAD_DATA');
  response.meta = buildMeta(request.meta, extras);
  return response;
}

function buildData(request: SeldonRequest, output: unknown[], classNames: string[] | undefined): Record<string, unknown> {
  const dtype = inferDType(output);
  const numeric = isNumericDType(dtype);
  const shape = shapeOf(output);
  // Keys are set in sorted order, so the writer finds them sorted and need not sort.
  // numpy sees a ragged list as a 1-D array of objects, so it gets no column names either.
  const data: Record<string, unknown> = { names: shape && shape.length > 1 ? (classNames ?? columnNames(shape[1])) : [] };
  const asTensor = numeric && (request.kind === 'tensor' || request.kind === 'jsonData' || request.kind === 'strData' || request.kind === 'binData');
  if (asTensor) {
    if (!shape) {
      throw new MicroserviceError('The model returned rows of different lengths, which a tensor cannot hold; return a rectangular array', 500, 'MICROSERVICE_INTERNAL_ERROR');
    }
    data.tensor = { shape, values: new NumpyValue(flatten(output), dtype) };
  } else {
    data.ndarray = numeric ? new NumpyValue(output, dtype) : output;
  }
  return data;
}

// `t:0 .. t:<n-1>`, cached: a model answers with the same number of columns every time.
const columnNameCache: string[][] = [];
function columnNames(n: number): string[] {
  let names = columnNameCache[n];
  if (!names) {
    names = Array.from({ length: n }, (_, i) => `t:${i}`);
    if (n < 1024) columnNameCache[n] = names;
  }
  return names;
}

function buildMeta(requestMeta: SeldonMeta | undefined, extras: ResponseExtras): Record<string, unknown> {
  // In sorted key order (metrics, puid, requestPath, tags), as they will be written.
  const meta: Record<string, unknown> = {};
  const metrics = extras.metrics && extras.metrics.length > 0 ? [...(requestMeta?.metrics ?? []), ...extras.metrics] : requestMeta?.metrics;
  if (metrics && metrics.length > 0) meta.metrics = metrics;
  if (requestMeta?.puid) meta.puid = requestMeta.puid;
  // The request's own path wins: an upstream unit may already have recorded this one.
  const requestPath = requestMeta?.requestPath ? { ...extras.requestPath, ...requestMeta.requestPath } : extras.requestPath;
  if (Object.keys(requestPath).length > 0) meta.requestPath = requestPath;
  const tags = extras.tags ? { ...requestMeta?.tags, ...extras.tags } : requestMeta?.tags;
  if (tags && Object.keys(tags).length > 0) meta.tags = tags;
  return meta;
}

/** A response as Flask's `jsonify` writes it: sorted keys, compact, ASCII, then a newline. */
export function writeSeldonJson(body: unknown): string {
  return pythonJson(body) + '\n';
}
