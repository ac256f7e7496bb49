// SPDX-License-Identifier: Apache-2.0
// JSON patch (RFC 6902), `application/json-patch+json`: a list of operations (add, remove,
// replace, move, copy, test) on JSON pointers. The operations themselves are fast-json-patch's;
// this file gives them the API server's answers:
//
// - a body that is not a list of operation objects: 400 "error decoding patch: json: cannot
//   unmarshal object into Go value of type []handlers.jsonPatchOp" (Go's wording, see go-json.ts);
// - more than 10000 operations: 413;
// - an operation that cannot be applied (a failed `test`, a path that does not exist): 422
//   Invalid with the generic message "the server rejected our request due to an error in our
//   request". The real server drops the JSON patch library's own message, so this one does too.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, errors } from '../status.js';
import { decodeGoJson } from './go-json.js';

const MAX_OPERATIONS = 10000;
const OP_FIELDS: Record<string, string> = { op: 'string', path: 'string', from: 'string' };

/** Decode the body as the handler's []jsonPatchOp: a list of objects with string op/path/from. */
export function decodeJsonPatch(text: string): Operation[] {
  const decoded = decodeGoJson(text, 'array', '[]handlers.jsonPatchOp');
  if (decoded.ok === false) throw errors.badRequest(`error decoding patch: ${decoded.message}`);
  const ops = (decoded.value ?? []) as unknown[];
  for (const op of ops) {
    if (op === null) continue;
    if (typeof op !== 'object' || Array.isArray(op)) {
      const kind = Array.isArray(op) ? 'array' : typeof op === 'boolean' ? 'bool' : typeof op;
      throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${kind} into Go value of type handlers.jsonPatchOp`);
    }
    for (const [field, type] of Object.entries(OP_FIELDS)) {
      const v = (op as Record<string, unknown>)[field];
      if (v !== undefined && v !== null && typeof v !== type) {
        const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
        throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${kind} into Go struct field jsonPatchOp.${field} of type string`);
      }
    }
  }
  if (ops.length > MAX_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`);
  }
  return ops.filter((op) => op !== null) as Operation[];
}

/** Apply decoded operations to a copy of `document`. */
export function applyJsonPatch(document: Record<string, unknown>, ops: Operation[]): unknown {
  try {
    return jsonpatch.applyPatch(document, ops, true, false).newDocument;
  } catch {
    // Every failure of an operation is the same 422 on a real server (see above).
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}
