// SPDX-License-Identifier: Apache-2.0
// Raw HTTPS requests to a sandbox, for tests that check status codes, headers and bodies exactly
// (a client library would hide them), and line-by-line reading of watch streams.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { waitFor } from '../kube/wait.js';

export interface Target {
  url: string;
  caPem: string;
  token: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** the body as it came (for binary answers such as protobuf) */
  bytes: Buffer;
  /** the body parsed as JSON (throws if it is not) */
  json<T = Record<string, unknown>>(): T;
}

export interface RawOptions {
  body?: unknown;
  /** default: application/json when there is a body */
  contentType?: string;
  headers?: Record<string, string>;
  /** false: send no Authorization header; a string: send that token */
  token?: string | false;
}

function send(target: Target, method: string, path: string, options: RawOptions): Promise<IncomingMessage> {
  const url = new URL(path, target.url);
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? target.token : options.token;
  if (token !== false) headers.authorization = `Bearer ${token}`;
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const make = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    // A new connection per request (no keep-alive pool): a test sees the server, not a reused socket.
    const req = make(url, { method, headers, ca: target.caPem, agent: false }, resolve);
    req.on('error', reject);
    req.end(payload);
  });
}

/** One request, its whole answer. */
export async function raw(target: Target, method: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const res = await send(target, method, path, options);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  return { status: res.statusCode ?? 0, headers: res.headers, text, bytes, json: <T>() => JSON.parse(text) as T };
}

/** An open watch: events as they arrive, one parsed JSON line each. */
export interface RawWatch {
  status: number;
  headers: IncomingHttpHeaders;
  /** the next event; rejects when the stream ends first or `timeoutMs` passes */
  next(timeoutMs?: number): Promise<{ type: string; object: Record<string, unknown> & { metadata?: Record<string, unknown> } }>;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  close(): void;
}

export async function rawWatch(target: Target, path: string, options: RawOptions = {}): Promise<RawWatch> {
  const res = await send(target, 'GET', path, options);
  const queue: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let done = false;
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      queue.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    wake();
  });
  const ended = new Promise<void>((resolve) => {
    const finish = (): void => {
      done = true;
      wake();
      resolve();
    };
    res.on('end', finish);
    res.on('close', finish);
    res.on('error', finish);
  });
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    ended,
    close: () => res.destroy(),
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (done) throw new Error('the watch stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return JSON.parse(queue.shift()!);
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes (lib/kube/wait.ts). */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, what = 'the condition'): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs: 20, done: Boolean });
}

/** One version of a test CRD: its name, schema and whatever else the test needs (subresources, columns). */
export interface ExampleCrdVersion {
  name: string;
  schema: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * A namespaced CustomResourceDefinition in the `example.com` group for tests: `kind` Gadget gives
 * `gadgets.example.com` (unless `extraNames` says otherwise), with the given versions (the first
 * one stored, all served).
 */
export function exampleCrd(kind: string, versions: ExampleCrdVersion[], extraNames: { plural?: string; singular?: string; listKind?: string; shortNames?: string[] } = {}) {
  const names = { plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), kind, ...extraNames };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names,
      versions: versions.map(({ name, schema, ...rest }, i) => ({ name, served: true, storage: i === 0, ...rest, schema: { openAPIV3Schema: schema } })),
    },
  };
}
