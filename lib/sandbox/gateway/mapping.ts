// SPDX-License-Identifier: Apache-2.0
// One Ambassador/Emissary `Mapping`, read into the few fields the gateway routes with.
//
// A Mapping arrives in one of three spellings, all with the same field names:
//
//   apiVersion: getambassador.io/v3alpha1      (Emissary 2.x/3.x; what the kit's operator writes)
//   kind: Mapping
//   spec: { prefix: /seldon/seldon/iris-model/, rewrite: /, service: iris-model-default.seldon:8000 }
//
//   apiVersion: getambassador.io/v2            (Ambassador 1.x CRDs; what Seldon >= 1.15 writes)
//
//   getambassador.io/config: |                 (a Service annotation; what Seldon 1.11 writes)
//     ---
//     apiVersion: ambassador/v1
//     kind: Mapping
//     name: seldon_seldon_iris-model_default_rest_mapping
//     prefix: /seldon/seldon/iris-model/
//     ...
//
// The defaults are Emissary's: `rewrite: /` (the matched prefix is replaced by "/"), a 3000 ms
// request timeout, case-sensitive prefixes, the `default` ambassador_id. Fields the sandbox does
// not implement (retry_policy, cors, circuit_breakers, ...) are accepted and ignored, as a
// gateway without those features would; `grpc: true` Mappings are skipped with a note, because
// the sandbox gateway speaks HTTP/1.1 only.
import { parseServiceHost } from '../network/address.js';

/** Where a Mapping sends requests: `service: [http[s]://]name[.namespace][:port]`. */
export interface Upstream {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** set when `host` names a Kubernetes Service (resolved through the Service table) */
  service?: { name: string; namespace: string };
  /** the `service` field as written */
  text: string;
}

export interface HeaderMatch {
  name: string;
  /** exact value; `true` in the Mapping means "present, any value" */
  exact?: string;
  present?: boolean;
  regex?: RegExp;
  /** the pattern as written, for ordering and diagnostics */
  text: string;
}

export interface HostMatch {
  exact?: string;
  regex?: RegExp;
  /** `hostname` of v3alpha1: a DNS glob such as `*.example.com` or `*` */
  glob?: string;
  text: string;
}

/** A Mapping ready to route with. */
export interface MappingRule {
  /** e.g. `Mapping seldon/iris-model` or `Service seldon/iris-model-default annotation seldon_..._rest_mapping` */
  id: string;
  namespace: string;
  name: string;
  prefix: string;
  prefixRegex?: RegExp;
  prefixExact: boolean;
  caseSensitive: boolean;
  /** replaces the matched prefix; '' means "leave the path alone" */
  rewrite: string;
  upstream: Upstream;
  /** 0 means no timeout */
  timeoutMs: number;
  weight?: number;
  shadow: boolean;
  headers: HeaderMatch[];
  host?: HostMatch;
  method?: string;
  precedence: number;
}

/** Emissary's default `cluster_request_timeout_ms`. */
export const DEFAULT_TIMEOUT_MS = 3000;
/** The id a gateway answers to when none is configured, as Emissary's. */
export const DEFAULT_AMBASSADOR_ID = 'default';

export type ParseResult = { rule: MappingRule } | { skip: string } | { error: string };

type Spec = Record<string, unknown>;

function bool(value: unknown): boolean {
  return value === true || value === 'true';
}

function intOrUndefined(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${field} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return n;
}

/** Anchored, like Envoy's safe_regex: the whole value must match. */
function fullRegex(pattern: string, field: string, flags = ''): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, flags);
  } catch (error) {
    throw new Error(`${field} "${pattern}" is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads `service:` the way Emissary does; a bare name means a Service in the Mapping's namespace. */
export function parseUpstream(text: string, namespace: string): Upstream {
  let rest = text.trim();
  let scheme: 'http' | 'https' = 'http';
  const schemeMatch = /^([a-zA-Z]+):\/\//.exec(rest);
  if (schemeMatch) {
    const s = schemeMatch[1].toLowerCase();
    if (s !== 'http' && s !== 'https') throw new Error(`service "${text}": only http:// and https:// upstreams are supported`);
    scheme = s;
    rest = rest.slice(schemeMatch[0].length);
  }
  rest = rest.replace(/\/+$/, '');
  if (!rest || rest.includes('/')) throw new Error(`service "${text}" is not of the form [http://]name[.namespace][:port]`);
  let host = rest;
  let port = scheme === 'https' ? 443 : 80;
  const portMatch = /^(.*):(\d+)$/.exec(rest);
  if (portMatch) {
    host = portMatch[1];
    port = Number(portMatch[2]);
    if (port < 1 || port > 65535) throw new Error(`service "${text}": port ${port} is out of range`);
  }
  const service = parseServiceHost(host, namespace);
  return { scheme, host, port, text, ...(service ? { service } : {}) };
}

function parseHeaders(spec: Spec): HeaderMatch[] {
  const out: HeaderMatch[] = [];
  const exact = spec.headers;
  if (exact && typeof exact === 'object') {
    for (const [name, value] of Object.entries(exact as Record<string, unknown>)) {
      if (value === true) out.push({ name: name.toLowerCase(), present: true, text: `${name}` });
      else out.push({ name: name.toLowerCase(), exact: String(value), text: `${name}=${String(value)}` });
    }
  }
  const regex = spec.regex_headers;
  if (regex && typeof regex === 'object') {
    for (const [name, value] of Object.entries(regex as Record<string, unknown>)) {
      out.push({ name: name.toLowerCase(), regex: fullRegex(String(value), `regex_headers.${name}`), text: `${name}~${String(value)}` });
    }
  }
  return out.sort((a, b) => a.text.localeCompare(b.text));
}

function parseHost(spec: Spec): HostMatch | undefined {
  // v3alpha1: `hostname` wins over the deprecated `host`, as in Emissary.
  if (typeof spec.hostname === 'string' && spec.hostname !== '') {
    return spec.hostname === '*' ? undefined : { glob: spec.hostname.toLowerCase(), text: spec.hostname };
  }
  if (typeof spec.host === 'string' && spec.host !== '') {
    if (bool(spec.host_regex)) return { regex: fullRegex(spec.host, 'host', 'i'), text: `~${spec.host}` };
    return { exact: spec.host.toLowerCase(), text: spec.host };
  }
  return undefined;
}

/** The ambassador_id(s) a Mapping is meant for: a string or a list; `default` when absent. */
export function ambassadorIds(spec: Spec): string[] {
  const value = spec.ambassador_id;
  if (value === undefined || value === null) return [DEFAULT_AMBASSADOR_ID];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * Reads a Mapping's fields (a CR's `spec`, or an annotation document) into a rule.
 * `{skip}` for Mappings this gateway is not meant to serve; `{error}` for ones that cannot work
 * (a bad regex, a bad `service`), with a message saying which field and why.
 */
export function parseMapping(spec: Spec, where: { id: string; namespace: string; name: string; ambassadorId?: string }): ParseResult {
  const ids = ambassadorIds(spec);
  const mine = where.ambassadorId ?? DEFAULT_AMBASSADOR_ID;
  if (!ids.includes(mine)) return { skip: `${where.id}: ambassador_id ${JSON.stringify(ids)} does not include "${mine}"` };
  if (bool(spec.grpc)) return { skip: `${where.id}: gRPC Mappings are not served by the sandbox gateway (HTTP/1.1 only)` };
  if (typeof spec.prefix !== 'string' || spec.prefix === '') return { error: `${where.id}: prefix is required` };
  if (typeof spec.service !== 'string' || spec.service === '') return { error: `${where.id}: service is required` };
  try {
    const caseSensitive = spec.case_sensitive === undefined ? true : bool(spec.case_sensitive);
    const prefixRegex = bool(spec.prefix_regex) ? fullRegex(spec.prefix, 'prefix', caseSensitive ? '' : 'i') : undefined;
    const timeoutMs = intOrUndefined(spec.timeout_ms, 'timeout_ms') ?? DEFAULT_TIMEOUT_MS;
    const weight = intOrUndefined(spec.weight, 'weight');
    if (weight !== undefined && weight > 100) throw new Error(`weight ${weight} is over 100`);
    const precedence = spec.precedence === undefined ? 0 : Number(spec.precedence);
    if (!Number.isFinite(precedence)) throw new Error(`precedence must be a number, not ${JSON.stringify(spec.precedence)}`);
    const rule: MappingRule = {
      id: where.id,
      namespace: where.namespace,
      name: where.name,
      prefix: spec.prefix,
      ...(prefixRegex ? { prefixRegex } : {}),
      prefixExact: bool(spec.prefix_exact),
      caseSensitive,
      // Emissary's default is "/"; an explicit "" turns rewriting off.
      rewrite: spec.rewrite === undefined || spec.rewrite === null ? '/' : String(spec.rewrite),
      upstream: parseUpstream(spec.service, where.namespace),
      timeoutMs,
      ...(weight !== undefined ? { weight } : {}),
      shadow: bool(spec.shadow),
      headers: parseHeaders(spec),
      precedence,
    };
    const host = parseHost(spec);
    if (host) rule.host = host;
    if (typeof spec.method === 'string' && spec.method !== '') rule.method = spec.method.toUpperCase();
    return { rule };
  } catch (error) {
    return { error: `${where.id}: ${(error as Error).message}` };
  }
}
