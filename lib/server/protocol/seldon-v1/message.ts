// SPDX-License-Identifier: Apache-2.0
// Reading a SeldonMessage (protocol v1) from request JSON, and checking it.
//
// A SeldonMessage carries one payload: `data` (a tensor `{shape, values}` or an `ndarray` of
// nested lists, with optional column `names`), or `jsonData` (any JSON), `strData` (text) or
// `binData` (base64 bytes); plus an optional `meta` {puid, tags, routing, requestPath, metrics}.
// This file turns it into what the model receives (Seldon's `extract_request_parts_json`) and
// refuses malformed messages with a 400 that names the field, where Seldon's protobuf parser
// would say "Invalid JSON: ...".
import type { NDArray, SeldonMeta } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import { resolveShape, reshape, ShapeError } from '../ndarray.js';
import { pyStr } from './errors.js';

/** Which payload a message carried; the response answers in the same one. */
export type PayloadKind = 'tensor' | 'ndarray' | 'none' | 'jsonData' | 'strData' | 'binData';

/** A checked request: what the model is called with, and what the response needs to know. */
export interface SeldonRequest {
  /** `tensor`/`ndarray` (or `none`: `data` without either) for `data`; else the payload key. */
  kind: PayloadKind;
  /** What the model's `predict` receives: nested arrays, a JSON value, a string, or bytes. */
  features: unknown;
  /** `data.names`, the feature (column) names; [] when absent. */
  names: string[];
  meta: SeldonMeta | undefined;
}

/** The feedback message: `{request, response, reward, truth}`. */
export interface SeldonFeedback {
  request: SeldonRequest | undefined;
  response: SeldonRequest | undefined;
  reward: number;
  truth: SeldonRequest | undefined;
}

const FEEDBACK_KEYS = new Set(['request', 'response', 'reward', 'truth']);
const MESSAGE_KEYS = new Set(['status', 'meta', 'data', 'binData', 'strData', 'jsonData', 'customData']);

function bad(message: string): MicroserviceError {
  return new MicroserviceError(message, 400, 'MICROSERVICE_BAD_DATA');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a prediction request. Throws a 400 MicroserviceError for anything Seldon would refuse. */
export function readSeldonMessage(json: unknown, where = 'request', options: { allowEmpty?: boolean } = {}): SeldonRequest {
  if (json === null) throw bad('Invalid Data Format - empty JSON');
  if (!isObject(json)) throw bad(`Invalid request data type: ${pyStr(json)}`);
  const meta = readMeta(json.meta, `${where}.meta`);
  if ('data' in json) {
    const data = json.data;
    if (!isObject(data)) throw bad(`Invalid JSON: ${where}.data must be an object like {"ndarray": [[1, 2]]}, not ${pyStr(data)}`);
    const names = readNames(data.names, `${where}.data.names`);
    if ('tensor' in data) return { kind: 'tensor', features: readTensor(data.tensor, `${where}.data.tensor`), names, meta };
    if ('ndarray' in data) {
      if (!Array.isArray(data.ndarray)) throw bad(`Invalid JSON: ${where}.data.ndarray must be a list (nested lists for rows), not ${pyStr(data.ndarray)}`);
      return { kind: 'ndarray', features: data.ndarray, names, meta };
    }
    if ('tftensor' in data) throw bad(`${where}.data.tftensor is not supported by this server; send data.ndarray or data.tensor`);
    // Seldon hands the model an empty array when `data` holds neither.
    return { kind: 'none', features: [], names, meta };
  }
  if ('jsonData' in json) return { kind: 'jsonData', features: json.jsonData, names: [], meta };
  if ('strData' in json) {
    if (typeof json.strData !== 'string') throw bad(`Invalid JSON: ${where}.strData must be a string`);
    return { kind: 'strData', features: json.strData, names: [], meta };
  }
  if ('binData' in json) return { kind: 'binData', features: readBase64(json.binData, `${where}.binData`), names: [], meta };
  if (options.allowEmpty && Object.keys(json).every((k) => MESSAGE_KEYS.has(k))) return { kind: 'none', features: [], names: [], meta };
  const unknown = Object.keys(json).filter((k) => !MESSAGE_KEYS.has(k));
  const hint = unknown.length > 0 ? ` (unknown field ${JSON.stringify(unknown[0])})` : '';
  throw bad(`Invalid request data type: ${pyStr(json)}${hint}; send one of data, jsonData, strData or binData, e.g. {"data": {"ndarray": [[1, 2, 3, 4]]}}`);
}

/** Reads a feedback message `{request, response, reward, truth}`. */
export function readFeedback(json: unknown): SeldonFeedback {
  if (json === null) throw bad('Invalid Data Format - empty JSON');
  if (!isObject(json)) throw bad(`Invalid JSON: feedback must be an object {request, response, reward, truth}, not ${pyStr(json)}`);
  for (const key of Object.keys(json)) {
    if (!FEEDBACK_KEYS.has(key)) throw bad(`Invalid JSON: Message type "seldon.protos.Feedback" has no field named "${key}".`);
  }
  const reward = json.reward ?? 0;
  if (typeof reward !== 'number') throw bad(`Invalid JSON: feedback.reward must be a number, not ${pyStr(reward)}`);
  const part = (key: 'request' | 'response' | 'truth'): SeldonRequest | undefined =>
    // Parts of a feedback may carry only meta (the response's routing, say).
    json[key] === undefined ? undefined : readSeldonMessage(json[key], `feedback.${key}`, { allowEmpty: true });
  return { request: part('request'), response: part('response'), reward, truth: part('truth') };
}

function readNames(names: unknown, where: string): string[] {
  if (names === undefined || names === null) return [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw bad(`Invalid JSON: ${where} must be a list of strings (column names)`);
  }
  return names as string[];
}

function readTensor(tensor: unknown, where: string): NDArray {
  if (!isObject(tensor)) throw bad(`Invalid JSON: ${where} must be {"shape": [...], "values": [...]}`);
  const values = tensor.values ?? [];
  if (!Array.isArray(values)) throw bad(`Invalid JSON: ${where}.values must be a flat list of numbers`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as unknown;
    // Tensor values are protobuf doubles: numbers only (NaN and Infinity included, as Python reads them).
    if (typeof v !== 'number') {
      throw bad(`Invalid JSON: ${where}.values[${i}] is ${pyStr(v)}; tensor values must be numbers. Send text in data.ndarray, jsonData or strData`);
    }
  }
  try {
    const shape = resolveShape(tensor.shape ?? [values.length], values.length, `${where}.shape`);
    return reshape(values as number[], shape) as NDArray;
  } catch (err) {
    if (err instanceof ShapeError) throw bad(`Invalid JSON: ${err.message}`);
    throw err;
  }
}

function readBase64(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(value)) {
    throw bad(`Invalid JSON: ${where} must be base64 text`);
  }
  // A plain Uint8Array, not a Buffer: the model sees the same type whatever made the bytes.
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function readMeta(meta: unknown, where: string): SeldonMeta | undefined {
  if (meta === undefined || meta === null) return undefined;
  if (!isObject(meta)) throw bad(`Invalid JSON: ${where} must be an object`);
  if (meta.puid !== undefined && typeof meta.puid !== 'string') throw bad(`Invalid JSON: ${where}.puid must be a string`);
  if (meta.tags !== undefined && !isObject(meta.tags)) throw bad(`Invalid JSON: ${where}.tags must be an object`);
  if (meta.routing !== undefined) {
    if (!isObject(meta.routing) || Object.values(meta.routing).some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
      throw bad(`Invalid JSON: ${where}.routing must map unit names to whole numbers`);
    }
  }
  if (meta.requestPath !== undefined) {
    if (!isObject(meta.requestPath) || Object.values(meta.requestPath).some((v) => typeof v !== 'string')) {
      throw bad(`Invalid JSON: ${where}.requestPath must map unit names to image names (strings)`);
    }
  }
  if (meta.metrics !== undefined) {
    if (!Array.isArray(meta.metrics)) throw bad(`Invalid JSON: ${where}.metrics must be a list`);
    meta.metrics.forEach((m, i) => {
      if (!isObject(m) || typeof m.key !== 'string' || typeof m.value !== 'number' || (m.type !== undefined && !['COUNTER', 'GAUGE', 'TIMER'].includes(m.type as string))) {
        throw bad(`Invalid JSON: ${where}.metrics[${i}] must be {"key": str, "type": "COUNTER"|"GAUGE"|"TIMER", "value": number}`);
      }
    });
  }
  return meta as SeldonMeta;
}
