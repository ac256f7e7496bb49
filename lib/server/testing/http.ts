// SPDX-License-Identifier: Apache-2.0
// A raw HTTP client for tests: exact bytes in, exact bytes out (status, headers, body text),
// with full control over headers, unlike fetch.
import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer; agent?: false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs `body` (an object is sent as JSON) with Content-Type application/json unless given. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return raw(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: text });
}
