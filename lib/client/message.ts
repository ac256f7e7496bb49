// SPDX-License-Identifier: Apache-2.0
// The Seldon protocol v1 messages the client sends and receives, in their JSON form
// (Seldon's prediction.proto: SeldonMessage, Feedback, SeldonMessageList).
import type { SeldonMeta } from '../server/model.js';

export type { SeldonMeta };

/** A nested array as it travels in `data.ndarray`: numbers, strings, booleans or nulls at the leaves. */
export type NestedArray = Array<number | string | boolean | null | NestedArray>;

/** `data` of a SeldonMessage: column names plus one of `tensor` or `ndarray`. */
export interface DefaultData {
  names?: string[];
  tensor?: { shape: number[]; values: number[] };
  ndarray?: NestedArray;
}

/** `status` of a SeldonMessage; servers send it with errors. */
export interface SeldonStatus {
  code?: number;
  info?: string;
  reason?: string;
  status?: 'SUCCESS' | 'FAILURE' | 0 | 1;
}

/** A Seldon protocol v1 message. Exactly one of data, binData (base64), strData or jsonData carries the payload. */
export interface SeldonMessage {
  status?: SeldonStatus;
  meta?: SeldonMeta;
  data?: DefaultData;
  binData?: string;
  strData?: string;
  jsonData?: unknown;
}

/** The body of `POST /api/v1.0/feedback`: what was asked, what came back, and how good it was. */
export interface Feedback {
  request?: SeldonMessage;
  response?: SeldonMessage;
  reward?: number;
  truth?: SeldonMessage;
}

/** The body of a combiner's `POST /aggregate`: one message per child of the graph node. */
export interface SeldonMessageList {
  seldonMessages: SeldonMessage[];
}
