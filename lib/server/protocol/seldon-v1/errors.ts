// SPDX-License-Identifier: Apache-2.0
// Seldon's error answer: `{"status":{"code":-1,"info":...,"reason":...,"status":1}}`.
//
// Seldon's Python wrapper raises SeldonMicroserviceException for bad input (HTTP 400, reason
// MICROSERVICE_BAD_DATA) and lets anything else become a 500. We keep both, and give the 500 a
// JSON body with reason MICROSERVICE_INTERNAL_ERROR instead of Flask's HTML page, so a client can
// always read the answer. The message of an unexpected error is shown, never its stack.
import { MicroserviceError } from '../../model.js';
import { JsonInputError } from '../../json/python-json.js';
import { pyJsonFloat } from '../../../python/index.js';

export { MicroserviceError };

export const REASON = {
  badData: 'MICROSERVICE_BAD_DATA',
  internal: 'MICROSERVICE_INTERNAL_ERROR',
  badMetadata: 'MICROSERVICE_BAD_METADATA',
  badParameter: 'MICROSERVICE_BAD_PARAMETER',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  tooLarge: 'REQUEST_TOO_LARGE',
  notReady: 'MICROSERVICE_NOT_READY',
} as const;

/** The body of a Seldon error. Keys are written sorted, so the order here does not matter. */
export function seldonErrorBody(info: string, reason: string = REASON.badData): { status: { code: number; info: string; reason: string; status: number } } {
  return { status: { code: -1, info, reason, status: 1 } };
}

/** What any thrown value becomes on the wire: HTTP status, reason and message. */
export function describeError(err: unknown): { httpStatus: number; reason: string; info: string } {
  if (err instanceof MicroserviceError || isMicroserviceErrorLike(err)) {
    return { httpStatus: err.httpStatus, reason: err.reason, info: err.message };
  }
  if (err instanceof JsonInputError) return { httpStatus: 400, reason: REASON.badData, info: `Invalid JSON: ${err.message}` };
  const message = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : pyStr(err);
  return { httpStatus: 500, reason: REASON.internal, info: message };
}

// A model module loaded through another copy of this package (the notebook kernel's CommonJS
// copy) throws a MicroserviceError that is not `instanceof` ours; recognise it by shape.
function isMicroserviceErrorLike(err: unknown): err is MicroserviceError {
  return err instanceof Error && err.name === 'MicroserviceError' && typeof (err as MicroserviceError).httpStatus === 'number';
}

/**
 * Python's `str(value)` for the values a model may return, for messages that quote them as
 * Seldon does ("...(must be list or np array):None").
 */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyJsonFloat(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return String(value);
  }
}
