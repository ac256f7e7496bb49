// SPDX-License-Identifier: Apache-2.0
// The Open Inference Protocol (V2) REST endpoints, on the same port as Seldon's v1:
//
//   GET  /v2                                   server metadata
//   GET  /v2/health/live, /v2/health/ready     200 (empty body) or 400
//   GET  /v2/models/{name}[/versions/{v}]      model metadata
//   GET  /v2/models/{name}[/versions/{v}]/ready
//   POST /v2/models/{name}[/versions/{v}]/infer
//   POST /v2/models/infer                      Seldon's executor shortcut to the only model
//
// An inference request has `inputs` (typed tensors, see tensor.ts) and may select `outputs`. One
// input reaches the model as it is; several inputs of shape [n] or [n, 1] are read as named
// columns of one table (the model gets n rows and the input names as column names).
import { randomUUID } from 'node:crypto';
import type { NDArray } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import { JSON_TYPE, type Call, type Handler, type Reply, type ServerContext } from '../../context.js';
import { parsePythonJson, pythonJson } from '../../json/python-json.js';
import { mediaType } from '../../http/body.js';
import { decodeInput, encodeOutput, type DecodedInput } from './tensor.js';
import { v2ErrorFrom, v2ErrorReply } from './errors.js';

export const SERVER_NAME = 'seldon-lab';

/** Where a V2 path leads: a handler and its metrics label, or why there is none. */
export type V2Resolution = { handler: Handler; service?: string } | { status: 404 | 405; message: string; allow?: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function json(status: number, body: unknown): Reply {
  return { status, body: pythonJson(body, { sortKeys: false }), contentType: JSON_TYPE };
}

const empty = (status: number): Reply => ({ status, body: '', contentType: 'text/plain; charset=utf-8' });

/** Resolves a path under /v2 for `method`. */
export function resolveV2(method: string, path: string, ctx: ServerContext): V2Resolution {
  const parts = path.split('/').slice(2); // ['', 'v2', ...rest]
  const only = (verb: 'GET' | 'POST', handler: Handler, service?: string): V2Resolution =>
    method === verb || (verb === 'GET' && method === 'HEAD') ? { handler, service } : { status: 405, message: `${method} is not allowed on ${path}; use ${verb}`, allow: verb };
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) return only('GET', serverMetadata);
  if (parts[0] === 'health' && parts.length === 2) {
    if (parts[1] === 'live') return only('GET', () => empty(200));
    if (parts[1] === 'ready') return only('GET', (_c, c) => empty(isReady(c) ? 200 : 400));
  }
  if (parts[0] === 'models' && parts.length >= 2) {
    if (parts.length === 2 && parts[1] === 'infer' && method === 'POST') return { handler: infer(undefined), service: 'predictions' };
    const name = decodeURIComponent(parts[1]);
    let rest = parts.slice(2);
    let version: string | undefined;
    if (rest[0] === 'versions' && rest.length >= 2) {
      version = decodeURIComponent(rest[1]);
      rest = rest.slice(2);
    }
    if (rest.length <= 1 && (rest.length === 0 || rest[0] === 'ready' || rest[0] === 'infer')) {
      const missing = findModel(name, version, ctx);
      if (missing) return { status: 404, message: missing };
      if (rest.length === 0) return only('GET', modelMetadata, 'metadata');
      if (rest[0] === 'ready') return only('GET', (_c, c) => empty(isReady(c) ? 200 : 400), 'status');
      return only('POST', infer(version), 'predictions');
    }
  }
  return { status: 404, message: `Not found: ${path}. V2 paths are /v2/health/live, /v2/health/ready, /v2/models/${ctx.name}[/versions/<v>][/ready|/infer]` };
}

/** Why `name`/`version` is not this server's model, or undefined when it is. */
function findModel(name: string, version: string | undefined, ctx: ServerContext): string | undefined {
  if (name !== ctx.name) return `Model ${name} not found; this server serves ${ctx.name}`;
  const versions = ctx.v2Metadata.versions ?? [];
  if (version !== undefined && versions.length > 0 && !versions.includes(version) && version !== ctx.version) {
    return `Model ${name} with version ${version} not found; its versions are ${versions.join(', ')}`;
  }
  return undefined;
}

function isReady(ctx: ServerContext): boolean {
  return ctx.state.ready && !ctx.state.draining;
}

const serverMetadata: Handler = () => json(200, { name: SERVER_NAME, version: '1.0', extensions: [] });

const modelMetadata: Handler = (_call, ctx) => json(200, ctx.v2Metadata);

function infer(version: string | undefined): Handler {
  return async (call: Call, ctx: ServerContext): Promise<Reply> => {
    try {
      const type = mediaType(call.req.headers['content-type']);
      if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
        return v2ErrorReply(400, `Content-Type ${type} is not supported; send the inference request as application/json`);
      }
      const request = parsePythonJson(call.body, ctx.limits.maxDepth);
      if (!isObject(request)) return v2ErrorReply(400, 'The inference request must be a JSON object with "inputs"');
      if (request.id !== undefined && typeof request.id !== 'string') return v2ErrorReply(400, '"id" must be a string');
      if (request.parameters !== undefined && !isObject(request.parameters)) return v2ErrorReply(400, '"parameters" must be an object');
      if (!Array.isArray(request.inputs) || request.inputs.length === 0) {
        return v2ErrorReply(400, 'The inference request needs "inputs": a non-empty list of {name, shape, datatype, data}');
      }
      const wanted = readRequestedOutputs(request.outputs);
      const inputs = request.inputs.map((input, i) => decodeInput(input, i));
      const { features, names } = modelInput(inputs);
      const started = performance.now();
      let output;
      try {
        output = await ctx.model.predict(features as NDArray, names, {});
      } finally {
        ctx.metrics.observeModel('predictions', call.method, 200, (performance.now() - started) / 1000);
      }
      const outputName = ctx.v2Metadata.outputs?.[0]?.name ?? 'output-0';
      const encoded = encodeOutput(outputName, output);
      const unknown = wanted?.find((w) => w !== outputName);
      if (unknown !== undefined) return v2ErrorReply(400, `Output ${unknown} is not produced by model ${ctx.name}; it produces ${outputName}`);
      const response: Record<string, unknown> = { model_name: ctx.name };
      const modelVersion = version ?? ctx.version;
      if (modelVersion !== undefined) response.model_version = modelVersion;
      response.id = typeof request.id === 'string' ? request.id : randomUUID();
      if (request.parameters !== undefined) response.parameters = request.parameters;
      // A model here makes one output, so selecting outputs can only confirm its name.
      response.outputs = [encoded];
      return json(200, response);
    } catch (err) {
      return v2ErrorFrom(err, ctx);
    }
  };
}

function readRequestedOutputs(outputs: unknown): string[] | undefined {
  if (outputs === undefined) return undefined;
  if (!Array.isArray(outputs)) throw new MicroserviceError('"outputs" must be a list of {name}', 400);
  return outputs.map((o, i) => {
    if (!isObject(o) || typeof o.name !== 'string') throw new MicroserviceError(`outputs[${i}] must be an object with a "name"`, 400);
    return o.name;
  });
}

/** One input as is, or several column inputs (shape [n] or [n, 1]) as one table of n rows. */
function modelInput(inputs: DecodedInput[]): { features: unknown; names: string[] } {
  if (inputs.length === 1) return { features: inputs[0].value, names: [] };
  const rows = inputs[0].shape[0];
  for (const input of inputs) {
    const isColumn = input.shape.length === 1 || (input.shape.length === 2 && input.shape[1] === 1);
    if (!isColumn || input.shape[0] !== rows) {
      throw new MicroserviceError(
        `Several inputs are read as the columns of one table, so each needs shape [${rows}] or [${rows}, 1]; ${input.name} has shape [${input.shape.join(', ')}]. Or send one input holding the whole table.`,
        400,
      );
    }
  }
  const columns = inputs.map((input) => (input.shape.length === 2 ? (input.value as unknown[][]).map((r) => r[0]) : (input.value as unknown[])));
  const features = Array.from({ length: rows }, (_, r) => columns.map((c) => c[r]));
  return { features, names: inputs.map((i) => i.name) };
}
