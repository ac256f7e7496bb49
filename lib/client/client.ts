// SPDX-License-Identifier: Apache-2.0
// SeldonClient: the TypeScript counterpart of `seldon_core.seldon_client.SeldonClient`.
//
// The seed tutorial's Python
//
//   sc = SeldonClient(gateway="ambassador", transport="rest", gateway_endpoint="localhost:8003", namespace="seldon")
//   print(sc.predict(data=np.array([[1, 2, 3, 4]]), deployment_name="iris-model", names=["text"], payload_type="ndarray"))
//
// reads here as
//
//   const sc = new SeldonClient({ gateway: 'ambassador', transport: 'rest', gatewayEndpoint: 'localhost:8003', namespace: 'seldon' });
//   console.log(await sc.predict({ data: [[1, 2, 3, 4]], deploymentName: 'iris-model', names: ['text'], payloadType: 'ndarray' }));
//
// and prints the same text. Every method takes the constructor's settings and lets the call
// override any of them. Calls resolve with a result whatever the server does; they reject only for
// a mistake in the call itself (SeldonClientException).
import type { AxiosInstance } from 'axios';
import { inspect } from 'node:util';
import { SeldonClientException, shown } from './errors.js';
import { createHttp, post, type PostOutcome } from './http.js';
import type { Feedback, SeldonMessage, SeldonMessageList } from './message.js';
import {
  gatherArgs,
  resolveConfig,
  validateArgs,
  type MicroserviceMethod,
  type SeldonClientConfig,
  type SeldonClientOptions,
} from './options.js';
import { buildMessage, type MetaPolicy, type PayloadArgs } from './payload.js';
import { SeldonClientCombine, SeldonClientFeedback, SeldonClientPrediction, type Printing } from './prediction.js';
import { parsePyJson, pyToJs, type PyValue } from './py-json.js';
import * as schema from './schema.js';
import { explainUrl, feedbackUrl, microserviceUrl, predictionUrl } from './urls.js';
import { messageToJsonText } from './wire.js';

/** Settings any call may override (Python's per-call keyword arguments). */
export type CallOptions = Omit<SeldonClientOptions, 'random' | 'log'> & {
  /** Extra HTTP headers for this call. */
  headers?: Record<string, string>;
};

/** What to send: one of data (or random data of `shape`), strData, jsonData or binData. */
export type PayloadOptions = Partial<Omit<PayloadArgs, 'payloadType'>>;

export interface PredictOptions extends CallOptions, PayloadOptions {
  /** A path after `/seldon/<ns>/<deployment>` instead of `/api/v1.0/predictions`. */
  httpPath?: string;
}

export interface FeedbackOptions extends CallOptions {
  /** What was sent (e.g. `result.request` of a predict call). */
  predictionRequest?: SeldonMessage;
  /** What came back (e.g. `result.response`). */
  predictionResponse?: SeldonMessage;
  /** What the answer should have been. */
  predictionTruth?: SeldonMessage;
  /** How good the answer was; routers learn from it. Default 0. */
  reward?: number;
  /** A whole Feedback message, sent as is instead of the four fields above. */
  rawRequest?: Feedback;
}

export interface ExplainOptions extends PredictOptions {
  /** The predictor whose explainer answers (`spec.predictors[].name`), required through an ingress. */
  predictor?: string;
}

export interface MicroserviceOptions extends CallOptions, PayloadOptions, Omit<FeedbackOptions, keyof CallOptions> {
  /** Which endpoint of the model microservice: predict (default), route, transform-input, transform-output, aggregate, send-feedback. */
  method?: MicroserviceMethod;
  /** For aggregate: one payload per child (arrays, strings or bytes). */
  datas?: unknown[];
  /** For aggregate without datas: how many random arrays of `shape` to send. */
  ndatas?: number;
}

type Args = SeldonClientConfig & CallOptions & Record<string, unknown>;

export class SeldonClient {
  /** The settings every call starts from (Python's `self.config`). */
  readonly config: Readonly<SeldonClientConfig>;
  private readonly http: AxiosInstance = createHttp();

  constructor(options: SeldonClientOptions = {}) {
    this.config = Object.freeze(resolveConfig(options));
  }

  /** console.log(client) shows the settings, with tokens hidden: a notebook's output is often shared. */
  [inspect.custom](): string {
    const creds = this.config.callCredentials;
    const hidden = creds && Object.fromEntries(Object.keys(creds).map((k) => [k, '<hidden>']));
    const shownConfig = { ...this.config, ...(hidden ? { callCredentials: hidden } : {}) };
    return `SeldonClient ${inspect(shownConfig)}`;
  }

  private gather<T extends object>(options: T): Args & T {
    const args = gatherArgs(this.config as SeldonClientConfig, options) as Args & T;
    validateArgs(args);
    return args;
  }

  /** Content type, the caller's headers, then credentials (which win, as in Python). */
  private headersFor(args: Args, contentType: string): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': contentType, ...(args.headers ?? {}) };
    const creds = args.callCredentials;
    if (creds?.token !== undefined) headers['X-Auth-Token'] = creds.token;
    if (creds?.bearerToken !== undefined) headers.Authorization = `Bearer ${creds.bearerToken}`;
    return headers;
  }

  private send(args: Args, url: string, body: string, contentType: string): Promise<PostOutcome> {
    const log = args.debug ? (this.config.log ?? ((line: string) => console.error(`[SeldonClient] ${line}`))) : undefined;
    return post(this.http, {
      url,
      body,
      headers: this.headersFor(args, contentType),
      timeoutMs: args.timeoutMs,
      channelCredentials: args.channelCredentials,
      log,
    });
  }

  private payload(args: Args & PayloadOptions, metaPolicy: MetaPolicy): SeldonMessage {
    return buildMessage(args, metaPolicy, this.config.random ?? Math.random);
  }

  /**
   * The result of a call: the response read as Python's `response.json()` reads it (null, Python's
   * None, when the body is empty or not JSON), and how the result prints.
   */
  private static result<Req, R>(
    Result: new (request: Req, response: SeldonMessage | null, success: boolean, msg: string, printing: Printing) => R,
    request: Req,
    outcome: PostOutcome,
    requestType: schema.MessageType,
    requestAs: Printing['requestAs'] = 'proto',
  ): R {
    let response: PyValue | null = null;
    if (outcome.text !== null) {
      try {
        response = parsePyJson(outcome.text);
      } catch {
        response = null;
      }
    }
    const printing: Printing = { requestType, requestAs, response };
    // The body is whatever JSON the server sent; it is typed as the SeldonMessage a Seldon server sends.
    const body = response === null ? null : (pyToJs(response) as SeldonMessage);
    return new Result(request, body, outcome.success, outcome.msg, printing);
  }

  // #region predict
  /** Send a prediction request, through the gateway to the deployment's graph. */
  async predict(options: PredictOptions = {}): Promise<SeldonClientPrediction> {
    const args = this.gather(options);
    // Through an ingress Python always attaches a meta (it prints as `meta {\n}`); straight to the
    // orchestrator (gateway 'seldon') it does not.
    const request = this.payload(args, args.gateway === 'seldon' ? 'when-given' : 'always');
    const body = messageToJsonText(request, schema.SeldonMessage);
    const outcome = await this.send(args, predictionUrl(args), body, 'application/json');
    return SeldonClient.result(SeldonClientPrediction, request, outcome, schema.SeldonMessage);
  }
  // #endregion predict

  /** Tell the deployment how good an earlier answer was (`POST …/api/v1.0/feedback`). */
  async feedback(options: FeedbackOptions = {}): Promise<SeldonClientFeedback> {
    const args = this.gather(options);
    const request = SeldonClient.feedbackMessage(args);
    const body = messageToJsonText(request, schema.Feedback);
    const outcome = await this.send(args, feedbackUrl(args), body, 'application/json');
    return SeldonClient.result(SeldonClientFeedback, request, outcome, schema.Feedback);
  }

  /** Ask the deployment's explainer why it answered as it did (`…-explainer/<predictor>/api/v1.0/explain`). */
  async explain(options: ExplainOptions = {}): Promise<SeldonClientPrediction<SeldonMessage, unknown>> {
    const args = this.gather(options);
    const request = this.payload(args, 'when-given');
    const body = messageToJsonText(request, schema.SeldonMessage);
    const outcome = await this.send(args, explainUrl(args), body, 'application/json');
    // Python returns the explain request as the dict it sent, so it prints as a dict.
    return SeldonClient.result(SeldonClientPrediction<SeldonMessage, unknown>, request, outcome, schema.SeldonMessage, 'dict');
  }

  /**
   * Call one model microservice directly, as the orchestrator does: `POST http://<microserviceEndpoint>/<method>`
   * with the message in the form field `json`.
   */
  async microservice(
    options: MicroserviceOptions = {},
  ): Promise<SeldonClientPrediction | SeldonClientCombine | SeldonClientFeedback> {
    const args = this.gather({ ...options, method: options.method ?? 'predict' });
    if (args.method === 'send-feedback') return this.microserviceFeedback(options);
    if (args.method === 'aggregate') {
      const request = this.aggregateMessage(args);
      const outcome = await this.sendForm(args, 'aggregate', messageToJsonText(request, schema.SeldonMessageList));
      return SeldonClient.result(SeldonClientCombine, request, outcome, schema.SeldonMessageList);
    }
    const request = this.payload(args, 'when-given');
    const outcome = await this.sendForm(args, args.method, messageToJsonText(request, schema.SeldonMessage));
    return SeldonClient.result(SeldonClientPrediction, request, outcome, schema.SeldonMessage);
  }

  /** Send feedback straight to a model microservice (`POST http://<microserviceEndpoint>/send-feedback`). */
  async microserviceFeedback(options: FeedbackOptions = {}): Promise<SeldonClientFeedback> {
    const args = this.gather(options);
    const request = SeldonClient.feedbackMessage(args);
    const outcome = await this.sendForm(args, 'send-feedback', messageToJsonText(request, schema.Feedback));
    return SeldonClient.result(SeldonClientFeedback, request, outcome, schema.Feedback);
  }

  /** The Python client posts to a microservice as a form: `json=<the message as JSON>`. */
  private sendForm(args: Args, method: string, json: string): Promise<PostOutcome> {
    const body = new URLSearchParams({ json }).toString();
    return this.send(args, microserviceUrl(args.microserviceEndpoint, method), body, 'application/x-www-form-urlencoded');
  }

  private aggregateMessage(args: Args & MicroserviceOptions): SeldonMessageList {
    let datas = args.datas;
    if (datas === undefined) {
      const n = args.ndatas;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
        throw new SeldonClientException(`aggregate needs datas (one payload per child) or ndatas, a count of random payloads (got ndatas ${shown(n)})`);
      }
      datas = Array.from({ length: n }, () => undefined);
    }
    if (!Array.isArray(datas)) throw new SeldonClientException(`datas must be an array of payloads (got ${shown(datas)})`);
    // As in Python: bytes become binData, a string strData, anything else data (random when undefined).
    const seldonMessages = datas.map((data) =>
      data instanceof Uint8Array
        ? this.payload({ ...args, binData: data, meta: undefined }, 'when-given')
        : typeof data === 'string'
          ? this.payload({ ...args, strData: data, meta: undefined }, 'when-given')
          : this.payload({ ...args, data, meta: undefined, binData: undefined, strData: undefined, jsonData: undefined }, 'when-given'),
    );
    return { seldonMessages };
  }

  private static feedbackMessage(args: FeedbackOptions): Feedback {
    if (args.rawRequest !== undefined) return args.rawRequest;
    if (args.reward !== undefined && (typeof args.reward !== 'number' || !Number.isFinite(args.reward))) {
      throw new SeldonClientException(`reward must be a finite number (got ${shown(args.reward)})`);
    }
    return {
      request: args.predictionRequest,
      response: args.predictionResponse,
      reward: args.reward ?? 0,
      truth: args.predictionTruth,
    };
  }
}
