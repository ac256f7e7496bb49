// SPDX-License-Identifier: Apache-2.0
// The Seldon protocol v1 endpoints of a model container, as Seldon's Python wrapper serves them.
//
//   POST /api/v1.0/predictions, /predict (also GET /predict?json=)   -> model.predict
//   POST /api/v1.0/feedback, /send-feedback                          -> model.sendFeedback
//   GET  /api/v1.0/metadata, /metadata                               -> model metadata
//   GET  /health/ping -> "pong"   GET /health/status -> {"strData":"healthy"}
//   GET  /live, /ready (the executor's probes), GET /prometheus (metrics)
import type { ModelOutput, NDArray, SeldonMeta } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import { findRequestJson } from '../../http/body.js';
import type { Handler, Reply, ServerContext } from '../../context.js';
import { isPromise, JSON_TYPE } from '../../context.js';
import { describeError, REASON, seldonErrorBody } from './errors.js';
import { readFeedback, readSeldonMessage, type SeldonRequest } from './message.js';
import { buildSeldonResponse, writeSeldonJson, type ResponseExtras } from './response.js';

export interface Route {
  path: string;
  /** The metrics' `service` label; unset for probes and metrics themselves. */
  service?: string;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

/** A Seldon error answer for anything thrown (400 for bad input, 500 for model failures). */
export function seldonErrorReply(err: unknown, ctx: ServerContext): Reply {
  const { httpStatus, reason, info } = describeError(err);
  if (httpStatus >= 500) ctx.log.error(`${reason}: ${info}`);
  return { status: httpStatus, body: writeSeldonJson(seldonErrorBody(info, reason)), contentType: JSON_TYPE };
}

function ok(body: unknown): Reply {
  return { status: 200, body: writeSeldonJson(body), contentType: JSON_TYPE };
}

/** The model's own tags and metrics after a call, recorded in Prometheus too. */
function extrasAfterCall(ctx: ServerContext, withClassNames: boolean): ResponseExtras {
  const { model } = ctx;
  const metrics = model.metrics?.() ?? undefined;
  if (metrics && metrics.length > 0) ctx.metrics.recordCustom(metrics);
  return {
    requestPath: ctx.requestPath,
    classNames: withClassNames ? model.classNames?.() : undefined,
    tags: model.tags?.() ?? undefined,
    metrics,
  };
}

/**
 * POST /api/v1.0/predictions. Written without `async`: a model that answers synchronously (the
 * prepackaged ones do) gets its Reply back with no promise in between.
 */
const predict: Handler = (call, ctx) => {
  let request: SeldonRequest;
  try {
    request = readSeldonMessage(findRequestJson({ contentType: call.req.headers['content-type'], body: call.body, query: call.query }, ctx.limits.maxDepth));
  } catch (err) {
    return seldonErrorReply(err, ctx);
  }
  const started = performance.now();
  let output: ModelOutput | Promise<ModelOutput>;
  try {
    // Seldon hands a numpy array; we hand nested arrays (or the raw jsonData/strData/binData).
    output = ctx.model.predict(request.features as NDArray, request.names, request.meta);
  } catch (err) {
    ctx.metrics.observeModel('predictions', call.method, 500, (performance.now() - started) / 1000);
    return seldonErrorReply(err, ctx);
  }
  if (isPromise(output)) {
    // Promise.resolve: a thenable from another realm becomes a promise of ours.
    return Promise.resolve(output).then(
      (value) => answerPrediction(request, value, ctx, call.method, started),
      (err: unknown) => {
        ctx.metrics.observeModel('predictions', call.method, 500, (performance.now() - started) / 1000);
        return seldonErrorReply(err, ctx);
      },
    );
  }
  return answerPrediction(request, output, ctx, call.method, started);
};

function answerPrediction(request: SeldonRequest, output: ModelOutput, ctx: ServerContext, method: string, started: number): Reply {
  ctx.metrics.observeModel('predictions', method, 200, (performance.now() - started) / 1000);
  try {
    return ok(buildSeldonResponse(request, output, extrasAfterCall(ctx, true)));
  } catch (err) {
    return seldonErrorReply(err, ctx);
  }
}

const EMPTY_REQUEST: SeldonRequest = { kind: 'ndarray', features: [], names: [], meta: undefined };

const feedback: Handler = async (call, ctx) => {
  try {
    const fb = readFeedback(findRequestJson({ contentType: call.req.headers['content-type'], body: call.body, query: call.query }, ctx.limits.maxDepth));
    const request = fb.request ?? EMPTY_REQUEST;
    const routing = ctx.unit.unitId ? fb.response?.meta?.routing?.[ctx.unit.unitId] : undefined;
    let output: ModelOutput = undefined;
    if (ctx.model.sendFeedback) {
      output = await ctx.model.sendFeedback(request.features as NDArray, request.names, fb.reward, fb.truth?.features as NDArray | undefined, routing);
    }
    ctx.metrics.recordReward(fb.reward);
    // Seldon answers feedback through protobuf, which drops empty lists; so do we.
    const response = buildSeldonResponse(request, output ?? [], extrasAfterCall(ctx, false));
    const data = response.data as { names?: unknown[] } | undefined;
    if (data?.names?.length === 0) delete data.names;
    return ok(response);
  } catch (err) {
    return seldonErrorReply(err, ctx);
  }
};

const metadata: Handler = (_call, ctx) => {
  const { value, error } = ctx.metadata;
  if (error !== undefined || !value) {
    return seldonErrorReply(new MicroserviceError(`Model metadata unavailable: ${error ?? 'none'}`, 500, REASON.badMetadata), ctx);
  }
  return ok(value);
};

const ping: Handler = () => ({ status: 200, body: 'pong', contentType: 'text/html; charset=utf-8' });

const healthStatus: Handler = async (_call, ctx) => {
  try {
    const healthy = ctx.model.health ? await ctx.model.health() : true;
    if (healthy === false) throw new MicroserviceError('The model reports that it is not healthy (its health() returned false)', 503, REASON.notReady);
    const meta: SeldonMeta = {};
    return ok(buildSeldonResponse({ kind: 'none', features: [], names: [], meta }, 'healthy', extrasAfterCall(ctx, false)));
  } catch (err) {
    return seldonErrorReply(err, ctx);
  }
};

const live: Handler = () => ({ status: 200, body: 'live', contentType: 'text/plain; charset=utf-8' });

const ready: Handler = async (_call, ctx) => {
  if (ctx.state.draining) return seldonErrorReply(new MicroserviceError('The server is shutting down', 503, REASON.notReady), ctx);
  if (!ctx.state.ready) return seldonErrorReply(new MicroserviceError('The model is still loading', 503, REASON.notReady), ctx);
  try {
    const healthy = ctx.model.health ? await ctx.model.health() : true;
    if (healthy === false) throw new MicroserviceError('The model reports that it is not healthy (its health() returned false)', 503, REASON.notReady);
  } catch (err) {
    const { info } = describeError(err);
    return seldonErrorReply(new MicroserviceError(`The model is not ready: ${info}`, 503, REASON.notReady), ctx);
  }
  return { status: 200, body: 'ready', contentType: 'text/plain; charset=utf-8' };
};

const prometheus: Handler = async (_call, ctx) => {
  const { contentType, body } = await ctx.metrics.render();
  return { status: 200, body, contentType };
};

/** Every v1 route. Paths are matched exactly, as Flask does. */
export const seldonV1Routes: Route[] = [
  { path: '/api/v1.0/predictions', service: 'predictions', methods: { POST: predict } },
  { path: '/api/v0.1/predictions', service: 'predictions', methods: { POST: predict } },
  { path: '/predict', service: 'predictions', methods: { GET: predict, POST: predict } },
  { path: '/api/v1.0/feedback', service: 'feedback', methods: { POST: feedback } },
  { path: '/api/v0.1/feedback', service: 'feedback', methods: { POST: feedback } },
  { path: '/send-feedback', service: 'feedback', methods: { GET: feedback, POST: feedback } },
  { path: '/api/v1.0/metadata', service: 'metadata', methods: { GET: metadata } },
  { path: '/metadata', service: 'metadata', methods: { GET: metadata } },
  { path: '/health/ping', methods: { GET: ping } },
  { path: '/health/status', service: 'status', methods: { GET: healthStatus } },
  { path: '/api/v1.0/health/status', service: 'status', methods: { GET: healthStatus } },
  { path: '/live', methods: { GET: live } },
  { path: '/ready', methods: { GET: ready } },
  { path: '/prometheus', methods: { GET: prometheus } },
];

