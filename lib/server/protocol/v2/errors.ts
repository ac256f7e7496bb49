// SPDX-License-Identifier: Apache-2.0
// The Open Inference Protocol's error answer: `{"error": "<message>"}` with an HTTP status
// (400 for a bad request, 404 for an unknown model or path, 413 for a body over the limit, 500
// when the model fails, 503 while the server is not ready).
import { JSON_TYPE, type Reply, type ServerContext } from '../../context.js';
import { pythonJson } from '../../json/python-json.js';
import { describeError } from '../seldon-v1/errors.js';

export function v2ErrorReply(status: number, message: string): Reply {
  return { status, body: pythonJson({ error: message }), contentType: JSON_TYPE };
}

/** Any thrown value as a V2 error: the same status and message Seldon's v1 answer would carry. */
export function v2ErrorFrom(err: unknown, ctx: ServerContext): Reply {
  const { httpStatus, reason, info } = describeError(err);
  if (httpStatus >= 500) ctx.log.error(`${reason}: ${info}`);
  return v2ErrorReply(httpStatus, info);
}
