// SPDX-License-Identifier: Apache-2.0
// One POST and what came of it, never an exception: an HTTP error or a dead endpoint is an answer
// the learner should see (`success: false`, a message saying what happened), not a stack trace.
import axios, { type AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { SeldonChannelCredentials } from './options.js';

export interface PostRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  channelCredentials?: SeldonChannelCredentials;
  /** Debug lines go here when set. */
  log?: (line: string) => void;
}

export interface PostOutcome {
  /** HTTP 200, as Python's client judges success. */
  success: boolean;
  /** "" on success, `"<code>:<reason>"` for an HTTP error, a sentence for a network error. */
  msg: string;
  status: number | null;
  /** The body as text; null when nothing came back. */
  text: string | null;
}

/** An axios instance that hands back every status and the body as raw text, for the caller to judge. */
export function createHttp(): AxiosInstance {
  return axios.create({
    validateStatus: () => true,
    responseType: 'text',
    // Keep the body byte-exact: the response is read by our Python-faithful JSON reader, not axios's.
    transformResponse: [(data: unknown) => data],
    transformRequest: [(data: unknown) => data],
    maxRedirects: 5,
    // A generous cap, so a runaway answer fails with a message instead of exhausting memory.
    maxContentLength: 256 * 1024 * 1024,
  });
}

const SECRET_HEADERS = /^(authorization|x-auth-token|cookie)$/i;

function redacted(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.test(k) ? '<hidden>' : v]));
}

function tlsAgent(url: string, creds: SeldonChannelCredentials | undefined): https.Agent | undefined {
  if (!url.startsWith('https:') || !creds) return undefined;
  return new https.Agent({
    rejectUnauthorized: creds.verify !== false,
    ca: creds.rootCertificatesFile ? readFileSync(creds.rootCertificatesFile) : undefined,
    cert: creds.certificateChainFile ? readFileSync(creds.certificateChainFile) : undefined,
    key: creds.privateKeyFile ? readFileSync(creds.privateKeyFile) : undefined,
  });
}

/** A sentence for a request that got no HTTP answer at all, naming where it tried to go. */
export function networkErrorMessage(url: string, code: string | undefined, detail: string, timeoutMs: number): string {
  const host = new URL(url).host;
  switch (code) {
    case 'ECONNREFUSED':
      return `ECONNREFUSED: nothing is listening at ${host} (POST ${url}). Is the gateway or model running there, and the port-forward (or minikube tunnel) up?`;
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return `timeout: no answer from ${host} within ${timeoutMs} ms (POST ${url}). Is the deployment ready? Raise timeoutMs for slow models.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${code}: the host of ${host} cannot be resolved (POST ${url}). Check gatewayEndpoint.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${code}: ${host} closed the connection before answering (POST ${url}). Is it speaking ${url.startsWith('https') ? 'https' : 'http'}?`;
    default:
      return `${code ?? 'error'}: ${detail} (POST ${url})`;
  }
}

/** POST the body; resolve with what happened, whatever happened. */
export async function post(http: AxiosInstance, req: PostRequest): Promise<PostOutcome> {
  req.log?.(`POST ${req.url}`);
  req.log?.(`headers ${JSON.stringify(redacted(req.headers))}`);
  req.log?.(`body ${req.body.length > 2000 ? `${req.body.slice(0, 2000)}…` : req.body}`);
  try {
    const res = await http.post<string>(req.url, req.body, {
      headers: req.headers,
      timeout: req.timeoutMs,
      httpsAgent: tlsAgent(req.url, req.channelCredentials),
    });
    const text = typeof res.data === 'string' && res.data.length > 0 ? res.data : null;
    req.log?.(`HTTP ${res.status} ${res.statusText}: ${text === null ? '(empty)' : text.slice(0, 2000)}`);
    const success = res.status === 200;
    return { success, msg: success ? '' : `${res.status}:${res.statusText}`, status: res.status, text };
  } catch (err) {
    const code = axios.isAxiosError(err) ? err.code : (err as NodeJS.ErrnoException).code;
    const msg = networkErrorMessage(req.url, code, (err as Error).message, req.timeoutMs);
    req.log?.(msg);
    return { success: false, msg, status: null, text: null };
  }
}
