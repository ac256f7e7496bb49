// SPDX-License-Identifier: Apache-2.0
// What every route handler shares: the model, who this server is, its limits, metrics and state.
//
// Handlers take a `Call` (the parsed request) and return a `Reply`; only app.ts touches Node's
// request and response objects, so handlers stay small and testable without a socket.
import type { IncomingMessage } from 'node:http';
import type { ModelMetadata, SeldonModel } from './model.js';
import type { ServerMetrics } from './metrics.js';
import type { UnitInfo } from './unit.js';
import type { MetadataResult } from './metadata.js';

/**
 * Optional model methods beyond lib/server/model.ts that Seldon's Python wrapper also knows:
 * custom metrics and tags added to every response (and exported at /prometheus).
 */
/** Kept for compatibility: `metrics()` and `tags()` are part of `SeldonModel` now. */
export type ModelExtras = Pick<SeldonModel, 'metrics' | 'tags'>;

export interface ServerLimits {
  /** Largest accepted request body, in bytes (HTTP 413 beyond). */
  maxBodyBytes: number;
  /** Deepest accepted nesting of arrays/objects in a request. */
  maxDepth: number;
}

export interface ServerContext {
  model: SeldonModel & ModelExtras;
  /** The model's name for V2 paths and messages (PREDICTIVE_UNIT_ID, --name, or `model`). */
  name: string;
  /** The model's version for V2, if it has one. */
  version?: string;
  unit: UnitInfo;
  /** `{unit id: image}` for `meta.requestPath`. */
  requestPath: Record<string, string>;
  limits: ServerLimits;
  metrics: ServerMetrics;
  /** Seldon's validated model metadata (GET /metadata), computed once at start-up. */
  metadata: MetadataResult;
  /** The model's V2 metadata, from `metadata()` with the server's defaults. */
  v2Metadata: ModelMetadata;
  state: { ready: boolean; draining: boolean };
  /** `*`, or the origins allowed by CORS_ALLOWED_ORIGINS. */
  corsOrigins: '*' | string[];
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
}

/** One HTTP request as a handler sees it. */
export interface Call {
  req: IncomingMessage;
  method: string;
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** The body as text ('' for GET). */
  body: string;
}

/** What a handler answers. `service` labels the request in the metrics when set. */
export interface Reply {
  status: number;
  body: string | Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

export type Handler = (call: Call, ctx: ServerContext) => Reply | Promise<Reply>;

export const JSON_TYPE = 'application/json';

/** A promise, or any thenable (a model may come from another realm, e.g. a notebook's kernel). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
