// SPDX-License-Identifier: Apache-2.0
// Test helpers for the gateway: a tiny HTTP client that reports status, headers and body, and an
// "echo pod" that answers with what it received, so a test can see the path after rewriting.
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { startHttpServer } from '../../network/testing/wait.js';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: Agent | false;
  /** fail the request (reject) if no answer came within this time: "it hung" */
  deadlineMs?: number;
}

/** One HTTP request; resolves with the answer, rejects on a socket error or after `deadlineMs`. */
export function send(url: string, options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.deadlineMs) {
      req.setTimeout(options.deadlineMs, () => {
        req.destroy(new Error(`no answer within ${options.deadlineMs} ms (hung)`));
      });
    }
    req.end(options.body);
  });
}

/** What an echo pod saw. */
export interface Echo {
  id: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server on `host` that answers every request with JSON describing it, and records them. */
export async function startEchoPod(id: string, host: string, port = 0) {
  const seen: Echo[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const echo: Echo = { id, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(echo);
      const text = JSON.stringify(echo);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), server: 'echo-pod' });
      res.end(text);
    });
  };
  const server = await startHttpServer(handler, host, port);
  return { ...server, id, host, seen };
}
