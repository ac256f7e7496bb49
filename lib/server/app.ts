// SPDX-License-Identifier: Apache-2.0
// The request handler: from Node's request to a route, and from the route's Reply to the wire.
//
// Every answer, error or not, carries the request's `Seldon-Puid` (a new uuid when the client
// sent none), as Seldon's executor does, and CORS headers when the request comes from a browser
// page (it has an Origin header; Seldon's CORS middleware answers those only). OPTIONS is a CORS
// preflight on any path.
// Unknown paths get a JSON 404 (Seldon's status body, or `{"error"}` under /v2). A handler never
// throws here: whatever escapes becomes a JSON 500, so the server keeps answering.
//
// This is the per-request path, so it is written to allocate little: one Exchange object per
// request holds its state (no closures are made per request), a synchronous handler's Reply is
// sent without a promise, and headers go to Node as one flat array.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, type BodySink } from './http/body.js';
import type { Call, Handler, Reply, ServerContext } from './context.js';
import { JSON_TYPE } from './context.js';
import { seldonV1Routes } from './protocol/seldon-v1/routes.js';
import { REASON, seldonErrorBody } from './protocol/seldon-v1/errors.js';
import { writeSeldonJson } from './protocol/seldon-v1/response.js';
import { resolveV2 } from './protocol/v2/routes.js';
import { v2ErrorReply } from './protocol/v2/errors.js';
import { resolveDoc } from './openapi/doc-page.js';

type Resolution = { handler: Handler; service?: string } | { status: 404 | 405; message: string; allow?: string };

const v1ByPath = new Map(seldonV1Routes.map((r) => [r.path, r]));

function resolve(method: string, path: string, ctx: ServerContext): Resolution {
  const route = v1ByPath.get(path);
  if (route) {
    const handler = route.methods[method === 'HEAD' ? 'GET' : (method as 'GET' | 'POST')];
    if (handler) return { handler, service: route.service };
    const allow = Object.keys(route.methods).join(', ');
    return { status: 405, message: `${method} is not allowed on ${path}; use ${allow}`, allow };
  }
  if (path === '/v2' || path.startsWith('/v2/')) return resolveV2(method, path, ctx);
  const doc = resolveDoc(path);
  if (doc) {
    return method === 'GET' || method === 'HEAD' ? { handler: doc } : { status: 405, message: `${method} is not allowed on ${path}; use GET`, allow: 'GET' };
  }
  return {
    status: 404,
    message: `Not found: ${method} ${path}. This model server answers POST /api/v1.0/predictions, POST /api/v1.0/feedback, GET /api/v1.0/metadata, GET /health/status, the V2 paths under /v2, and the API page at /api/v1.0/doc/`,
  };
}

function errorReply(path: string, status: number, message: string, reason: string): Reply {
  if (path === '/v2' || path.startsWith('/v2/')) return v2ErrorReply(status, message);
  return { status, body: writeSeldonJson(seldonErrorBody(message, reason)), contentType: JSON_TYPE };
}

/** Node's `(req, res)` handler serving `ctx`'s model. */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleRequest(req, res) {
    new Exchange(ctx, req, res).start();
  };
}

/** One request and its answer. */
class Exchange implements BodySink {
  private readonly started = performance.now();
  private readonly method: string;
  private readonly path: string;
  private readonly query: string;
  private readonly puid: string;
  private service: string | undefined;
  private handler: Handler | undefined;
  private closeAfter = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.query = q < 0 ? '' : url.slice(q + 1);
    this.method = req.method ?? 'GET';
    const puid = req.headers['seldon-puid'];
    this.puid = typeof puid === 'string' && puid !== '' ? puid : randomUUID();
  }

  start(): void {
    const { method, path, ctx, req } = this;
    if (method === 'OPTIONS') {
      const requested = req.headers['access-control-request-headers'];
      this.send({ status: 200, body: '', contentType: 'text/plain; charset=utf-8' }, [
        'Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS',
        'Access-Control-Allow-Headers', typeof requested === 'string' && requested !== '' ? requested : 'Content-Type, Seldon-Puid',
        'Access-Control-Max-Age', '600',
      ]);
      return;
    }
    const found = resolve(method, path, ctx);
    if (!('handler' in found)) {
      const reason = found.status === 404 ? REASON.notFound : REASON.methodNotAllowed;
      this.send(errorReply(path, found.status, found.message, reason), found.allow ? ['Allow', found.allow] : undefined);
      return;
    }
    this.handler = found.handler;
    this.service = found.service;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') readBody(req, ctx.limits.maxBodyBytes, this);
    else this.onBody('');
  }

  /** The body has arrived: run the handler, and answer now or when its promise settles. */
  onBody(body: string): void {
    const call: Call = { req: this.req, method: this.method, path: this.path, query: this.query, body };
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.handler!(call, this.ctx);
    } catch (err) {
      this.onError(err);
      return;
    }
    if (reply instanceof Promise) reply.then((r) => this.finish(r), (err: unknown) => this.onError(err));
    else this.finish(reply);
  }

  onError(err: unknown): void {
    // The client hung up while sending: there is no one to answer, and nothing went wrong here.
    if (this.res.destroyed || (err as NodeJS.ErrnoException)?.code === 'ECONNRESET') return;
    if (err instanceof BodyTooLargeError) {
      // The rest of the body is not read; closing the connection is the only clean way on.
      this.closeAfter = true;
      this.finish(errorReply(this.path, 413, err.message, REASON.tooLarge));
      return;
    }
    this.ctx.log.error(`Unexpected error on ${this.method} ${this.path}: ${(err as Error)?.stack ?? String(err)}`);
    this.finish(errorReply(this.path, 500, `Internal error: ${(err as Error)?.message ?? String(err)}`, REASON.internal));
  }

  private finish(reply: Reply): void {
    this.send(reply, reply.headers ? Object.entries(reply.headers).flat() : undefined);
    if (this.service) this.ctx.metrics.observeRequest(this.service, this.method, reply.status, (performance.now() - this.started) / 1000);
  }

  private send(reply: Reply, extra: string[] | undefined): void {
    const { res, ctx } = this;
    if (res.headersSent || res.destroyed) return;
    const body = reply.body;
    const headers: Array<string | number> = [
      'Content-Type', reply.contentType,
      'Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length,
      'Seldon-Puid', this.puid,
    ];
    const origin = this.req.headers.origin;
    if (origin !== undefined || this.method === 'OPTIONS') {
      const allowed = allowedOrigin(origin, ctx);
      if (allowed) headers.push('Access-Control-Allow-Origin', allowed, 'Access-Control-Expose-Headers', 'Seldon-Puid');
      if (ctx.corsOrigins !== '*') headers.push('Vary', 'Origin');
    }
    if (extra) headers.push(...extra);
    // While draining, tell keep-alive clients to reconnect (elsewhere), so the server can close.
    if (this.closeAfter || ctx.state.draining) headers.push('Connection', 'close');
    res.writeHead(reply.status, headers as string[]);
    res.end(body);
  }
}

/** The Access-Control-Allow-Origin value for `origin`: `*`, the origin itself, or none. */
function allowedOrigin(origin: string | undefined, ctx: ServerContext): string | undefined {
  if (ctx.corsOrigins === '*') return '*';
  return origin !== undefined && ctx.corsOrigins.includes(origin) ? origin : undefined;
}
