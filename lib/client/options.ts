// SPDX-License-Identifier: Apache-2.0
// The client's settings: defaults as in Seldon's Python SeldonClient, per-call overrides, and checks
// that fail with the Python client's own messages.
//
// As in Python, the constructor stores a configuration and every call may override any part of it
// (`_gather_args`): a per-call value wins unless it is undefined or null.
import { SeldonClientException, shown } from './errors.js';

export type Gateway = 'ambassador' | 'istio' | 'seldon';
export type Transport = 'rest';
export type PayloadType = 'tensor' | 'ndarray';
export type ClientReturnType = 'dict';
export type MicroserviceMethod = 'predict' | 'route' | 'aggregate' | 'transform-input' | 'transform-output' | 'send-feedback';

/** Per-call credentials. `token` goes in `X-Auth-Token` (Python's SeldonCallCredentials); `bearerToken` in `Authorization: Bearer`. */
export interface SeldonCallCredentials {
  token?: string;
  bearerToken?: string;
}

/** TLS settings for https (Python's SeldonChannelCredentials). */
export interface SeldonChannelCredentials {
  /** false accepts any server certificate (a self-signed ingress in a lab). */
  verify?: boolean;
  /** PEM file of the CA that signed the server's certificate. */
  rootCertificatesFile?: string;
  /** PEM files of a client certificate and its key, for mutual TLS. */
  certificateChainFile?: string;
  privateKeyFile?: string;
}

export interface SeldonClientOptions {
  /** Where requests go: `ambassador` or `istio` (an ingress, paths `/seldon/<ns>/<name>/…`) or `seldon` (the deployment's own service). */
  gateway?: Gateway;
  /** Only `rest` in this kit; Python's `grpc` is refused with an explanation. */
  transport?: Transport;
  namespace?: string;
  deploymentName?: string;
  /** How generated data is sent: `tensor` ({shape, values}, Python's default) or `ndarray` (nested lists). */
  payloadType?: PayloadType;
  /** host:port of the ingress (default `localhost:8003`, where the seed port-forwards Ambassador). */
  gatewayEndpoint?: string;
  /** host:port of a model microservice for `microservice()` (default `localhost:5000`). */
  microserviceEndpoint?: string;
  /** A path put between the endpoint and `/api/v1.0/…` instead of `/seldon/<ns>/<name>`. */
  gatewayPrefix?: string;
  callCredentials?: SeldonCallCredentials;
  channelCredentials?: SeldonChannelCredentials;
  /** https or http. Unset: https when callCredentials are given, as in Python. */
  ssl?: boolean;
  /** Only `dict`: responses are plain objects, printed as Python prints a dict. */
  clientReturnType?: ClientReturnType;
  /** Log each request (URL, headers with secrets hidden, status, body) through `log`. */
  debug?: boolean;
  /** Where debug lines go; console.error by default. */
  log?: (line: string) => void;
  /** Give up on an answer after this many milliseconds (Python waits forever; a notebook should not). */
  timeoutMs?: number;
  /** The random source for generated data (np.random.rand in Python); Math.random by default. */
  random?: () => number;
}

/** The configuration after defaults, as Python keeps it in `self.config`. */
export type SeldonClientConfig = Required<
  Pick<
    SeldonClientOptions,
    'gateway' | 'transport' | 'payloadType' | 'gatewayEndpoint' | 'microserviceEndpoint' | 'clientReturnType' | 'debug' | 'timeoutMs'
  >
> &
  SeldonClientOptions;

// #region defaults
export const DEFAULTS = {
  gateway: 'ambassador',
  transport: 'rest',
  payloadType: 'tensor',
  gatewayEndpoint: 'localhost:8003',
  microserviceEndpoint: 'localhost:5000',
  clientReturnType: 'dict',
  debug: false,
  timeoutMs: 30_000,
} as const;
// #endregion defaults

/** Python's `_gather_args`: the configuration, overridden by every call value that is not undefined or null. */
export function gatherArgs<T extends object>(config: SeldonClientConfig, overrides: T): SeldonClientConfig & T {
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined && value !== null) merged[key] = value;
  return merged as SeldonClientConfig & T;
}

function fail(message: string, value: unknown): never {
  throw new SeldonClientException(`${message} (got ${shown(value)})`);
}

function checkEndpoint(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') fail(`${name} must be a host:port string such as 'localhost:8003'`, value);
  if ((value as string).includes('://')) {
    fail(`${name} is host:port without a scheme; the client chooses http or https itself (set ssl: true for https)`, value);
  }
}

/**
 * Python's `_validate_args`, plus the checks a TypeScript caller needs. Messages start with the
 * Python client's wording where it has one.
 */
export function validateArgs(args: SeldonClientConfig & { method?: unknown }): void {
  if (!['ambassador', 'istio', 'seldon'].includes(args.gateway as string)) {
    fail("Valid values for gateway are 'ambassador', 'istio', or 'seldon'", args.gateway);
  }
  if ((args.transport as string) === 'grpc') {
    throw new SeldonClientException(
      "transport 'grpc' is not supported in this kit: this TypeScript SeldonClient speaks REST only. " +
        "Use transport: 'rest' (the default); the same endpoints answer REST.",
    );
  }
  if (args.transport !== 'rest') fail("Valid values for transport are 'rest' or 'grpc'", args.transport);
  const methods = ['predict', 'route', 'aggregate', 'transform-input', 'transform-output', 'send-feedback'];
  if (args.method !== undefined && !methods.includes(args.method as string)) {
    fail("Valid values for method are 'predict', 'route', 'transform-input', 'transform-output', 'aggregate' or None", args.method);
  }
  if ((args.clientReturnType as string) === 'proto') {
    throw new SeldonClientException(
      "client_return_type 'proto' is not supported in this kit: there are no protobuf classes in TypeScript. " +
        "Use clientReturnType: 'dict' (the default); responses are plain objects.",
    );
  }
  if (args.clientReturnType !== 'dict') fail('Valid values for client_return_type are proto or dict', args.clientReturnType);
  if ((args.payloadType as string) === 'tftensor') {
    throw new SeldonClientException(
      "payload_type 'tftensor' is not supported in this kit: it needs TensorFlow's TensorProto. " +
        "Use payloadType: 'tensor' or 'ndarray'.",
    );
  }
  // Python quietly sends an ndarray for an unknown payload type; a typo deserves an error instead.
  if (!['tensor', 'ndarray'].includes(args.payloadType as string)) {
    fail("Valid values for payload_type are 'tensor' or 'ndarray'", args.payloadType);
  }
  checkEndpoint('gateway_endpoint', args.gatewayEndpoint);
  checkEndpoint('microservice_endpoint', args.microserviceEndpoint);
  for (const key of ['namespace', 'deploymentName', 'gatewayPrefix'] as const) {
    if (args[key] !== undefined && typeof args[key] !== 'string') fail(`${key} must be a string`, args[key]);
  }
  if (args.gatewayPrefix !== undefined && !args.gatewayPrefix.startsWith('/')) {
    fail("gateway_prefix must start with '/', like '/seldon/seldon/iris-model'", args.gatewayPrefix);
  }
  if (typeof args.timeoutMs !== 'number' || !(args.timeoutMs >= 0)) fail('timeoutMs must be a number of milliseconds, 0 for none', args.timeoutMs);
  if (args.ssl !== undefined && typeof args.ssl !== 'boolean') fail('ssl must be true or false', args.ssl);
  const creds = args.callCredentials;
  if (creds !== undefined && (typeof creds !== 'object' || creds === null)) {
    fail('callCredentials must be an object like { token } or { bearerToken }', creds);
  }
}

/** Defaults applied to constructor options, then checked, so a mistake shows where the client is made. */
export function resolveConfig(options: SeldonClientOptions): SeldonClientConfig {
  const config = gatherArgs({ ...DEFAULTS } as SeldonClientConfig, options);
  validateArgs(config);
  return config;
}
