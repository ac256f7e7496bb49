// SPDX-License-Identifier: Apache-2.0
// Small helpers the contract tests share: waiting for a condition, recording a watch as a queue
// of events, and reading the Kubernetes `Status` out of a failed client-node call.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, Watch, type KubeConfig, type KubernetesObject, type V1Status } from '@kubernetes/client-node';

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface WatchEvent<T extends KubernetesObject = KubernetesObject> {
  type: string;
  object: T;
}

/** An open watch whose events queue up until a test takes them. */
export interface RecordedWatch<T extends KubernetesObject = KubernetesObject> {
  /** every event so far, in arrival order */
  events: WatchEvent<T>[];
  /** the next event not yet taken; fails after `timeoutMs` */
  next(timeoutMs?: number): Promise<WatchEvent<T>>;
  /** the next `n` events */
  take(n: number, timeoutMs?: number): Promise<WatchEvent<T>[]>;
  /** true once the server (or stop) ended the stream */
  ended(): boolean;
  /** the error the stream ended with, if any */
  error(): unknown;
  stop(): void;
}

/**
 * Opens a watch through client-node's `Watch` (chunked JSON lines). The promise resolves once the
 * server has answered the request, so writes made afterwards are guaranteed to be seen.
 */
export async function recordWatch<T extends KubernetesObject = KubernetesObject>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<RecordedWatch<T>> {
  const events: WatchEvent<T>[] = [];
  let taken = 0;
  let done = false;
  let failure: unknown;
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object: T) => {
      events.push({ type, object });
    },
    (error: unknown) => {
      done = true;
      // An abort by stop() is not a failure of the stream.
      if (error && (error as { name?: string }).name !== 'AbortError') failure = error;
    },
  );
  const next = async (timeoutMs = 10_000): Promise<WatchEvent<T>> => {
    await eventually(() => events.length > taken || done, timeoutMs, `watch event #${taken + 1} on ${path} (seen: ${describe(events)})`);
    if (events.length <= taken) throw new Error(`the watch on ${path} ended after ${describe(events)}${failure ? `: ${String(failure)}` : ''}`);
    return events[taken++];
  };
  return {
    events,
    next,
    async take(n, timeoutMs) {
      const out: WatchEvent<T>[] = [];
      for (let i = 0; i < n; i++) out.push(await next(timeoutMs));
      return out;
    },
    ended: () => done,
    error: () => failure,
    stop: () => controller.abort(),
  };
}

/** `ADDED cm-1, MODIFIED cm-1`: events as a short readable line (for failure messages). */
export function describe(events: WatchEvent[]): string {
  return events.length === 0 ? 'no events' : events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`.trim()).join(', ');
}

/** What a failed call answered: the HTTP code, the `Status` body, and the response headers. */
export interface Failure {
  code: number;
  status: V1Status & { details?: V1Status['details'] & { causes?: { reason?: string; field?: string; message?: string }[] } };
  headers: Record<string, string>;
}

/**
 * Runs `call`, expecting it to fail with an API error, and returns that error's code and Status.
 * client-node gives the body as a string for codes its OpenAPI spec does not list (most of them),
 * and parsed for the others; both are handled.
 */
export async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? parseStatus(error.body) : ((error.body ?? {}) as V1Status);
    return { code: error.code, status: body, headers: error.headers };
  }
  throw new Error('the call succeeded, but it was expected to fail');
}

function parseStatus(text: string): V1Status {
  try {
    return JSON.parse(text) as V1Status;
  } catch {
    return { message: text };
  }
}

/** A label value unique to one test, so list and watch selectors see only that test's objects. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * client-go's RetryOnConflict: read-modify-write again when a controller wrote in between (409).
 * Real controllers write status all the time, so a test that updates a whole object must expect it.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409 || i >= tries) throw error;
    }
  }
}

/** A GET with the kubeconfig's credentials, for paths client-node has no method for; answers the status code. */
export async function getStatusCode(kc: KubeConfig, path: string, accept = 'application/json'): Promise<number> {
  const url = new URL(path, kc.getCurrentCluster()!.server);
  const options: RequestOptions = { method: 'GET', headers: { accept } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
