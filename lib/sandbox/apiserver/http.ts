// SPDX-License-Identifier: Apache-2.0
// The HTTP edges of the API server: reading a request body within the size limit, decoding JSON or
// YAML the way the apiserver does (and refusing protobuf), choosing the response form from the
// Accept header (object, Table, PartialObjectMetadata), and writing JSON, Status errors and
// `Warning:` headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobuf, PROTOBUF } from './protobuf.js';
import { ApiError, errors } from './status.js';

/** kube-apiserver's limit for a JSON or YAML request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw errors.requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw errors.requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a create / update body: JSON (the default), YAML or protobuf (protobuf.ts); anything else is 415. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const media = mediaType(contentType) || 'application/json';
  const text = body.toString('utf8');
  if (media === 'application/json') {
    if (text.trim() === '') throw errors.badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input");
    try {
      return JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (media === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (media === PROTOBUF) return decodeProtobuf(body);
  throw errors.unsupportedMediaType(['application/json', 'application/yaml', PROTOBUF]);
}

/** What form the client asked the answer in. */
export type ResponseForm = 'object' | 'table' | 'metadata';

/**
 * Reads the Accept header as the apiserver's content negotiation does: the first acceptable entry
 * wins. `as=Table` is what `kubectl get` sends; `as=PartialObjectMetadata[List]` is what metadata
 * informers send. A header that accepts only protobuf gets 406.
 */
export function responseForm(accept: string | undefined): ResponseForm {
  if (!accept) return 'object';
  let sawJson = false;
  for (const entry of accept.split(',')) {
    const [media, ...rawParams] = entry.split(';').map((s) => s.trim());
    const params = new Map(rawParams.map((p) => p.split('=') as [string, string]));
    if (media !== 'application/json' && media !== '*/*' && media !== 'application/*' && media !== 'application/yaml') continue;
    sawJson = true;
    const as = params.get('as');
    if (as === undefined) return 'object';
    if (params.get('g') !== 'meta.k8s.io') continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'metadata';
  }
  if (!sawJson) throw errors.notAcceptable(['application/json', 'application/yaml']);
  return 'object';
}

/** The `Warning` header the apiserver sends: `299 - "text"`. */
function warningHeader(warnings: string[]): string[] {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: string[] = []): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body) + '\n';
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  if (warnings.length > 0) res.setHeader('Warning', warningHeader(warnings));
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = code;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (error.code === 429 && error.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  sendJson(res, error.code, error.toStatus());
}
