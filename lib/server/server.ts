// SPDX-License-Identifier: Apache-2.0
// startModelServer(): the model server as a value, for the CLI, notebooks and tests.
//
//   const server = await startModelServer({ model, port: 9000 });
//   ... POST http://127.0.0.1:9000/api/v1.0/predictions ...
//   await server.close();
//
// The model is loaded before the port opens, because Seldon's readiness probe is a TCP connect
// to that port: an open port must mean a model that answers. close() drains: it stops accepting,
// tells keep-alive clients to go, lets requests in flight finish, then resolves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SeldonModel } from './model.js';
import { createRequestHandler } from './app.js';
import type { ServerContext, ServerLimits } from './context.js';
import { ServerMetrics } from './metrics.js';
import { seldonMetadata, v2Metadata } from './metadata.js';
import { requestPathOf, unitFromEnv, type UnitInfo } from './unit.js';

export interface ModelServerOptions {
  model: SeldonModel;
  /** The model's name in V2 paths; default PREDICTIVE_UNIT_ID, else `model`. */
  name?: string;
  version?: string;
  /** Default 9000 (Seldon's model port); 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0, as in a container; use 127.0.0.1 on a laptop or in tests. */
  host?: string;
  /** Who this server is in the deployment; default read from Seldon's environment. */
  unit?: UnitInfo;
  /** Largest request body in bytes (default 10 MiB; HTTP 413 beyond). */
  maxBodyBytes?: number;
  /** Deepest nesting of arrays/objects in a request (default 64). */
  maxDepth?: number;
  /** CORS: `*` (default) or the allowed origins. */
  corsOrigins?: '*' | string[];
  /** Also serve the metrics alone on this port (Seldon's metrics port, 6000 in a pod). */
  metricsPort?: number;
  /** Path of the metrics on `metricsPort` (PREDICTIVE_UNIT_METRICS_ENDPOINT, default /prometheus). */
  metricsPath?: string;
  /** Also keep the executor's `_summary` metrics (off by default: they cost more per request than the rest). */
  metricsSummaries?: boolean;
  log?: ServerContext['log'];
}

export interface ModelServer {
  /** `http://<host>:<port>`, with 127.0.0.1 standing in for 0.0.0.0. */
  url: string;
  port: number;
  host: string;
  /** What the handlers share (model, metrics, state). */
  context: ServerContext;
  /**
   * Stops accepting, lets requests in flight finish, and resolves when every connection is closed
   * (or, after `timeoutMs`, closes the rest and resolves with `forced: true`). Calling it again
   * with `timeoutMs: 0` cuts the connections still open.
   */
  close(options?: { timeoutMs?: number }): Promise<{ forced: boolean }>;
}

export const DEFAULT_LIMITS: ServerLimits = { maxBodyBytes: 10 * 1024 * 1024, maxDepth: 64 };

const stderrLog: ServerContext['log'] = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/** Loads the model, opens the port, and resolves once the server answers. */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const { model } = options;
  const unit = options.unit ?? unitFromEnv();
  const log = options.log ?? stderrLog;
  if (model.load) await model.load();
  const name = options.name ?? unit.unitId ?? 'model';
  const ctx: ServerContext = {
    model,
    name,
    version: options.version,
    unit,
    requestPath: requestPathOf(unit),
    limits: { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes, maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth },
    metrics: new ServerMetrics(unit, log.warn, { summaries: options.metricsSummaries }),
    metadata: await seldonMetadata(model, unit),
    v2Metadata: await v2Metadata(model, name, options.version),
    state: { ready: false, draining: false },
    corsOrigins: options.corsOrigins ?? '*',
    log,
  };
  if (ctx.metadata.error !== undefined) log.warn(`Model metadata is invalid, GET /metadata will answer 500: ${ctx.metadata.error}`);

  const server = createServer(createRequestHandler(ctx));
  answerClientErrors(server);
  const host = options.host ?? '0.0.0.0';
  await listen(server, options.port ?? 9000, host);
  const port = (server.address() as AddressInfo).port;

  let metricsServer: Server | undefined;
  if (options.metricsPort !== undefined && options.metricsPort !== port) {
    metricsServer = await startMetricsServer(ctx, options.metricsPort, host, options.metricsPath ?? '/prometheus').catch((err: Error) => {
      // A second server on the same machine (the sandbox runs pods as processes) may hold the
      // port; the metrics are still on the main port at /prometheus.
      log.warn(`Metrics port ${options.metricsPort} not opened (${err.message}); metrics stay on port ${port} at /prometheus`);
      return undefined;
    });
  }
  ctx.state.ready = true;

  let closing: Promise<{ forced: boolean }> | undefined;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`,
    port,
    host,
    context: ctx,
    close(closeOptions = {}) {
      // Asked again with no time left (a second Ctrl-C): cut the remaining connections now.
      if (closing && closeOptions.timeoutMs === 0) server.closeAllConnections();
      closing ??= drain(ctx, server, metricsServer, closeOptions.timeoutMs ?? 20_000);
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${host} is already in use; stop the other server or choose another --http-port`) : err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function drain(ctx: ServerContext, server: Server, metricsServer: Server | undefined, timeoutMs: number): Promise<{ forced: boolean }> {
  ctx.state.draining = true;
  ctx.state.ready = false;
  metricsServer?.close();
  metricsServer?.closeAllConnections();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive connections would hold close() open; busy ones end after their answer,
  // which carries `Connection: close` while draining.
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    server.closeAllConnections();
    await closed;
    return { forced: true };
  }
  return { forced: false };
}

function answerClientErrors(server: Server): void {
  // A request Node cannot even parse (bad request line, huge headers) gets a JSON answer too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ status: { code: -1, info: `Malformed HTTP request: ${err.code ?? err.message}`, reason: 'MICROSERVICE_BAD_DATA', status: 1 } });
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

async function startMetricsServer(ctx: ServerContext, port: number, host: string, path: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if ((url === path || url.startsWith(`${path}?`)) && (req.method === 'GET' || req.method === 'HEAD')) {
      ctx.metrics.render().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(err.message);
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: { code: -1, info: `Not found: this port serves only GET ${path}`, reason: 'NOT_FOUND', status: 1 } }));
  });
  await listen(server, port, host);
  return server;
}
