// SPDX-License-Identifier: Apache-2.0
// The gateway's data plane: HTTP/1.1 proxying at byte level, the way Envoy (Emissary's data
// plane) does it, including the answers a learner meets when something is wrong:
//
//   no route                             404  empty body
//   no ready endpoint, unknown Service   503  "no healthy upstream"
//   the pod refused or reset             503  "upstream connect error or disconnect/reset before headers. ..."
//   no answer within timeout_ms          504  "upstream request timeout"
//
// For each request only the head is read (http1.ts): the route is chosen, the path rewritten and
// Envoy's headers added (x-forwarded-for, x-request-id, x-envoy-original-path, ...). Body bytes
// then go through untouched, both ways, with backpressure; connections to pods are kept alive and
// reused. Answers carry `server: envoy` and, when proxied, `x-envoy-upstream-service-time`. The
// timeout starts once the request has been sent, as Envoy's route timeout does; a timeout after
// the answer has started cuts the connection, again like Envoy.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { BodyScanner, headerValue, HttpParseError, readHead, requestFraming, responseFraming, type Framing, type MessageHead } from './http1.js';
import type { MappingRule, Upstream } from './mapping.js';
import { rewritePath, type RequestFacts, type RouteMatch } from './route-table.js';

/** Where to connect for an upstream, or why there is nowhere (answered with a 503). */
export type Target = { host: string; port: number } | { reason: string };

export interface ProxyHooks {
  route(facts: RequestFacts): RouteMatch | undefined;
  resolve(upstream: Upstream): Target;
  /** for choosing which requests a weighted shadow copies */
  random?: () => number;
}

export const NO_HEALTHY_UPSTREAM = 'no healthy upstream';
export const UPSTREAM_TIMEOUT = 'upstream request timeout';
/** Envoy's body when the pod's answer is not valid HTTP/1.1. */
export const UPSTREAM_PROTOCOL_ERROR = 'upstream connect error or disconnect/reset before headers. reset reason: protocol error';

const REQUEST_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization']);
const RESPONSE_DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'server']);
const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported' };

/** Envoy's body for a failed upstream connection, by the socket error. */
export function upstreamFailureBody(error: NodeJS.ErrnoException | undefined): string {
  const prefix = 'upstream connect error or disconnect/reset before headers. reset reason: ';
  if (error?.code === 'ECONNREFUSED') return `${prefix}connection failure, transport failure reason: delayed connect error: 111`;
  if (!error || error.code === 'ECONNRESET' || error.code === 'EPIPE') return `${prefix}connection termination`;
  return `${prefix}connection failure, transport failure reason: ${error.code ?? error.message}`;
}

let dateText = '';
let dateSecond = 0;
/** The Date header value, computed at most once a second. */
function httpDate(): string {
  const now = Math.floor(Date.now() / 1000);
  if (now !== dateSecond) {
    dateSecond = now;
    dateText = new Date(now * 1000).toUTCString();
  }
  return dateText;
}

/** One of Envoy's own answers. */
export function envoyAnswer(status: number, body: string, close: boolean): Buffer {
  const head =
    `HTTP/1.1 ${status} ${REASONS[status] ?? ''}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    (body ? 'content-type: text/plain\r\n' : '') +
    `date: ${httpDate()}\r\nserver: envoy\r\n` +
    (close ? 'connection: close\r\n' : '') +
    '\r\n';
  return Buffer.from(head + body, 'latin1');
}

/** A connection to a pod, reusable across requests. */
class UpstreamConnection {
  owner: Exchange | undefined;
  readonly socket: Socket;

  constructor(
    readonly key: string,
    host: string,
    port: number,
    private readonly pool: UpstreamPool,
  ) {
    this.socket = connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => (this.owner ? this.owner.onUpstreamData(chunk) : this.socket.destroy()));
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.owner?.onUpstreamEnd(error));
    this.socket.on('close', () => {
      this.pool.forget(this);
      this.owner?.onUpstreamEnd(undefined);
    });
  }
}

class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private readonly all = new Set<UpstreamConnection>();

  acquire(host: string, port: number, owner: Exchange): UpstreamConnection {
    const key = `${host}:${port}`;
    const list = this.idle.get(key);
    let conn: UpstreamConnection | undefined;
    while (list?.length && !conn) {
      const candidate = list.pop()!;
      if (!candidate.socket.destroyed) conn = candidate;
    }
    if (!conn) {
      conn = new UpstreamConnection(key, host, port, this);
      this.all.add(conn);
    }
    conn.owner = owner;
    return conn;
  }

  release(conn: UpstreamConnection): void {
    conn.owner = undefined;
    if (conn.socket.destroyed) return;
    let list = this.idle.get(conn.key);
    if (!list) this.idle.set(conn.key, (list = []));
    list.push(conn);
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const list = this.idle.get(conn.key);
    const i = list?.indexOf(conn) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  closeAll(): void {
    for (const conn of this.all) conn.socket.destroy();
    this.all.clear();
    this.idle.clear();
  }
}

/** One request and its answer. */
class Exchange {
  private readonly requestBody: BodyScanner;
  private upstream: UpstreamConnection | undefined;
  private readonly shadows: Socket[] = [];
  private responseBuffer: Buffer | undefined;
  private responseHeadSent = false;
  private responseBody: BodyScanner | undefined;
  private responseFraming: Framing | undefined;
  private answered = false;
  private requestDone = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  /** the request head, until feed() sends it with the first body bytes */
  private pendingHead: Buffer | undefined;
  /** backpressure in force: `reader` waits until `writer` drains; undone when this exchange ends */
  private readonly waits: { reader: Socket; writer: Socket; resume: () => void }[] = [];

  constructor(
    private readonly down: Downstream,
    private readonly head: MessageHead,
    framing: Framing,
    private readonly match: RouteMatch | undefined,
  ) {
    this.requestBody = new BodyScanner(framing);
  }

  get method(): string {
    return this.head.startLine[0];
  }

  /** Stops reading `reader` until `writer` has room again. */
  private wait(reader: Socket, writer: Socket): void {
    if (this.waits.some((w) => w.reader === reader)) return;
    const entry = {
      reader,
      writer,
      resume: () => {
        this.waits.splice(this.waits.indexOf(entry), 1);
        reader.resume();
      },
    };
    this.waits.push(entry);
    reader.pause();
    writer.once('drain', entry.resume);
  }

  /** Undoes every pause, so a pooled connection or the client's next request is read again. */
  private stopWaiting(): void {
    for (const w of this.waits.splice(0)) {
      w.writer.off('drain', w.resume);
      w.reader.resume();
    }
  }

  start(): void {
    const { match } = this;
    const target = match ? this.down.hooks.resolve(match.rule.upstream) : undefined;
    if (!match) this.answer(404, '');
    else if (!target || 'reason' in target) this.answer(503, NO_HEALTHY_UPSTREAM);
    else {
      this.upstream = this.down.pool.acquire(target.host, target.port, this);
      // Sent by feed(), together with the body bytes that came in the same packet: one write.
      this.pendingHead = this.requestHead(match.rule, match.path, false);
      for (const shadow of match.route.shadows) this.mirror(shadow);
    }
    if (!this.upstream && this.requestBody.done) this.onRequestDone();
  }

  /**
   * Takes the request body's bytes from `chunk` (possibly none) and sends them on, after the head
   * if that is still waiting; returns what belongs to the next request.
   */
  feed(chunk: Buffer): Buffer {
    const used = this.requestBody.scan(chunk);
    const part = used === chunk.length ? chunk : chunk.subarray(0, used);
    let out = part;
    if (this.pendingHead) {
      out = part.length ? Buffer.concat([this.pendingHead, part]) : this.pendingHead;
      this.pendingHead = undefined;
    }
    if (out.length && this.upstream && !this.answered && !this.upstream.socket.write(out)) this.wait(this.down.socket, this.upstream.socket);
    if (part.length) for (const shadow of this.shadows) shadow.write(part);
    if (this.requestBody.done) this.onRequestDone();
    return chunk.subarray(used);
  }

  get waitingForBody(): boolean {
    return !this.requestDone;
  }

  private onRequestDone(): void {
    if (this.requestDone) return;
    this.requestDone = true;
    for (const shadow of this.shadows) shadow.end();
    if (this.answered) {
      if (!this.upstream) this.down.finished(this, !this.down.wantsClose);
      return;
    }
    const timeoutMs = this.match?.rule.timeoutMs ?? 0;
    if (timeoutMs > 0) this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
  }

  private onTimeout(): void {
    if (this.responseHeadSent) {
      this.down.socket.destroy(); // Envoy resets a response that times out midway
      this.dropUpstream();
      return;
    }
    this.dropUpstream();
    this.answer(504, UPSTREAM_TIMEOUT);
  }

  /** Answers by itself (404, 503, 504); the request body, if still arriving, is read and dropped. */
  private answer(status: number, body: string): void {
    if (this.answered) return;
    this.answered = true;
    this.clearTimer();
    this.stopWaiting();
    this.down.write(envoyAnswer(status, body, this.down.wantsClose));
    if (this.requestDone) this.down.finished(this, !this.down.wantsClose);
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.answered && !this.responseHeadSent) return;
    const client = this.down.socket;
    let head: Buffer | undefined;
    let data = chunk;
    if (!this.responseHeadSent) {
      data = this.responseBuffer ? Buffer.concat([this.responseBuffer, chunk]) : chunk;
      let parsed;
      for (;;) {
        try {
          parsed = readHead(data, 'response');
        } catch (error) {
          this.dropUpstream();
          this.answer(502, UPSTREAM_PROTOCOL_ERROR);
          return;
        }
        if (!parsed) {
          this.responseBuffer = data;
          return;
        }
        const status = Number(parsed.head.startLine[1]);
        if (status >= 100 && status < 200 && status !== 101) {
          // 100 Continue and friends: pass on, keep waiting for the final answer.
          this.down.write(data.subarray(0, parsed.bodyStart));
          data = data.subarray(parsed.bodyStart);
          continue;
        }
        break;
      }
      this.responseBuffer = undefined;
      try {
        this.responseFraming = responseFraming(parsed.head, this.method);
      } catch (error) {
        this.dropUpstream();
        this.answer(502, UPSTREAM_PROTOCOL_ERROR);
        return;
      }
      this.responseBody = new BodyScanner(this.responseFraming);
      this.responseHeadSent = true;
      this.answered = true;
      head = this.responseHead(parsed.head);
      data = data.subarray(parsed.bodyStart);
    }
    const body = this.responseBody!;
    const used = body.scan(data);
    let out = used === data.length ? data : data.subarray(0, used);
    // The head and the body bytes that came with it leave in one write.
    if (head) out = out.length ? Buffer.concat([head, out]) : head;
    if (out.length && !this.down.write(out) && this.upstream) this.wait(this.upstream.socket, client);
    if (body.done) this.onResponseDone(used === data.length);
  }

  /** The pod's connection ended or failed. */
  onUpstreamEnd(error: NodeJS.ErrnoException | undefined): void {
    if (!this.upstream) return;
    this.upstream = undefined;
    if (this.responseHeadSent) {
      // A body that runs until the connection closes is complete now; any other is cut short.
      if (this.responseFraming?.kind === 'close' && !error) this.finishAfterResponse(false);
      else this.down.socket.destroy();
      return;
    }
    if (!this.answered) this.answer(503, upstreamFailureBody(error));
    else if (this.requestDone) this.down.finished(this, !this.down.wantsClose);
  }

  private onResponseDone(clean: boolean): void {
    this.stopWaiting();
    const conn = this.upstream;
    this.upstream = undefined;
    const reusable = clean && this.requestDone && this.responseFraming?.kind !== 'close';
    if (conn) {
      if (reusable) this.down.pool.release(conn);
      else conn.socket.destroy();
    }
    this.finishAfterResponse(this.responseFraming?.kind !== 'close');
  }

  private finishAfterResponse(keepAlive: boolean): void {
    this.clearTimer();
    if (this.requestDone) this.down.finished(this, keepAlive && !this.down.wantsClose);
    // else: the rest of the request body is read and dropped, then finished() is called
  }

  private dropUpstream(): void {
    this.stopWaiting();
    const conn = this.upstream;
    this.upstream = undefined;
    if (conn) {
      conn.owner = undefined;
      conn.socket.destroy();
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The client went away: nothing more to do for this request. */
  abort(): void {
    this.clearTimer();
    this.stopWaiting();
    this.dropUpstream();
    for (const shadow of this.shadows) shadow.destroy();
  }

  private requestHead(rule: MappingRule, path: string, shadow: boolean): Buffer {
    const { head } = this;
    let out = `${head.startLine[0]} ${path} HTTP/1.1\r\n`;
    let forwardedFor: string | undefined;
    let requestId = false;
    let host = false;
    for (const [name, value] of head.headers) {
      if (REQUEST_HOP_BY_HOP.has(name)) continue;
      if (name === 'x-forwarded-for') {
        forwardedFor = forwardedFor ? `${forwardedFor}, ${value}` : value;
        continue;
      }
      if (name === 'x-request-id') requestId = true;
      if (name === 'host') {
        host = true;
        // Envoy marks mirrored requests by appending "-shadow" to the authority.
        out += `host: ${shadow ? `${value}-shadow` : value}\r\n`;
        continue;
      }
      out += `${name}: ${value}\r\n`;
    }
    if (!host) out += `host: ${rule.upstream.host}:${rule.upstream.port}\r\n`;
    const client = this.down.socket.remoteAddress ?? '';
    out += `x-forwarded-for: ${forwardedFor ? `${forwardedFor}, ${client}` : client}\r\nx-forwarded-proto: http\r\n`;
    if (!requestId) out += `x-request-id: ${randomUUID()}\r\n`;
    if (rule.timeoutMs > 0) out += `x-envoy-expected-rq-timeout-ms: ${rule.timeoutMs}\r\n`;
    const original = head.startLine[1];
    if (path !== original) out += `x-envoy-original-path: ${original.split('?')[0]}\r\n`;
    if (shadow) out += 'connection: close\r\n';
    return Buffer.from(out + '\r\n', 'latin1');
  }

  private responseHead(head: MessageHead): Buffer {
    let out = `HTTP/1.1 ${head.startLine[1]} ${head.startLine[2]}\r\n`;
    for (const [name, value] of head.headers) if (!RESPONSE_DROPPED.has(name)) out += `${name}: ${value}\r\n`;
    out += `server: envoy\r\nx-envoy-upstream-service-time: ${Math.round(performance.now() - this.startedAt)}\r\n`;
    if (this.down.wantsClose || this.responseFraming?.kind === 'close') out += 'connection: close\r\n';
    return Buffer.from(out + '\r\n', 'latin1');
  }

  /** Sends a copy of the request to a shadow Mapping and ignores its answer (Envoy's request mirroring). */
  private mirror(shadow: MappingRule): void {
    const random = this.down.hooks.random ?? Math.random;
    if (shadow.weight !== undefined && random() * 100 >= shadow.weight) return;
    const target = this.down.hooks.resolve(shadow.upstream);
    if ('reason' in target) return;
    const socket = connect({ host: target.host, port: target.port });
    socket.on('error', () => {}); // a shadow's failure is nobody's business
    socket.on('data', () => {}); // its answer is read and dropped
    if (shadow.timeoutMs > 0) socket.setTimeout(shadow.timeoutMs, () => socket.destroy());
    socket.write(this.requestHead(shadow, rewritePath(shadow, this.head.startLine[1]), true));
    this.shadows.push(socket);
    if (this.requestDone) socket.end();
  }
}

/** One client connection: requests one after another (pipelined ones wait their turn). */
class Downstream {
  private buffer: Buffer | undefined;
  private current: Exchange | undefined;
  wantsClose = false;
  private closed = false;

  constructor(
    readonly socket: Socket,
    readonly hooks: ProxyHooks,
    readonly pool: UpstreamPool,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    // The client has sent everything: answer what is in progress, then close.
    socket.on('end', () => {
      this.wantsClose = true;
      if (!this.current) socket.end();
    });
    socket.on('close', () => {
      this.closed = true;
      this.current?.abort();
      this.current = undefined;
    });
  }

  write(data: Buffer): boolean {
    return this.closed ? true : this.socket.write(data);
  }

  private onData(chunk: Buffer): void {
    if (this.current?.waitingForBody) {
      let rest: Buffer;
      try {
        rest = this.current.feed(chunk);
      } catch (error) {
        return this.fail(error);
      }
      if (rest.length) this.buffer = this.buffer ? Buffer.concat([this.buffer, rest]) : rest;
    } else {
      this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    }
    this.next();
  }

  /** Starts the next request when the previous one is done and its head has arrived. */
  private next(): void {
    while (!this.current && this.buffer?.length && !this.closed && !this.wantsClose) {
      let parsed;
      let framing: Framing;
      try {
        parsed = readHead(this.buffer, 'request');
        if (!parsed) return;
        framing = requestFraming(parsed.head);
      } catch (error) {
        return this.fail(error);
      }
      const { head } = parsed;
      const connection = (headerValue(head, 'connection') ?? '').toLowerCase();
      this.wantsClose = head.startLine[2] === 'HTTP/1.0' ? !/keep-alive/.test(connection) : /(^|,)\s*close\s*(,|$)/.test(connection);
      const facts: RequestFacts = { method: head.startLine[0], url: head.startLine[1], host: headerValue(head, 'host'), headers: {} };
      for (const [name, value] of head.headers) {
        const prior = facts.headers[name];
        facts.headers[name] = prior === undefined ? value : `${String(prior)},${value}`;
      }
      const exchange = new Exchange(this, head, framing, this.hooks.route(facts));
      this.current = exchange;
      const rest = this.buffer.subarray(parsed.bodyStart);
      this.buffer = undefined;
      exchange.start();
      // Always fed, even with nothing: that sends the head (with any body bytes that came along).
      let after: Buffer;
      try {
        after = exchange.feed(rest);
      } catch (error) {
        return this.fail(error);
      }
      if (after.length) this.buffer = after;
    }
  }

  /** The current exchange is over; `keepAlive` says whether the connection takes another request. */
  finished(exchange: Exchange, keepAlive: boolean): void {
    if (this.current !== exchange) return;
    this.current = undefined;
    if (!keepAlive) {
      this.socket.end();
      return;
    }
    this.next();
  }

  private fail(error: unknown): void {
    const status = error instanceof HttpParseError ? error.status : 400;
    this.current?.abort();
    this.current = undefined;
    this.buffer = undefined;
    this.socket.end(envoyAnswer(status, '', true));
  }
}

/** The byte-level HTTP/1.1 proxy: give it each accepted client socket. */
export class Forwarder {
  private readonly pool = new UpstreamPool();
  private readonly clients = new Set<Socket>();

  constructor(private readonly hooks: ProxyHooks) {}

  accept(socket: Socket): void {
    this.clients.add(socket);
    socket.once('close', () => this.clients.delete(socket));
    new Downstream(socket, this.hooks, this.pool);
  }

  close(): void {
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
    this.pool.closeAll();
  }
}
