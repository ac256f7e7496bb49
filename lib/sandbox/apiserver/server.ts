// SPDX-License-Identifier: Apache-2.0
// The HTTPS face of the sandbox API server: 127.0.0.1 only, TLS from the sandbox's own CA, a bearer
// token on every request, and the REST, watch and discovery endpoints kubectl, helm and
// client-node use. Each request is: authenticate -> authorize -> faults (if armed) -> route -> core -> answer.
//
// Two kinds of bearer token are accepted: the sandbox's own (in the kubeconfig; the cluster admin,
// who may do anything) and the ServiceAccount tokens pods find in their mounted credentials
// (serviceaccounts.ts). What a ServiceAccount may do is what RBAC grants it (authz.ts): a request
// its Roles do not allow gets the real server's 403, before anything else looks at it.
//
// One request leaves HTTP behind: `pods/{name}/portforward` (what `kubectl port-forward` asks for)
// upgrades its connection to SPDY or WebSocket streams. It arrives as Node's 'upgrade' event, is
// authenticated the same way, finds the pod, and then belongs to the port-forward handler
// (lib/sandbox/network/portforward), which connects to the pod's address.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { RbacAuthorizer } from './authz.js';
import { ADMIN_USER, serviceAccountUser, type UserInfo } from './authz-rules.js';
import { forbidden, requestAttributes } from './authz-requests.js';
import { answerReview, isReview } from './authz-reviews.js';
import type { Faults } from '../faults.js';
import { toTable } from './collaborators.js';
import { newContext, type ApiCore, type WriteContext } from './core.js';
import { aggregated, aggregatedContentType, apiGroup, coreVersions, groupList, resourceList, wantsAggregated } from './discovery.js';
import { decodeBody, MAX_BODY_BYTES, readBody, responseForm, sendError, sendJson, sendText, type ResponseForm } from './http.js';
import { impersonate } from './impersonation.js';
import { groupVersionDocument, openApiIndex } from './openapi.js';
import { openApiV2Document, sendOpenApiV2 } from './openapi-v2.js';
import { BUILTIN_TYPES } from './resources.js';
import { route, type ResourceRoute } from './router.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ServiceAccountTokens } from './serviceaccounts.js';
import { ApiError, errors } from './status.js';
import type { KubeObject, ResourceType, WatchEvent } from './types.js';

/** What `kubectl version` and helm's capability checks read. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+seldon-lab-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** Serves `pods/log` (the kubelet plugs in here). */
export type LogProvider = (pod: KubeObject, options: LogOptions) => Promise<string | AsyncIterable<Buffer | string>>;

/** The pod a port-forward request names, as the API server found it. */
export interface PortForwardTarget {
  namespace: string;
  name: string;
  uid?: string;
  podIP?: string;
}

/** Takes over an authenticated `pods/{name}/portforward` upgrade (network/portforward/handler.ts). */
export type PortForwardHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: PortForwardTarget) => void;

export interface ApiServerOptions {
  core: ApiCore;
  token: string;
  faults: Faults;
  tls: { key: string; cert: string };
  host?: string;
  port?: number;
  logs?: LogProvider;
  /** checks the ServiceAccount tokens of pods (default: only `token` is accepted) */
  serviceAccountTokens?: ServiceAccountTokens;
  /** serves `kubectl port-forward` (default: such requests get 400, as from a node that cannot forward) */
  portForward?: PortForwardHandler;
  maxBodyBytes?: number;
  /** one line per request (method, path, status), for debugging clients */
  log?: (line: string) => void;
}

const ANONYMOUS = new Set(['version', 'health']);
const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;
const HTTP_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };
const BUILTIN_GROUP_VERSIONS = new Set(BUILTIN_TYPES.map((t) => `${t.group}/${t.version}`));

function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

function writeContext(q: URLSearchParams, req: IncomingMessage): WriteContext {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) {
    if (d !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(d)}: supported values: "All"`);
  }
  const validation = q.get('fieldValidation') ?? undefined;
  if (validation !== undefined && !['Strict', 'Warn', 'Ignore'].includes(validation)) {
    throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(validation)}: supported values: "Ignore", "Strict", "Warn"`);
  }
  return newContext({
    dryRun: dryRun.length > 0,
    fieldManager: q.get('fieldManager') ?? undefined,
    fieldValidation: validation as WriteContext['fieldValidation'],
    force: queryFlag(q, 'force'),
    userAgent: req.headers['user-agent'],
  });
}

function partialMetadata(object: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export class ApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<IncomingMessage>();
  private boundPort = 0;
  private readonly authorizer: RbacAuthorizer;

  constructor(private readonly options: ApiServerOptions) {
    this.authorizer = new RbacAuthorizer(options.core.store);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `https://127.0.0.1:${this.boundPort}`;
  }

  async listen(): Promise<void> {
    const server = createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => sendError(res, errors.internal((e as Error).message)));
    });
    server.on('secureConnection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // After a restart, the port it had before (clients keep their kubeconfig).
      server.listen(this.boundPort || this.options.port || 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops listening and cuts every connection (open watches end as a network failure would). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.options.core.watches.dropAll((w) => w.request.remote === true);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.stalled.clear();
    await closed;
  }

  /** Ends every watch opened over HTTP; returns how many. */
  dropWatches(): number {
    return this.options.core.watches.dropAll((w) => w.request.remote === true);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const core = this.options.core;
    const r = route(req.method ?? 'GET', url.pathname, url.searchParams, (g, v, p) => core.registry.lookup(g, v, p)?.namespaced === true);
    if (this.options.log) res.on('finish', () => this.options.log!(`${req.method} ${req.url} ${res.statusCode}`));

    // Who is asking (401 for nobody), then may they (403): see authorize() below.
    let user: UserInfo | undefined;
    try {
      user = this.authenticate(req);
      if (!ANONYMOUS.has(r.kind) && !user) return sendError(res, errors.unauthorized());
      if (user) user = this.authorize(user, req, url);
    } catch (e) {
      return sendError(res, e instanceof ApiError ? e : errors.internal((e as Error).message));
    }
    if (r.kind !== 'faults') {
      const verb = r.kind === 'resource' ? r.verb : (req.method ?? 'GET').toLowerCase();
      const decision = this.options.faults.decide(verb, req.method ?? 'GET', url.pathname);
      if (decision.stall) {
        // Accept the request and never answer: the client sees a half-open connection.
        this.stalled.add(req);
        req.on('close', () => this.stalled.delete(req));
        return;
      }
      if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
      if (decision.fail) return sendError(res, decision.fail);
    }

    try {
      switch (r.kind) {
        case 'resource':
          // "May I?" questions are answered by the authorizer, about whoever asks (authz-reviews.ts).
          if (r.verb === 'create' && r.subresource === undefined && isReview(r) && user) return await this.review(r, user, req, res);
          return await this.resource(r, url.searchParams, req, res);
        case 'version': return sendJson(res, 200, SERVER_VERSION);
        case 'health': return sendText(res, 200, 'ok');
        case 'root': return sendJson(res, 200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
        case 'core-versions': {
          const agg = wantsAggregated(req.headers.accept);
          if (agg) return sendJson(res, 200, aggregated(core.registry, true, agg), aggregatedContentType(agg));
          return sendJson(res, 200, coreVersions(`127.0.0.1:${this.boundPort}`));
        }
        case 'groups': {
          const agg = wantsAggregated(req.headers.accept);
          if (agg) return sendJson(res, 200, aggregated(core.registry, false, agg), aggregatedContentType(agg));
          return sendJson(res, 200, groupList(core.registry));
        }
        case 'group': {
          const group = apiGroup(core.registry, r.group);
          return group ? sendJson(res, 200, group) : sendText(res, 404, '404 page not found\n');
        }
        case 'group-version': {
          const list = resourceList(core.registry, r.group, r.version);
          return list ? sendJson(res, 200, list) : sendText(res, 404, '404 page not found\n');
        }
        case 'openapi-v2': return sendOpenApiV2(req, res, openApiV2Document(core.registry, SERVER_VERSION.gitVersion));
        case 'openapi-v3': {
          if (r.group === undefined) return sendJson(res, 200, openApiIndex(core.registry, SERVER_VERSION.gitVersion));
          const doc = groupVersionDocument(core.registry, r.group, r.version!, SERVER_VERSION.gitVersion);
          return doc ? sendJson(res, 200, doc) : sendText(res, 404, '404 page not found\n');
        }
        case 'faults': {
          if (req.method === 'GET') return sendJson(res, 200, this.options.faults.state());
          if (req.method !== 'POST') throw errors.methodNotAllowed(req.method ?? '', '/_sandbox/faults');
          const body = decodeBody(await readBody(req), req.headers['content-type']);
          try {
            return sendJson(res, 200, await this.options.faults.handle(body));
          } catch (e) {
            if (e instanceof ApiError) throw e;
            throw errors.badRequest((e as Error).message);
          }
        }
        default:
          return sendText(res, 404, '404 page not found\n');
      }
    } catch (e) {
      if (e instanceof ApiError) return sendError(res, e);
      return sendError(res, errors.internal((e as Error).message));
    }
  }

  /** The user a bearer token stands for: the admin, a ServiceAccount, or nobody (undefined). */
  private authenticate(req: IncomingMessage): UserInfo | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) return undefined;
    const token = match[1].trim();
    const given = Buffer.from(token);
    const expected = Buffer.from(this.options.token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return ADMIN_USER;
    const account = this.options.serviceAccountTokens?.verify(this.options.core, token);
    return account && serviceAccountUser(account);
  }

  /**
   * Authorization, as kube-apiserver's filters do it: first impersonation (`kubectl --as`), which
   * the requester must be allowed, then RBAC on the request itself (authz.ts). Returns the user
   * the request acts as; throws the 403 of a refusal.
   */
  private authorize(requester: UserInfo, req: IncomingMessage, url: URL): UserInfo {
    const user = impersonate(requester, req.headersDistinct, this.authorizer);
    const attributes = requestAttributes(user, req.method ?? 'GET', url);
    const decision = this.authorizer.authorize(attributes);
    if (!decision.allowed) throw forbidden(attributes, decision.reason);
    return user;
  }

  /** A POST of an access review: the authorizer's answer, never stored. */
  private async review(r: ResourceRoute, user: UserInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = this.options.core.resolve(r.group, r.version, r.plural);
    if ((r.namespace !== undefined) !== type.namespaced) throw errors.noResource();
    const body = decodeBody(await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES), req.headers['content-type']);
    return sendJson(res, 201, answerReview(this.options.core, this.authorizer, type, r.namespace, user, body));
  }

  /**
   * A request that asks to leave HTTP (`Connection: Upgrade`). Only `pods/{name}/portforward`
   * may; anything else, and every failure before the hand-over, gets an HTTP answer with a Status.
   */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (error: ApiError): void => {
      const body = JSON.stringify(error.toStatus());
      socket.end(`HTTP/1.1 ${error.code} ${HTTP_TEXT[error.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => socket.destroy());
    if (this.options.log) this.options.log(`${req.method} ${req.url} upgrade`);
    const requester = this.authenticate(req);
    if (!requester) return refuse(errors.unauthorized());
    try {
      this.authorize(requester, req, new URL(req.url ?? '/', 'https://127.0.0.1'));
    } catch (e) {
      return refuse(e instanceof ApiError ? e : errors.internal((e as Error).message));
    }
    const path = (req.url ?? '/').split('?')[0];
    const match = PORT_FORWARD_PATH.exec(path);
    if (!match) return refuse(errors.badRequest(`${path} cannot be upgraded: only pods/{name}/portforward can`));
    // An event handler that throws would take the whole server down: every failure becomes an answer.
    try {
      const [namespace, name] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
      const pod = this.options.core.get(this.options.core.resolve('', 'v1', 'pods'), namespace, name);
      if (!this.options.portForward) return refuse(errors.badRequest('this sandbox runs no kubelet, so nothing can forward ports to pods'));
      const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
      this.options.portForward(req, socket, head, { namespace, name, uid: pod.metadata.uid, podIP });
    } catch (e) {
      if (e instanceof URIError) return refuse(errors.badRequest(`the path ${path} is not validly escaped`));
      if (!socket.writable) socket.destroy();
      else refuse(e instanceof ApiError ? e : errors.internal((e as Error).message));
    }
  }

  private async resource(r: ResourceRoute, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const core = this.options.core;
    const type = core.registry.lookup(r.group, r.version, r.plural);
    if (!type) {
      // Inside a built-in group version the apiserver answers a Status; elsewhere its fallback
      // handler answers plain text (what clients show as "the server could not find the requested resource").
      if (BUILTIN_GROUP_VERSIONS.has(`${r.group}/${r.version}`)) throw errors.noResource();
      return sendText(res, 404, '404 page not found\n');
    }
    if ((r.namespace !== undefined && !type.namespaced) || (type.namespaced && r.namespace === undefined && r.name !== undefined && r.plural !== 'namespaces')) {
      throw errors.noResource();
    }
    // Port-forwarding is an upgraded connection ('upgrade' above); as a plain request it is the apiserver's 400.
    if (r.subresource === 'portforward' && type.group === '' && type.plural === 'pods') throw errors.badRequest('Upgrade request required');
    const form = r.verb === 'get' || r.verb === 'list' || r.verb === 'watch' ? responseForm(req.headers.accept) : 'object';
    const namespace = type.namespaced ? r.namespace : undefined;
    const name = r.name ?? '';
    switch (r.verb) {
      case 'get': {
        if (r.subresource === 'log') return this.podLog(type, namespace, name, q, res);
        const object = core.read(type, namespace, name, r.subresource) as KubeObject;
        return this.answer(res, 200, type, object, form, q);
      }
      case 'list': {
        const list = core.list(type, {
          namespace: r.namespace,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: queryInt(q, 'limit'),
          continueToken: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        });
        return this.answerList(res, type, list, form, q);
      }
      case 'watch':
        return this.watch(type, r, q, form, req, res);
      case 'create': {
        const ctx = writeContext(q, req);
        const body = decodeBody(await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES), req.headers['content-type']);
        const result = r.subresource === undefined
          ? core.create(type, namespace, body, ctx)
          : core.createSubresource(type, namespace, name, r.subresource, body, ctx);
        return sendJson(res, 201, result.object, 'application/json', ctx.warnings);
      }
      case 'update': {
        const ctx = writeContext(q, req);
        const body = decodeBody(await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES), req.headers['content-type']);
        const result = core.update(type, namespace, name, body, ctx, r.subresource);
        return sendJson(res, result.created ? 201 : 200, result.object, 'application/json', ctx.warnings);
      }
      case 'patch': {
        const ctx = writeContext(q, req);
        const body = await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
        const result = core.patch(type, namespace, name, body, req.headers['content-type'] ?? '', ctx, r.subresource);
        return sendJson(res, result.created ? 201 : 200, result.object, 'application/json', ctx.warnings);
      }
      case 'delete': {
        if (r.subresource !== undefined) throw errors.methodNotAllowed('DELETE', `${r.plural}/${r.subresource}`);
        const ctx = writeContext(q, req);
        const options = await this.deleteOptions(req, q, ctx);
        const outcome = core.delete(type, namespace, name, options, ctx);
        return sendJson(res, outcome.code, outcome.object ?? outcome.status, 'application/json', ctx.warnings);
      }
      case 'deletecollection': {
        const ctx = writeContext(q, req);
        const options = await this.deleteOptions(req, q, ctx);
        const list = core.deleteCollection(type, {
          namespace: r.namespace,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
        }, options, ctx);
        return sendJson(res, 200, list, 'application/json', ctx.warnings);
      }
    }
  }

  /** DeleteOptions from the body (JSON, YAML or protobuf) and the query; a body's `dryRun` counts as the query's. */
  private async deleteOptions(req: IncomingMessage, q: URLSearchParams, ctx: WriteContext): Promise<Parameters<ApiCore['delete']>[3]> {
    const raw = await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
    const body = (raw.length > 0 ? decodeBody(raw, req.headers['content-type']) : {}) as Record<string, unknown>;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of a DELETE must be DeleteOptions');
    const { apiVersion: _a, kind: _k, dryRun, ...rest } = body;
    if (dryRun !== undefined) {
      for (const d of Array.isArray(dryRun) ? dryRun : [dryRun]) {
        if (d !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(d)}: supported values: "All"`);
        ctx.dryRun = true;
      }
    }
    const options = { ...rest } as Parameters<ApiCore['delete']>[3];
    const grace = queryInt(q, 'gracePeriodSeconds');
    if (grace !== undefined) options.gracePeriodSeconds = grace;
    const policy = q.get('propagationPolicy');
    if (policy) options.propagationPolicy = policy as 'Background';
    const orphan = q.get('orphanDependents');
    if (orphan !== null) options.orphanDependents = orphan === 'true';
    return options;
  }

  private answer(res: ServerResponse, code: number, type: ResourceType, object: KubeObject, form: ResponseForm, q: URLSearchParams): void {
    if (object.kind === 'Scale' || form === 'object') return sendJson(res, code, object);
    if (form === 'metadata') return sendJson(res, code, partialMetadata(object));
    const table = toTable(type, [object], { includeObject: (q.get('includeObject') as 'Object') ?? undefined });
    return sendJson(res, code, { ...table, metadata: { resourceVersion: object.metadata.resourceVersion } }, 'application/json;as=Table;v=v1;g=meta.k8s.io');
  }

  private answerList(res: ServerResponse, type: ResourceType, list: Record<string, unknown>, form: ResponseForm, q: URLSearchParams): void {
    if (form === 'object') return sendJson(res, 200, list);
    const items = (list.items as KubeObject[]).map((i) => Object.assign({ apiVersion: list.apiVersion as string, kind: type.kind }, i));
    if (form === 'metadata') {
      return sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: list.metadata, items: items.map(partialMetadata) });
    }
    const table = toTable(type, items, { includeObject: (q.get('includeObject') as 'Object') ?? undefined });
    return sendJson(res, 200, { ...table, metadata: list.metadata }, 'application/json;as=Table;v=v1;g=meta.k8s.io');
  }

  private watch(type: ResourceType, r: ResourceRoute, q: URLSearchParams, form: ResponseForm, req: IncomingMessage, res: ServerResponse): void {
    let fieldSelector = q.get('fieldSelector') ?? '';
    if (r.name) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${r.name}` : `metadata.name=${r.name}`;
    const start = (): void => {
      if (!res.headersSent) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
      }
    };
    const present = (event: WatchEvent): WatchEvent => {
      if (event.type === 'BOOKMARK' || event.type === 'ERROR' || form === 'object') return event;
      const object = event.object as KubeObject;
      if (form === 'metadata') return { type: event.type, object: partialMetadata(object) };
      return { type: event.type, object: toTable(type, [object], { includeObject: (q.get('includeObject') as 'Object') ?? undefined }) as unknown as KubeObject };
    };
    const watcher = this.options.core.watch(
      {
        type,
        namespace: type.namespaced ? r.namespace : undefined,
        labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
        fieldSelector: parseFieldSelector(fieldSelector, ['metadata.name', 'metadata.namespace', ...(type.selectableFields ?? [])]),
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowWatchBookmarks: queryFlag(q, 'allowWatchBookmarks'),
        sendInitialEvents: queryFlag(q, 'sendInitialEvents'),
        timeoutSeconds: queryInt(q, 'timeoutSeconds'),
        remote: true,
      },
      {
        send: (event) => {
          start();
          res.write(JSON.stringify(present(event)) + '\n');
        },
        close: () => {
          start();
          res.end();
        },
      },
    );
    start();
    req.on('close', () => watcher.stop());
    res.on('close', () => watcher.stop());
  }

  private async podLog(type: ResourceType, namespace: string | undefined, name: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
    const pod = this.options.core.get(type, namespace, name);
    const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
    const containers = (spec.containers ?? []).map((c) => c.name);
    const inits = (spec.initContainers ?? []).map((c) => c.name);
    let container = q.get('container') ?? undefined;
    if (!container) {
      if (containers.length !== 1) {
        const choices = `choose one of: [${containers.join(' ')}]${inits.length > 0 ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`;
        throw errors.badRequest(`a container name must be specified for pod ${name}, ${choices}`);
      }
      container = containers[0];
    } else if (!containers.includes(container) && !inits.includes(container)) {
      // An init container's log is served too (the storage initializer's, say).
      throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
    }
    if (!this.options.logs) {
      throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
    }
    const output = await this.options.logs(pod, {
      container,
      follow: queryFlag(q, 'follow'),
      previous: queryFlag(q, 'previous'),
      timestamps: queryFlag(q, 'timestamps'),
      tailLines: queryInt(q, 'tailLines'),
      sinceSeconds: queryInt(q, 'sinceSeconds'),
      limitBytes: queryInt(q, 'limitBytes'),
    });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (typeof output === 'string') {
      res.end(output);
      return;
    }
    for await (const chunk of output) {
      if (res.destroyed) break;
      res.write(chunk);
    }
    res.end();
  }
}
