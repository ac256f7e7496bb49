// SPDX-License-Identifier: Apache-2.0
// What every call returns: SeldonClientPrediction, printed exactly as the Python client prints it.
//
// `print(prediction)` in Python shows `Success:True message:`, then the request as protobuf text
// (the client holds it as a protobuf message) and the response as a Python dict (what
// `response.json()` gave). `toString()` here produces the same characters, and `console.log` of a
// result prints that too, so a lesson can show Python's output and ours side by side.
import { inspect } from 'node:util';
import type { Feedback, SeldonMessage, SeldonMessageList } from './message.js';
import { protoText } from './proto-text.js';
import { PyFloat, type PyDict, type PyValue } from './py-json.js';
import { pyRepr } from './py-repr.js';
import * as schema from './schema.js';
import type { MessageType } from './schema.js';
import { messageToPy } from './wire.js';

/** How a result prints its parts. Kept outside the object, so JSON.stringify(result) shows only the data. */
export interface Printing {
  /** The proto type of the request, and whether Python held it as a protobuf message or as a dict. */
  requestType: MessageType;
  requestAs: 'proto' | 'dict';
  /** The response as Python's json.loads read it (int/float and key order kept); null prints as None. */
  response: PyValue | null;
}

const printings = new WeakMap<object, Printing>();

/** A JS value as Python would hold it, when no response text is at hand: integral numbers print as ints. */
function jsToPy(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : new PyFloat(value);
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (Array.isArray(value)) return value.map(jsToPy);
  const dict: PyDict = new Map();
  for (const [k, v] of Object.entries(value as object)) dict.set(k, jsToPy(v));
  return dict;
}

/** The answer to a prediction (or any other call): request sent, response received, success and message. */
export class SeldonClientPrediction<Req = SeldonMessage, Res = SeldonMessage> {
  constructor(
    /** The message that was sent. */
    public request: Req,
    /** The parsed response body; null when there was none or it was not JSON. */
    public response: Res | null,
    /** True exactly when the server answered HTTP 200. */
    public success = true,
    /** Empty on success; `"<code>:<reason>"` (e.g. `400:Bad Request`) or what went wrong, otherwise. */
    public msg = '',
    printing?: Printing,
  ) {
    printings.set(this, printing ?? { requestType: this.defaultRequestType(), requestAs: 'proto', response: jsToPy(response) });
  }

  protected defaultRequestType(): MessageType {
    return schema.SeldonMessage;
  }

  private requestText(printing: Printing): string {
    try {
      if (printing.requestAs === 'dict') return pyRepr(messageToPy(this.request, printing.requestType));
      return protoText(this.request, printing.requestType);
    } catch {
      // The request was changed after the call into something protobuf would not hold; show it anyway.
      return `${JSON.stringify(this.request)}\n`;
    }
  }

  /** Python's `repr(prediction)`: `Success:True message:\nRequest:\n<proto text>\nResponse:\n<dict>`. */
  toString(): string {
    const printing = printings.get(this) as Printing;
    const response = printing.response === null ? 'None' : pyRepr(printing.response);
    return `Success:${this.success ? 'True' : 'False'} message:${this.msg}\nRequest:\n${this.requestText(printing)}\nResponse:\n${response}`;
  }

  /** console.log(result) prints what Python's print(result) prints. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** The answer to a feedback call: the request is a Feedback message. */
export class SeldonClientFeedback extends SeldonClientPrediction<Feedback> {
  protected override defaultRequestType(): MessageType {
    return schema.Feedback;
  }
}

/** The answer to a combiner's aggregate call: the request is a SeldonMessageList. */
export class SeldonClientCombine extends SeldonClientPrediction<SeldonMessageList> {
  protected override defaultRequestType(): MessageType {
    return schema.SeldonMessageList;
  }
}
