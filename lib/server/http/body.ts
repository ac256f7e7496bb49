// SPDX-License-Identifier: Apache-2.0
// Reading a request body, with a size limit, and finding the JSON in it the way Seldon does.
//
// Seldon's Python wrapper (`flask_utils.get_request`) takes the JSON from, in order: the form
// field `json=` (what Seldon's own Python client sends to a microservice), the query parameter
// `json=`, or the body when its Content-Type is JSON. Anything else is "Can't find JSON in data",
// which is also what `curl -d '{...}'` without `-H 'Content-Type: application/json'` gets.
import type { IncomingMessage } from 'node:http';
import { MicroserviceError } from '../model.js';
import { parsePythonJson } from '../json/python-json.js';

/** The body was larger than the server accepts (HTTP 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than this server's limit of ${limit} bytes; send less data per request, or start the server with a larger --max-body-bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** Receives a body read by `readBody`: the text, or the reason there is none. */
export interface BodySink {
  onBody(text: string): void;
  onError(err: unknown): void;
}

/**
 * Reads the whole body as UTF-8 text and hands it to `sink`. Refuses early (from Content-Length)
 * or as soon as the bytes read pass `limit`, so a huge upload costs nothing beyond the limit.
 * Callbacks, not a promise: this runs for every request.
 */
export function readBody(req: IncomingMessage, limit: number, sink: BodySink): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    sink.onError(new BodyTooLargeError(limit));
    return;
  }
  const reader = new BodyReader(req, limit, sink);
  req.on('data', (chunk: Buffer) => reader.data(chunk));
  req.once('end', () => reader.end());
  req.once('error', (err) => reader.fail(err));
}

class BodyReader {
  private first: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  private size = 0;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly sink: BodySink,
  ) {}

  data(chunk: Buffer): void {
    if (this.done) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      // Stop reading; the 413 answer closes the connection (see app.ts).
      this.req.pause();
      this.fail(new BodyTooLargeError(this.limit));
      return;
    }
    // Most bodies arrive in one chunk: keep it without copying.
    if (!this.first) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    const text = this.chunks ? Buffer.concat(this.chunks, this.size).toString('utf8') : this.first ? this.first.toString('utf8') : '';
    this.sink.onBody(text);
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.sink.onError(err);
  }
}

/** Where a request's JSON came from, for messages. */
export interface JsonSource {
  contentType: string | undefined;
  body: string;
  /** The query string without `?`, or '' */
  query: string;
}

/**
 * The request's JSON, found as Seldon finds it (form field, query parameter, JSON body). Throws a
 * 400 MicroserviceError when there is none, and JsonInputError when it does not parse.
 */
export function findRequestJson(source: JsonSource, maxDepth: number): unknown {
  const type = mediaType(source.contentType);
  if (type === 'multipart/form-data') {
    throw new MicroserviceError('multipart/form-data is not supported by this server; send the SeldonMessage as application/json, or as the form field json=', 400);
  }
  if (type === 'application/x-www-form-urlencoded' && source.body) {
    const field = new URLSearchParams(source.body).get('json');
    if (field) return parsePythonJson(field, maxDepth);
  }
  if (source.query) {
    const field = new URLSearchParams(source.query).get('json');
    if (field) return parsePythonJson(field, maxDepth);
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    if (source.body.trim() === '') throw new MicroserviceError("Can't find JSON in data: the body is empty; send a SeldonMessage such as {\"data\": {\"ndarray\": [[1, 2, 3, 4]]}}", 400);
    return parsePythonJson(source.body, maxDepth);
  }
  throw new MicroserviceError(
    `Can't find JSON in data: send the body with Content-Type: application/json (got ${type || 'no Content-Type'}), or as the form field or query parameter json=`,
    400,
  );
}

/** `application/json; charset=utf-8` -> `application/json` */
export function mediaType(header: string | undefined): string {
  if (!header) return '';
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}
